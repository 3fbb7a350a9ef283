import crypto from 'node:crypto';
import { RunCompensation } from './compensation.js';
import { execRow, type Exec, type ExecRow, type NativeState, type StateRows, type Wait } from './exec.js';
import { CommandError, type LiveItem, type LiveKind, type Run, type RunResult } from './types.js';

const LIVE: Partial<Record<Wait, LiveKind>> = { user: 'userTask', external: 'external', message: 'message', signal: 'message', timer: 'timer', call: 'call' };

/**
 * The platform's own BPMN interpreter (BPMN 2.0 chapter 13, execution semantics). An instance is a
 * tree of executions with ids that are stable across commands: the root, subprocess and
 * multi-instance scopes, tokens at activities, and subscriptions (boundary events, event-based
 * gateway branches, event-subprocess starts). A command mutates the tree synchronously and
 * `finish` reports what it now waits for; nothing runs between commands.
 */

export class NativeRun extends RunCompensation implements Run {
  // ------------------------------------------------------------------ commands

  async create(): Promise<void> {
    this.p = crypto.randomUUID();
    const root = this.add({ p: null, a: this.g.processId, k: 'root' });
    const starts = this.g.scopes[this.g.processId]!.starts;
    this.guard(() => {
      this.subscribeEventStarts(root, this.g.processId);
      if (starts.length) this.fanOut(root, starts.map((s) => () => this.run(this.add({ p: root.id, a: s, k: 'token' }))));
      else {
        for (const n of Object.values(this.g.nodes)) {
          if ((n.type === 'startEvent' || n.instantiate) && n.scope === this.g.processId) this.subscribe(n, root, root.id);
        }
      }
      this.settle();
    });
  }

  async resume(state: unknown): Promise<void> {
    const s = state as NativeState;
    if (!s || s.v !== 1) throw new CommandError('The stored instance state is not the native interpreter\'s', 'Trạng thái đã lưu của phiên xử lý không thuộc bộ thông dịch của nền tảng');
    this.p = s.p;
    this.n = s.n;
    this.x = new Map(s.x.map((e) => [e.id, { ...e }]));
    this.saved = new Map(s.x.map((e, i) => [e.id, { text: execRow(e).text, ord: s.o?.[i] ?? i }]));
  }

  /** The executions as last stored (or read), by id: what `finish` diffs against. */
  private saved = new Map<string, { text: string; ord: number }>();
  private unsaved: Map<string, { text: string; ord: number }> | null = null;

  /** The write of the last `finish` succeeded: its rows are now the stored ones. */
  stored(): void {
    if (this.unsaved) this.saved = this.unsaved;
    this.unsaved = null;
  }

  /**
   * The rows this command changed. Order keys stay where they still increase along the tree's order;
   * an execution that moved (re-added) or is new takes one above every stored key.
   */
  private changedRows(): StateRows {
    if (this.ended) { this.unsaved = new Map(); return { p: null, n: null, put: [], del: 'all' }; }
    let top = -1;
    for (const s of this.saved.values()) if (s.ord > top) top = s.ord;
    const next = new Map<string, { text: string; ord: number }>();
    const put: ExecRow[] = [];
    let last = -1;
    for (const e of this.x.values()) {
      const { row, text } = execRow(e);
      const was = this.saved.get(e.id);
      const ord = was && was.ord > last ? was.ord : ++top;
      if (!was || was.text !== text || was.ord !== ord) put.push({ ...row, ord });
      next.set(e.id, { text, ord });
      last = ord;
    }
    const del = [...this.saved.keys()].filter((id) => !next.has(id));
    this.unsaved = next;
    return { p: this.p, n: this.n, put, del };
  }

  beginCommand(): void { this.history = []; this.thrown = []; this.sent = []; this.escalated = []; this.writes = {}; this.steps = 0; }


  get reusable(): boolean { return !this.ended && !this.broken; }

  signalTask(_activityId: string, executionId: string): void {
    const e = this.x.get(executionId);
    if (!e || (e.w !== 'user' && e.w !== 'message')) throw new CommandError(`Execution ${executionId} is not waiting`, `Nhánh thực thi ${executionId} không còn chờ`);
    this.guard(() => { delete e.w; this.complete(e); });
  }

  completeExternal(executionId: string): boolean {
    const e = this.x.get(executionId);
    if (!e || e.w !== 'external') return false;
    this.guard(() => { delete e.w; this.complete(e); });
    return true;
  }

  bpmnErrorExternal(executionId: string, errorCode: string, errorMessage?: string): boolean {
    const e = this.x.get(executionId);
    if (!e || e.w !== 'external') return false;
    this.guard(() => { delete e.w; this.throwError(e, errorCode, errorMessage); });
    return true;
  }

  /** The process a call activity called has completed (its out-mapped variables already set). */
  completeCall(executionId: string): boolean {
    const e = this.x.get(executionId);
    if (!e || e.w !== 'call') return false;
    this.guard(() => { delete e.w; this.complete(e); });
    return true;
  }

  /** The called process ended by a BPMN error it did not catch: it is thrown at the call activity (Camunda propagates it). */
  failCall(executionId: string, errorCode: string, message?: string): boolean {
    const e = this.x.get(executionId);
    if (!e || e.w !== 'call') return false;
    this.guard(() => { delete e.w; this.throwError(e, errorCode, message); });
    return true;
  }

  /** Every variable visible at an execution (instance, enclosing scopes' locals, its iteration's). */
  visibleAt(executionId: string): Record<string, unknown> {
    const e = this.x.get(executionId);
    return e ? this.varsAt(e) : this.vars;
  }

  fireTimer(executionId: string): boolean {
    const e = this.x.get(executionId);
    if (!e || e.w !== 'timer') return false;
    this.guard(() => this.trigger(e));
    return true;
  }

  message(messageRef: string): void {
    const e = [...this.x.values()].find((s) => s.w === 'message' && this.g.nodes[s.a]?.event?.ref === messageRef);
    if (e) this.guard(() => this.trigger(e));
  }

  /** A signal reaches every subscription of this instance (BPMN 2.0 §10.5.4: broadcast). */
  signal(name: string): boolean {
    const subs = [...this.x.values()].filter((s) => s.w === 'signal' && this.evOf(s)?.name === name);
    this.guard(() => { for (const s of subs) if (this.x.get(s.id) === s && s.w === 'signal') this.trigger(s); });
    return subs.length > 0;
  }

  get live(): Map<string, LiveItem> {
    const out = new Map<string, LiveItem>();
    if (this.ended) return out;
    for (const e of this.x.values()) {
      const kind = e.w && LIVE[e.w];
      if (!kind) continue;
      const item: LiveItem = { kind, executionId: e.id, activityId: e.a, ancestors: this.ancestors(e) };
      if (e.due) item.dueAt = new Date(e.due);
      const it = this.iteration(e);
      if (it) item.loop = { item: it.item, index: it.i };
      // One definition of a multiple event: the subscription is by its own signal name.
      if (e.d !== undefined && e.w === 'signal') item.messageName = `signal:${this.evOf(e)?.name ?? ''}`;
      if (kind === 'external') { const locals = this.localsAt(e.id); if (Object.keys(locals).length) item.locals = locals; }
      out.set(e.id, item);
    }
    return out;
  }

  liveOf(kind: LiveKind): LiveItem[] { return [...this.live.values()].filter((i) => i.kind === kind); }

  /** For the service's attribute expressions: `content` is `{ id, item?, index? }` like bpmn-engine's. */
  evaluate(expr: string, content?: unknown): unknown {
    const c = content as { id?: string; item?: unknown; index?: number; executionId?: string } | undefined;
    const at = c?.executionId ? this.x.get(c.executionId) : undefined;
    if (at) return this.eval(expr, this.varsAt(at), c?.id);
    let vars = this.vars;
    if (c && c.index !== undefined && c.index !== null) {
      vars = { ...vars, loopCounter: c.index, item: c.item };
      const ev = c.id ? this.g.nodes[c.id]?.loop?.elementVariable : undefined;
      if (ev) vars = { ...vars, [ev]: c.item };
    }
    return this.eval(expr, vars, c?.id);
  }

  async finish(): Promise<RunResult> {
    if (!this.ended) this.guard(() => this.settle());
    const state: NativeState | null = this.ended ? null : { v: 1, p: this.p, n: this.n, x: [...this.x.values()] };
    return { state, rows: this.changedRows(), live: this.live, history: this.history, ended: this.ended, failure: this.failure, errorCode: this.failureCode, writes: this.writes };
  }

  /**
   * Administrator repair (Camunda's process instance modification), in the order given: start a
   * token before an activity or on its outgoing flows, or cancel an activity's executions (all of
   * them by activity id, or one by its execution id = activity instance id).
   */
  modify(instructions: ReadonlyArray<{ type: 'startBeforeActivity' | 'startAfterActivity' | 'cancel'; activityId?: string; activityInstanceId?: string }>): void {
    this.guard(() => {
      // Scopes left empty by a cancel complete only after every instruction (cancel + start = a move).
      const emptied: Exec[] = [];
      for (const ins of instructions) {
        if (this.ended) throw new CommandError('The instance has ended; nothing more can be modified', 'Phiên xử lý đã kết thúc; không sửa thêm được');
        if (ins.type === 'cancel') {
          const targets = ins.activityInstanceId
            ? [this.x.get(ins.activityInstanceId)].filter((e): e is Exec => Boolean(e && e.k !== 'sub'))
            : [...this.x.values()].filter((e) => e.a === ins.activityId && e.k !== 'sub' && e.k !== 'root' && e.k !== 'comp');
          if (!targets.length) throw new CommandError(`Nothing to cancel: no active instance of '${ins.activityInstanceId ?? ins.activityId}'`, `Không có gì để hủy: “${ins.activityInstanceId ?? ins.activityId}” không đang chạy`);
          for (const e of targets) {
            if (this.x.get(e.id) !== e) continue;
            const parent = e.p ? this.x.get(e.p) : undefined;
            this.cancel(e);
            if (parent?.k === 'mi' && !this.kids(parent.id).length) {
              this.disarm(parent);
              this.x.delete(parent.id);
              if (parent.p && this.x.get(parent.p)) emptied.push(this.x.get(parent.p)!);
            } else if (parent) emptied.push(parent);
          }
          continue;
        }
        const n = this.g.nodes[ins.activityId ?? ''];
        if (!n) throw new CommandError(`Element '${ins.activityId ?? ''}' is not in this process`, `Quy trình không có phần tử “${ins.activityId ?? ''}”`);
        const scope = n.scope === this.g.processId
          ? [...this.x.values()].find((e) => e.k === 'root')
          : [...this.x.values()].find((e) => e.k === 'scope' && e.a === n.scope);
        if (!scope) throw new CommandError(`'${n.id}' sits in '${n.scope}', which is not active in this instance`, `“${n.name ?? n.id}” nằm trong “${n.scope}”, phần này không đang chạy trong phiên xử lý`);
        if (ins.type === 'startBeforeActivity') this.start(scope, n);
        else {
          if (!n.out.length) throw new CommandError(`'${n.id}' has no outgoing sequence flow to start after`, `“${n.name ?? n.id}” không có luồng đi ra để bắt đầu sau nó`);
          for (const f of n.out) this.take(scope, f);
        }
      }
      for (const e of emptied) this.checkScope(e);
      this.settle();
    });
  }

  /** Executions whose place no longer fits the graph (a step made multi-instance, or no longer): migration refuses them. */
  misfits(): Set<string> {
    const out = new Set<string>();
    for (const e of this.x.values()) {
      if (e.k !== 'token' && e.k !== 'scope') continue;
      const inMi = e.p ? this.x.get(e.p)?.k === 'mi' : false;
      if (Boolean(this.g.nodes[e.a]?.loop?.mi) !== inMi) out.add(e.id);
    }
    return out;
  }

  /** The stored state's executions (for migration checks and the admin view). */
  executions(): readonly Exec[] { return [...this.x.values()]; }

  /** After every command: conditions that now hold fire, inclusive joins with nothing upstream fire. */
  protected settle(): void {
    for (let round = 0; round < 1000 && !this.ended; round++) {
      let moved = false;
      for (const e of [...this.x.values()]) {
        if (this.ended) return;
        if (this.x.get(e.id) !== e) continue;
        if (e.w === 'conditional') {
          const holds = this.conditionHolds(this.node(e.a), e);
          if (holds && !e.c) { this.trigger(e); moved = true; } else if (e.k === 'sub') e.c = holds;
        } else if ((e.w === 'join' && (this.node(e.a).type === 'inclusiveGateway' || this.node(e.a).type === 'complexGateway')) || e.w === 'cgw') {
          const scope = this.x.get(e.p!);
          if (scope && this.tryJoin(scope, this.node(e.a))) moved = true;
        }
      }
      if (!moved) return;
    }
  }
}
