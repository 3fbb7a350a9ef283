import crypto from 'node:crypto';
import type { EventDef, GNode, Graph, Param, ParamValue } from '../compile/graph.js';
import { evaluate, ExpressionError, hasExpression } from '../expression.js';
import { firstDue, nextDue } from './timers.js';
import { CommandError, type HistoryFact, type LiveItem, type LiveKind, type Run, type RunResult } from './types.js';

/**
 * The platform's own BPMN interpreter (BPMN 2.0 chapter 13, execution semantics). An instance is a
 * tree of executions with ids that are stable across commands: the root, subprocess and
 * multi-instance scopes, tokens at activities, and subscriptions (boundary events, event-based
 * gateway branches, event-subprocess starts). A command mutates the tree synchronously and
 * `finish` reports what it now waits for; nothing runs between commands.
 */

type Wait = 'user' | 'external' | 'message' | 'timer' | 'signal' | 'conditional' | 'join' | 'ebg' | 'call' | 'multi' | 'comp' | 'cgw';

export interface Exec {
  id: string;
  /** Parent execution (a scope), null for the root. */
  p: string | null;
  /** Node id (the process id for the root). */
  a: string;
  /** 'comp': a completed activity that can still be compensated (§10.5.5), under the scope it ran in. */
  k: 'root' | 'scope' | 'mi' | 'token' | 'sub' | 'comp';
  w?: Wait;
  /** The flow a token arrived by (joins). */
  f?: string;
  /** A subscription's owner: the activity (boundary), the gateway token (event-based) or the scope (event subprocess, start). */
  on?: string;
  due?: string;
  left?: number | null;
  cycle?: string;
  /** Conditional subscriptions: the condition's last value (they fire when it becomes true). */
  c?: boolean;
  i?: number;
  item?: unknown;
  mi?: { n: number; done: number; next: number; items?: unknown[] };
  lc?: number;
  /** Local variables of this scope or activity (camunda:inputOutput inputs). */
  v?: Record<string, unknown>;
  /** Ad-hoc subprocess: how many of its activities have been started; whether its completion condition held. */
  ah?: number;
  adDone?: boolean;
  /** An async continuation waiting as a job: before the activity ('b') or after it ('a'). */
  j?: 'b' | 'a';
  /** A subscription for one definition of a multiple event (its index); the definitions a parallel one has had. */
  d?: number;
  got?: number[];
  /** The asyncBefore / asyncAfter job of this execution has run. */
  jb?: boolean;
  ja?: boolean;
  /**
   * Compensation (§10.5.5): a driver's queue of records still to compensate (a throw event, a
   * re-opened subprocess, a cancelled transaction); the driver a handler or re-opened scope reports
   * to; a re-opened completed subprocess; a driver the throw did not wait for; a cancelled transaction.
   */
  q?: string[];
  cp?: string;
  cs?: boolean;
  nw?: boolean;
  tx?: boolean;
  /** §13.3.5 complex gateway: the incoming flows its start phase consumed (waiting for reset); a token of its reset phase. */
  cg?: string[];
  ph?: 'reset';
}

export interface NativeState { v: 1; p: string; n: number; x: Exec[] }

/** Steps (activities entered) one command may take: a model looping without a wait state stops here. */
export const MAX_STEPS = 5000;

const LIVE: Partial<Record<Wait, LiveKind>> = { user: 'userTask', external: 'external', message: 'message', signal: 'message', timer: 'timer', call: 'call' };
const typeName = (t: string) => t[0]!.toUpperCase() + t.slice(1);

export class NativeRun implements Run {
  history: HistoryFact[] = [];
  /** Signals thrown in this command: the service broadcasts them to other instances. */
  thrown: string[] = [];
  /** Escalations no handler of this instance caught in this command: a calling process gets them. */
  escalated: string[] = [];
  /** Messages sent along message flows in this command: the service delivers them to the target process. */
  sent: Array<{ process: string; message: string }> = [];
  /** Instance variables the process itself wrote in this command (output mappings): the service stores them. */
  writes: Record<string, unknown> = {};
  private x = new Map<string, Exec>();
  private p = '';
  private n = 0;
  private ended = false;
  private failure: string | undefined;
  private failureCode: string | undefined;
  private broken = false;
  /**
   * Within one command: scopes a fan-out is still putting tokens into (they must not complete in
   * between, §13.2.2), and how often each scope had all its tokens cancelled (terminate, an
   * interrupting event subprocess): a fan-out begun before that stops.
   */
  private pending = new Map<string, number>();
  private epoch = new Map<string, number>();
  private steps = 0;

  constructor(private readonly g: Graph, readonly vars: Record<string, unknown>) {}

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
    if (!s || s.v !== 1) throw new CommandError('The stored instance state is not the native interpreter\'s');
    this.p = s.p;
    this.n = s.n;
    this.x = new Map(s.x.map((e) => [e.id, { ...e }]));
  }

  beginCommand(): void { this.history = []; this.thrown = []; this.sent = []; this.escalated = []; this.writes = {}; this.steps = 0; }

  /**
   * A variable set from outside at an execution (a task completed with variables): it goes to the
   * nearest scope that has a local variable of that name, as in Camunda. Returns false when none
   * has: the caller sets it on the instance.
   */
  assignLocal(executionId: string, name: string, value: unknown): boolean {
    for (let c = this.x.get(executionId); c; c = c.p ? this.x.get(c.p) : undefined) {
      if (c.v && Object.prototype.hasOwnProperty.call(c.v, name)) { c.v[name] = value; return true; }
    }
    return false;
  }

  /** The local variables visible at an execution (inner scopes hide outer ones); empty without mappings. */
  localsAt(executionId: string): Record<string, unknown> {
    const chain: Exec[] = [];
    for (let c = this.x.get(executionId); c; c = c.p ? this.x.get(c.p) : undefined) if (c.v) chain.push(c);
    const out: Record<string, unknown> = {};
    for (const c of chain.reverse()) Object.assign(out, c.v);
    return out;
  }

  get reusable(): boolean { return !this.ended && !this.broken; }

  signalTask(_activityId: string, executionId: string): void {
    const e = this.x.get(executionId);
    if (!e || (e.w !== 'user' && e.w !== 'message')) throw new CommandError(`Execution ${executionId} is not waiting`);
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
    return { state, live: this.live, history: this.history, ended: this.ended, failure: this.failure, errorCode: this.failureCode, writes: this.writes };
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
        if (this.ended) throw new CommandError('The instance has ended; nothing more can be modified');
        if (ins.type === 'cancel') {
          const targets = ins.activityInstanceId
            ? [this.x.get(ins.activityInstanceId)].filter((e): e is Exec => Boolean(e && e.k !== 'sub'))
            : [...this.x.values()].filter((e) => e.a === ins.activityId && e.k !== 'sub' && e.k !== 'root' && e.k !== 'comp');
          if (!targets.length) throw new CommandError(`Nothing to cancel: no active instance of '${ins.activityInstanceId ?? ins.activityId}'`);
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
        if (!n) throw new CommandError(`Element '${ins.activityId ?? ''}' is not in this process`);
        const scope = n.scope === this.g.processId
          ? [...this.x.values()].find((e) => e.k === 'root')
          : [...this.x.values()].find((e) => e.k === 'scope' && e.a === n.scope);
        if (!scope) throw new CommandError(`'${n.id}' sits in '${n.scope}', which is not active in this instance`);
        if (ins.type === 'startBeforeActivity') this.start(scope, n);
        else {
          if (!n.out.length) throw new CommandError(`'${n.id}' has no outgoing sequence flow to start after`);
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

  // ------------------------------------------------------------------ tree

  private guard(fn: () => void): void {
    try { fn(); } catch (err) {
      this.broken = true;
      // A model that loops without ever waiting ends here rather than taking the node down.
      if (err instanceof RangeError) throw new CommandError(`The process runs more than ${MAX_STEPS} steps without waiting (an endless loop without a wait state?)`);
      throw err;
    }
  }

  /**
   * Puts several tokens into a scope (a split, several start events): the scope cannot complete
   * until all are placed, and the rest are not placed once the scope or the instance has ended or
   * had its tokens cancelled by one of them (terminate, error, an interrupting event).
   */
  private fanOut(scope: Exec, steps: Array<() => void>): void {
    const ep = this.epoch.get(scope.id) ?? 0;
    this.pending.set(scope.id, (this.pending.get(scope.id) ?? 0) + 1);
    this.unplaced += steps.length;
    let done = 0;
    try {
      for (const step of steps) {
        if (this.ended || this.x.get(scope.id) !== scope || (this.epoch.get(scope.id) ?? 0) !== ep) break;
        this.unplaced--;
        done++;
        step();
        this.flushSignals();
      }
    } finally {
      this.unplaced -= steps.length - done;
      const left = (this.pending.get(scope.id) ?? 1) - 1;
      if (left) this.pending.set(scope.id, left); else this.pending.delete(scope.id);
    }
    this.flushSignals();
    if (!this.ended && this.x.get(scope.id) === scope) this.checkScope(scope);
  }

  /** Signals thrown while sibling tokens of a split were still unplaced go out once every token is placed. */
  private flushSignals(): void {
    while (!this.unplaced && this.queued.length && !this.ended) this.deliverSignal(this.queued.shift()!);
  }

  /** Every token of a scope is cancelled (the scope itself stays). */
  private clearScope(scope: Exec): void {
    for (const c of this.kids(scope.id)) this.cancel(c);
    this.epoch.set(scope.id, (this.epoch.get(scope.id) ?? 0) + 1);
  }

  private add(e: Omit<Exec, 'id'>): Exec {
    const ex = { id: `${this.p}.${++this.n}`, ...e };
    this.x.set(ex.id, ex);
    return ex;
  }

  private kids(id: string): Exec[] { return [...this.x.values()].filter((e) => e.p === id); }

  private ancestors(e: Exec): string[] {
    const out: string[] = [];
    for (let p = e.p ? this.x.get(e.p) : undefined; p; p = p.p ? this.x.get(p.p) : undefined) out.push(p.id);
    return out;
  }

  private iteration(e: Exec): Exec | undefined {
    for (let c: Exec | undefined = e; c; c = c.p ? this.x.get(c.p) : undefined) if (c.i !== undefined) return c;
    return undefined;
  }

  private hist(kind: HistoryFact['kind'], e: Exec): void {
    const n = this.g.nodes[e.a];
    if (!n) return;
    this.history.push({ kind, activityId: n.id, activityType: typeName(n.type), activityName: n.name, executionId: e.id, at: new Date() });
  }

  /** Removes an execution with everything under it and every subscription they own (cancellation). */
  private cancel(e: Exec): void {
    for (const k of this.kids(e.id)) this.cancel(k);
    for (const s of [...this.x.values()]) if (s.on === e.id && s.k === 'sub') this.x.delete(s.id);
    // A cancelled activity gets no 'activity-end' (as with bpmn-engine): it did not complete.
    this.x.delete(e.id);
  }

  private disarm(e: Exec): void {
    for (const s of [...this.x.values()]) if (s.on === e.id && s.k === 'sub') this.x.delete(s.id);
  }

  // ------------------------------------------------------------------ expressions

  private eval(expr: string, vars: Record<string, unknown>, where?: string): unknown {
    try {
      return evaluate(expr, vars);
    } catch (err) {
      const message = err instanceof ExpressionError ? err.message : String(err);
      throw new CommandError(`Cannot evaluate expression '${expr}'${where ? ` on '${where}'` : ''}: ${message}`);
    }
  }

  /** Variables as seen from an execution: the instance's, plus its multi-instance iteration's. */
  private varsAt(e: Exec): Record<string, unknown> {
    const it = this.iteration(e);
    let hasLocals = false;
    for (let c: Exec | undefined = e; c && !hasLocals; c = c.p ? this.x.get(c.p) : undefined) hasLocals = Boolean(c.v);
    if (!it && !hasLocals) return this.vars;
    const out: Record<string, unknown> = { ...this.vars };
    if (it) {
      const body = it.p ? this.x.get(it.p) : undefined;
      const node = this.g.nodes[it.a];
      Object.assign(out, { loopCounter: it.i, item: it.item });
      if (node?.loop?.elementVariable) out[node.loop.elementVariable] = it.item;
      if (body?.mi) Object.assign(out, this.miVars(body));
    }
    if (hasLocals) Object.assign(out, this.localsAt(e.id));
    return out;
  }

  /** A camunda:inputOutput value, evaluated where `e` is. */
  private paramValue(v: ParamValue, e: Exec, where: string): unknown {
    if (v === null) return null;
    if ('text' in v) return hasExpression(v.text) ? this.eval(v.text, this.varsAt(e), where) : v.text;
    if ('list' in v) return v.list.map((x) => this.paramValue(x, e, where));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v.map)) out[k] = this.paramValue(x, e, where);
    return out;
  }

  /** Inputs: evaluated as the activity starts, they become its local variables (its own scope for a subprocess). */
  private mapInputs(e: Exec, inputs: Param[]): void {
    const local: Record<string, unknown> = {};
    for (const p of inputs) local[p.name] = this.paramValue(p.value, e, e.a);
    e.v = { ...(e.v ?? {}), ...local };
  }

  /** Outputs: evaluated as the activity completes, written to the enclosing scope (or the instance). */
  private mapOutputs(e: Exec, outputs: Param[]): void {
    const values = outputs.map((p) => [p.name, this.paramValue(p.value, e, e.a)] as const);
    const parent = e.p ? this.x.get(e.p) : undefined;
    for (const [name, value] of values) {
      if (parent && this.assignLocal(parent.id, name, value)) continue;
      this.vars[name] = value;
      this.writes[name] = value;
    }
  }

  private miVars(body: Exec): Record<string, unknown> {
    return { nrOfInstances: body.mi!.n, nrOfCompletedInstances: body.mi!.done, nrOfActiveInstances: this.kids(body.id).length };
  }

  private truth(expr: string, e: Exec, extra?: Record<string, unknown>): boolean {
    return Boolean(this.eval(expr, extra ? { ...this.varsAt(e), ...extra } : this.varsAt(e), e.a));
  }

  private text(t: string | undefined, e: Exec): string | undefined {
    if (t === undefined || !hasExpression(t)) return t;
    const v = this.eval(t, this.varsAt(e), e.a);
    return v instanceof Date ? v.toISOString() : String(v);
  }

  // ------------------------------------------------------------------ flow

  private node(id: string): GNode {
    const n = this.g.nodes[id];
    if (!n) throw new CommandError(`Element '${id}' is not in this process`);
    return n;
  }

  private take(scope: Exec, flowId: string): void {
    const f = this.g.flows[flowId]!;
    const target = this.node(f.target);
    const join = (target.type === 'parallelGateway' || target.type === 'inclusiveGateway' || target.type === 'complexGateway') && target.in.length > 1;
    if (join || target.startQuantity > 1) {
      this.add({ p: scope.id, a: target.id, k: 'token', w: 'join', f: flowId });
      // §13.3.3: an inclusive join judges the tokens upstream only once a fan-out has placed them all (settle does).
      if ((target.type !== 'inclusiveGateway' && target.type !== 'complexGateway') || !this.pending.has(scope.id)) this.tryJoin(scope, target);
      return;
    }
    this.start(scope, target);
  }

  /** §13.3.2 parallel join: one token on every incoming flow. §13.3.3 inclusive join: no token upstream. */
  private tryJoin(scope: Exec, n: GNode): boolean {
    if (n.type === 'complexGateway') return this.tryComplex(scope, n);
    const waiting = this.kids(scope.id).filter((e) => e.a === n.id && e.w === 'join');
    if (!waiting.length) return false;
    let take: Exec[] | null = null;
    const onePerFlow = () => [...new Map(waiting.map((e) => [e.f, e])).values()];
    if (n.type === 'parallelGateway') {
      const per = onePerFlow();
      if (per.length >= n.in.length) take = per;
    } else if (n.type === 'inclusiveGateway') {
      if (!this.upstream(scope, n)) take = onePerFlow();
    } else if (waiting.length >= n.startQuantity) take = waiting.slice(0, n.startQuantity);
    if (!take) return false;
    for (const t of take) this.x.delete(t.id);
    this.start(scope, n);
    return true;
  }

  /**
   * §13.3.5 complex gateway. Waiting for start: once a token is there, the activationCondition is
   * evaluated with `activationCount` (incoming flows holding a token) and `waitingForStart` = true;
   * when it holds, one token per such flow is consumed and the outgoing flows are chosen like an
   * inclusive split (default flow, an error when none applies). Then waiting for reset: it waits
   * for a token on each incoming flow it did not consume from, except those no token can reach any
   * more (the inclusive join's rule); it consumes them and takes the outgoing flows whose condition
   * holds with `waitingForStart` = false (none is no error; flows without a condition and the default
   * belong to the start phase), and waits for start again.
   */
  private tryComplex(scope: Exec, n: GNode): boolean {
    const waiting = this.kids(scope.id).filter((e) => e.a === n.id && e.w === 'join');
    const perFlow = [...new Map(waiting.map((e) => [e.f, e])).values()];
    const reset = this.kids(scope.id).find((e) => e.a === n.id && e.w === 'cgw');
    if (!reset) {
      if (!perFlow.length || !this.truth(n.activation ?? '${true}', perFlow[0]!, { activationCount: perFlow.length, waitingForStart: true })) return false;
      for (const t of perFlow) this.x.delete(t.id);
      const mark = this.add({ p: scope.id, a: n.id, k: 'token', w: 'cgw', cg: perFlow.map((t) => t.f!) });
      this.start(scope, n);
      // Nothing may be left to wait for: the reset happens at once.
      if (this.x.get(mark.id) === mark) this.tryComplex(scope, n);
      return true;
    }
    const rest = n.in.filter((f) => !reset.cg!.includes(f));
    const holding = new Set(perFlow.map((t) => t.f));
    const missing = rest.filter((f) => !holding.has(f));
    if (missing.length && this.kids(scope.id).some((e) => e.k !== 'sub' && e.k !== 'comp' && e.w !== 'cgw' && !(e.a === n.id && e.w === 'join') && this.flowsToward(e.a, n.id).some((f) => missing.includes(f)))) return false;
    for (const t of perFlow) if (rest.includes(t.f!)) this.x.delete(t.id);
    this.x.delete(reset.id);
    const g = this.add({ p: scope.id, a: n.id, k: 'token', ph: 'reset' });
    this.run(g);
    // Tokens that arrived meanwhile on the flows of the start phase may start it again.
    if (this.x.get(scope.id) === scope) this.tryComplex(scope, n);
    return true;
  }

  /**
   * §13.3.3 the inclusive join's rule: it waits while some token could still bring a token to one
   * of its EMPTY incoming flows without passing the gateway — unless that token could also reach
   * one of its incoming flows that already has a token (then it only arrives for a later firing).
   */
  private upstream(scope: Exec, join: GNode): boolean {
    const filled = new Set(this.kids(scope.id).filter((e) => e.a === join.id && e.w === 'join').map((e) => e.f));
    for (const e of this.kids(scope.id)) {
      if (e.k === 'sub' || e.k === 'comp' || e.w === 'cgw' || (e.a === join.id && e.w === 'join')) continue;
      let empty = false;
      let full = false;
      for (const f of this.flowsToward(e.a, join.id)) if (filled.has(f)) full = true; else empty = true;
      if (empty && !full) return true;
    }
    return false;
  }

  private towardCache = new Map<string, string[]>();
  /** The join's incoming flows a token at `from` can reach without passing through the join. */
  private flowsToward(from: string, joinId: string): string[] {
    const key = `${from}>${joinId}`;
    const hit = this.towardCache.get(key);
    if (hit) return hit;
    const found = new Set<string>();
    const seen = new Set<string>([from]);
    const todo = [from];
    while (todo.length) {
      const n = this.g.nodes[todo.pop()!];
      if (!n) continue;
      const next: string[] = [...n.boundary];
      for (const fid of n.out) {
        const t = this.g.flows[fid]!.target;
        if (t === joinId) found.add(fid); else next.push(t);
      }
      if (n.type === 'intermediateThrowEvent' && n.event?.kind === 'link') {
        const c = Object.values(this.g.nodes).find((x) => x.scope === n.scope && x.type === 'intermediateCatchEvent' && x.event?.kind === 'link' && x.event.name === n.event!.name);
        if (c) next.push(c.id);
      }
      for (const x of next) if (!seen.has(x)) { seen.add(x); todo.push(x); }
    }
    const out = [...found];
    this.towardCache.set(key, out);
    return out;
  }

  private start(scope: Exec, n: GNode): void {
    if (n.loop?.mi) { this.startMi(scope, n); return; }
    const e = this.add({ p: scope.id, a: n.id, k: 'token' });
    if (n.loop && !n.loop.mi) {
      e.lc = 0;
      // §13.2.6 test before: a condition false at first means the activity never runs (no history).
      if (n.loop.testBefore && !(n.loop.condition && this.truth(n.loop.condition, e))) { this.leave(e); return; }
    }
    this.run(e);
  }

  /** Runs the behaviour of the node an execution sits at. */
  private run(e: Exec): void {
    if (++this.steps > MAX_STEPS) throw new CommandError(`The process runs more than ${MAX_STEPS} steps without waiting (an endless loop without a wait state?)`);
    const n = this.node(e.a);
    // camunda:asyncBefore: the command that got here commits; a job enters the activity in a command of its own.
    if (n.asyncBefore && !e.jb) { this.park(e, 'b'); return; }
    this.hist('activity-start', e);
    if (n.inputs) this.mapInputs(e, n.inputs);
    const inMi = e.p ? this.x.get(e.p)?.k === 'mi' : false;
    /** Boundary events are armed on entry; a conditional one whose condition already holds fires then (false: it interrupted). */
    const arm = (): boolean => {
      if (inMi) return true;
      for (const b of n.boundary) this.subscribe(this.node(b), e, e.p!);
      return this.fireHeldConditions(e);
    };
    if (n.external) { e.w = 'external'; arm(); return; }
    switch (n.type) {
      case 'userTask': e.w = 'user'; arm(); return;
      case 'receiveTask': e.w = 'message'; arm(); return;
      // §10.2.5: the called process runs as an instance of its own; the service starts it and reports its end.
      case 'callActivity': e.w = 'call'; arm(); return;
      case 'subProcess':
      case 'transaction':
        e.k = 'scope';
        if (arm()) this.openScope(e, n.id);
        return;
      case 'adHocSubProcess':
        // §13.2.5: its activities start without flows — all at once (parallel) or one after another (sequential).
        e.k = 'scope';
        if (!arm()) return;
        this.subscribeEventStarts(e, n.id);
        e.ah = 0;
        this.nextAdHoc(e, n);
        return;
      case 'eventBasedGateway':
        e.w = 'ebg';
        for (const f of n.out) this.subscribe(this.node(this.g.flows[f]!.target), e, e.p!);
        return;
      case 'intermediateCatchEvent': this.catchAt(e, n); return;
      case 'intermediateThrowEvent': case 'endEvent': this.throwAt(e, n); return;
      default: this.complete(e);
    }
  }

  private openScope(scope: Exec, scopeId: string): void {
    this.subscribeEventStarts(scope, scopeId);
    const ep = this.epoch.get(scope.id) ?? 0;
    // A conditional event subprocess whose condition holds as the scope opens starts at once; an interrupting one replaces the scope's start.
    if (!this.fireHeldConditions(scope) || (this.epoch.get(scope.id) ?? 0) !== ep) { this.checkScope(scope); return; }
    const starts = this.g.scopes[scopeId]?.starts ?? [];
    this.fanOut(scope, starts.map((s) => () => this.run(this.add({ p: scope.id, a: s, k: 'token' }))));
  }

  private subscribeEventStarts(scope: Exec, scopeId: string): void {
    for (const s of this.g.scopes[scopeId]?.eventStarts ?? []) this.subscribe(this.node(s), scope, scope.id);
  }

  private catchAt(e: Exec, n: GNode): void {
    const k = n.event?.kind;
    if (k === 'multiple') {
      // §10.5.1: one subscription per definition; the first (or, parallel, the last) to arrive completes the event.
      e.w = 'multi';
      e.got = [];
      n.event!.all!.forEach((def, d) => {
        const s = this.add({ p: e.p, a: n.id, k: 'sub', on: e.id, d });
        if (def.kind === 'signal') s.w = 'signal'; else this.arm(s, n);
      });
      return;
    }
    if (k === 'message' || k === 'signal') { e.w = k; return; }
    if (k === 'timer') { this.arm(e, n); return; }
    if (k === 'conditional') {
      if (this.conditionHolds(n, e)) this.complete(e);
      else { e.w = 'conditional'; e.c = false; }
      return;
    }
    this.complete(e);
  }

  private throwAt(e: Exec, n: GNode): void {
    const k = n.event?.kind;
    const scope = this.x.get(e.p!)!;
    if (k === 'error') { this.x.delete(e.id); this.hist('activity-end', e); this.throwError(scope, n.event!.code ?? '', undefined); return; }
    if (k === 'terminate') {
      this.x.delete(e.id); this.hist('activity-end', e);
      this.clearScope(scope);
      this.checkScope(scope);
      return;
    }
    if (k === 'cancel') { this.x.delete(e.id); this.hist('activity-end', e); this.cancelTransaction(scope); return; }
    if (k === 'compensate') { this.throwCompensation(e, n, scope); return; }
    if (k === 'signal') this.broadcast(n.event!.name!);
    if (k === 'multiple') {
      for (const def of n.event!.all!) {
        if (def.kind === 'signal') this.broadcast(def.name!);
        if (def.kind === 'escalation') { this.escalate(e, def.code ?? ''); if (this.x.get(e.id) !== e) return; }
      }
    }
    if (k === 'escalation') { this.escalate(e, n.event!.code ?? ''); if (this.x.get(e.id) !== e) return; }
    if (k === 'link') {
      const target = Object.values(this.g.nodes).find((x) => x.scope === n.scope && x.type === 'intermediateCatchEvent' && x.event?.kind === 'link' && x.event.name === n.event!.name)!;
      this.x.delete(e.id); this.hist('activity-end', e);
      this.start(scope, target);
      return;
    }
    this.complete(e);
  }

  /** The activity at `e` has done its work: loops, multi-instance, then its outgoing flows (§13.2.1). */
  private complete(e: Exec): void {
    // What it did (a signal, an escalation) may have cancelled it: an interrupting handler took over.
    if (this.x.get(e.id) !== e) return;
    const n = this.node(e.a);
    const inScope = e.p ? this.x.get(e.p) : undefined;
    const adhoc = inScope ? this.g.nodes[inScope.a]?.adhoc : undefined;
    if (adhoc?.completion && inScope && n.scope === inScope.a && !inScope.adDone && this.truth(adhoc.completion, e)) {
      // §13.2.5 completionCondition: no further activity starts; with cancelRemainingInstances the running ones end.
      inScope.adDone = true;
      if (adhoc.cancelRemaining) for (const k of this.kids(inScope.id)) if (k !== e && k.k !== 'sub') this.cancel(k);
    }
    if (n.sendTo) this.sent.push(n.sendTo);
    if (n.outputs) this.mapOutputs(e, n.outputs);
    this.hist('activity-end', e);
    this.disarm(e);
    this.recordCompensation(e, n);
    const parent = e.p ? this.x.get(e.p) : undefined;
    if (parent?.k === 'mi') { this.iterationDone(parent, e); return; }
    if (n.loop && !n.loop.mi) {
      const lc = (e.lc ?? 0) + 1;
      const more = (n.loop.maximum === undefined || lc < n.loop.maximum) && Boolean(n.loop.condition) && this.truth(n.loop.condition!, e, { loopCounter: lc });
      if (more) { this.x.delete(e.id); this.run(this.add({ p: e.p, a: n.id, k: 'token', lc })); return; }
    }
    this.leave(e);
  }

  private leave(e: Exec): void {
    const n = this.node(e.a);
    // camunda:asyncAfter: the activity's completion commits; a job takes the outgoing flows.
    if (n.asyncAfter && !e.ja) { this.park(e, 'a'); return; }
    const scope = this.x.get(e.p!);
    if (!scope) return;
    const flows = this.select(n, e);
    this.x.delete(e.id);
    // A compensation handler has no outgoing flow: its driver starts the next one or finishes.
    if (e.cp) this.compStep(e.cp);
    const steps: Array<() => void> = [];
    for (const f of flows) for (let q = 0; q < n.completionQuantity; q++) steps.push(() => this.take(scope, f));
    this.fanOut(scope, steps);
  }

  /** Which outgoing flows a completed node takes (§13.3 gateways, §13.2.1 conditional flows of activities). */
  private select(n: GNode, e: Exec): string[] {
    if (n.type === 'parallelGateway') return n.out;
    const phase = n.type === 'complexGateway' ? { waitingForStart: e.ph !== 'reset' } : undefined;
    if (e.ph === 'reset') return n.out.filter((f) => f !== n.default && this.g.flows[f]!.condition && this.truth(this.g.flows[f]!.condition, e, phase));
    const holds = (fid: string) => { const c = this.g.flows[fid]!.condition; return !c || this.truth(c, e, phase); };
    const candidates = n.out.filter((f) => f !== n.default);
    let taken: string[];
    if (n.type === 'exclusiveGateway') { const first = candidates.find(holds); taken = first ? [first] : []; } else taken = candidates.filter(holds);
    // §13.2.1: an activity's default flow is taken when none of its *conditional* flows holds; unconditional ones are taken anyway.
    const conditionalHeld = n.type.endsWith('Gateway') ? taken.length > 0 : taken.some((f) => this.g.flows[f]!.condition);
    if (!conditionalHeld && n.default) taken = [...taken, n.default];
    if (!taken.length && n.out.length) throw new CommandError(`No outgoing sequence flow of '${n.id}' applies: none of their conditions holds and there is no default flow`);
    return taken;
  }

  /** Starts the ad-hoc subprocess's next activity (sequential) or all of them (parallel); false when none is left. */
  private nextAdHoc(scope: Exec, n: GNode): boolean {
    const order = n.adhoc!.order;
    const from = scope.ah ?? 0;
    const upto = n.adhoc!.sequential ? Math.min(from + 1, order.length) : order.length;
    if (from >= upto) { this.checkScope(scope); return false; }
    scope.ah = upto;
    this.fanOut(scope, order.slice(from, upto).map((id) => () => this.start(scope, this.node(id))));
    return true;
  }

  /** A scope with no token left completes (§13.2.2 "the subprocess completes when no token remains"). */
  private checkScope(scope: Exec | undefined): void {
    if (!scope || scope.k === 'mi' || this.x.get(scope.id) !== scope || this.pending.has(scope.id)) return;
    const kids = this.kids(scope.id);
    if (kids.some((k) => k.k !== 'sub' && k.k !== 'comp')) return;
    // A compensation driver decides when it is done; a re-opened subprocess reports to its driver.
    if (scope.q) return;
    if (scope.cs) { this.cancel(scope); this.compStep(scope.cp!); return; }
    const adhoc = this.g.nodes[scope.a]?.adhoc;
    if (adhoc && adhoc.sequential && (scope.ah ?? 0) < adhoc.order.length && !scope.adDone) { this.nextAdHoc(scope, this.node(scope.a)); return; }
    for (const s of kids) if (s.k === 'sub') this.x.delete(s.id);
    if (scope.k === 'root') { this.x.clear(); this.ended = true; return; }
    const n = this.node(scope.a);
    if (n.triggeredByEvent) {
      this.cancel(scope); this.hist('activity-end', scope);
      this.checkScope(scope.p ? this.x.get(scope.p) : undefined);
      return;
    }
    this.complete(scope);
  }

  // ------------------------------------------------------------------ multi-instance (§13.2.7)

  private startMi(scope: Exec, n: GNode): void {
    const L = n.loop!;
    const body = this.add({ p: scope.id, a: n.id, k: 'mi' });
    for (const b of n.boundary) this.subscribe(this.node(b), body, scope.id);
    let items: unknown[] | undefined;
    let count: number;
    if (L.collection) {
      const c = hasExpression(L.collection) ? this.eval(L.collection, this.varsAt(body), n.id) : this.vars[L.collection];
      if (!Array.isArray(c)) throw new CommandError(`Multi-instance '${n.id}': collection ${L.collection} is not a list`);
      items = c;
      count = c.length;
    } else {
      count = Number(L.cardinality === undefined ? NaN : this.eval(L.cardinality.includes('{') ? L.cardinality : `\${${L.cardinality}}`, this.varsAt(body), n.id));
      if (!Number.isInteger(count) || count < 0) throw new CommandError(`Multi-instance '${n.id}': loopCardinality is not a whole number ≥ 0`);
    }
    body.mi = { n: count, done: 0, next: 0, items };
    if (!count) { this.disarm(body); this.leave(body); return; }
    // An iteration that completes at once may meet the completion condition: the body is gone then.
    for (let k = 0; k < (L.sequential ? 1 : count) && this.x.get(body.id) === body; k++) this.nextIteration(body, n);
  }

  private nextIteration(body: Exec, n: GNode): void {
    const i = body.mi!.next++;
    this.run(this.add({ p: body.id, a: n.id, k: 'token', i, item: body.mi!.items?.[i] }));
  }

  private iterationDone(body: Exec, it: Exec): void {
    const n = this.node(body.a);
    const vars = { ...this.varsAt(it) };
    this.x.delete(it.id);
    body.mi!.done++;
    Object.assign(vars, this.miVars(body));
    const early = n.loop!.completion ? Boolean(this.eval(n.loop!.completion, vars, n.id)) : false;
    if (early || body.mi!.done >= body.mi!.n) {
      for (const k of this.kids(body.id)) this.cancel(k);
      this.disarm(body);
      this.leave(body);
      return;
    }
    if (n.loop!.sequential) this.nextIteration(body, n);
  }

  // ------------------------------------------------------------------ events

  /** A waiting point for an event: `owner` is what it belongs to, `scopeId` where its token will run. */
  private subscribe(n: GNode, owner: Exec, scopeId: string): void {
    const k = n.event?.kind;
    if (n.type === 'receiveTask' || k === 'message') { this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id, w: 'message' }); return; }
    if (k === 'signal') { this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id, w: 'signal' }); return; }
    if (k === 'timer') { this.arm(this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id }), n); return; }
    if (k === 'conditional') { this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id, w: 'conditional', c: false }); return; }
    // error and escalation handlers are found when thrown; none/link need no subscription.
  }

  /** The event definition an execution waits for (one of a multiple event's, by index). */
  private evOf(e: Exec): EventDef | undefined {
    const ev = this.g.nodes[e.a]?.event;
    return e.d !== undefined ? ev?.all?.[e.d] : ev;
  }

  private arm(e: Exec, n: GNode): void {
    const spec = this.evOf(e)?.timer ?? n.event!.timer!;
    const evaluated = { timeDate: this.text(spec.timeDate, e), timeDuration: this.text(spec.timeDuration, e), timeCycle: this.text(spec.timeCycle, e) };
    const due = firstDue(evaluated, new Date());
    if (!due) throw new CommandError(`Timer '${n.id}': cannot compute when it is due from ${JSON.stringify(evaluated)}`);
    e.w = 'timer';
    e.due = due.at.toISOString();
    if (due.cycle) { e.cycle = due.cycle; e.left = due.left ?? null; }
  }

  /**
   * §10.5.4 conditional events: a condition that is already true when its subscription is made
   * (the activity entered, the scope opened) fires at once, as Camunda does. Returns whether
   * `owner` is still there afterwards.
   */
  private fireHeldConditions(owner: Exec): boolean {
    for (const s of [...this.x.values()]) {
      if (this.x.get(owner.id) !== owner) return false;
      if (s.on !== owner.id || s.k !== 'sub' || s.w !== 'conditional' || s.c || this.x.get(s.id) !== s) continue;
      if (this.conditionHolds(this.node(s.a), s)) this.trigger(s);
    }
    return this.x.get(owner.id) === owner;
  }

  private conditionHolds(n: GNode, e: Exec): boolean {
    try { return this.truth(n.event!.condition!, e); } catch { return false; }
  }

  /** An event arrived for a waiting execution. */
  private trigger(e: Exec): void {
    const n = this.node(e.a);
    if (e.j) {
      const which = e.j;
      delete e.w; delete e.due; delete e.j;
      if (which === 'b') this.run(e); else this.leave(e);
      return;
    }
    if (e.k !== 'sub') {
      // §10.5.5 a timeCycle on an intermediate catch: each repetition sends a token on; the event waits for the next.
      if (e.w === 'timer' && e.cycle) {
        const next = nextDue(e.cycle, new Date(e.due!), e.left);
        if (next) this.add({ p: e.p, a: e.a, k: 'token', w: 'timer', due: next.at.toISOString(), cycle: e.cycle, left: next.left ?? null });
      }
      delete e.w;
      this.complete(e);
      return;
    }
    const owner = this.x.get(e.on!);
    const scope = this.x.get(e.p!);
    if (!owner || !scope) { this.x.delete(e.id); return; }
    if (owner.w === 'multi') {
      this.x.delete(e.id);
      owner.got = [...(owner.got ?? []), e.d!];
      if (n.event?.parallel && owner.got.length < n.event.all!.length) return;
      delete owner.w;
      this.complete(owner);
      return;
    }
    if (n.type === 'boundaryEvent') {
      if (n.interrupting) this.cancel(owner);
      else this.repeat(e, n);
      this.run(this.add({ p: scope.id, a: n.id, k: 'token' }));
      return;
    }
    if ((n.type === 'startEvent' || n.instantiate) && n.scope === this.g.processId && owner.k === 'root') {
      // A process start (message, timer, signal): the other start subscriptions go.
      for (const s of this.kids(owner.id)) if (s.k === 'sub' && this.node(s.a).scope === this.g.processId && (this.node(s.a).type === 'startEvent' || this.node(s.a).instantiate)) this.x.delete(s.id);
      const t = this.add({ p: owner.id, a: n.id, k: 'token' });
      // §10.2.3 an instantiating receive task: its message has arrived, so it completes as it starts.
      if (n.instantiate) { this.hist('activity-start', t); this.complete(t); } else this.run(t);
      return;
    }
    if (n.type === 'startEvent') { this.startEventSub(owner, n, e); return; }
    // An event-based gateway branch: the gateway and its other branches go (§13.3.5).
    this.x.delete(owner.id);
    this.hist('activity-end', owner);
    this.disarm(owner);
    const t = this.add({ p: scope.id, a: n.id, k: 'token' });
    this.hist('activity-start', t);
    this.complete(t);
  }

  /** An async continuation: the execution waits as a job due now (the scheduler runs it, retries it, raises an incident). */
  private park(e: Exec, which: 'b' | 'a'): void {
    if (which === 'b') e.jb = true; else e.ja = true;
    e.j = which;
    e.w = 'timer';
    e.due = new Date().toISOString();
  }

  /** A non-interrupting subscription stays: a cycle timer moves to its next run, or goes when spent. */
  private repeat(e: Exec, n: GNode): void {
    if (e.w === 'conditional') { e.c = true; return; }
    if (e.w !== 'timer') return;
    this.x.delete(e.id);
    const next = e.cycle ? nextDue(e.cycle, new Date(e.due!), e.left) : null;
    if (next) this.add({ p: e.p, a: n.id, k: 'sub', on: e.on, w: 'timer', due: next.at.toISOString(), cycle: e.cycle, left: next.left ?? null });
  }

  private startEventSub(scope: Exec, start: GNode, sub: Exec | null): void {
    if (start.interrupting !== false) this.clearScope(scope);
    else if (sub) this.repeat(sub, start);
    const inst = this.add({ p: scope.id, a: start.scope, k: 'scope' });
    this.hist('activity-start', inst);
    this.subscribeEventStarts(inst, start.scope);
    this.run(this.add({ p: inst.id, a: start.id, k: 'token' }));
  }

  /** Signals thrown in this instance while a fan-out was still placing tokens: delivered once all are placed. */
  private queued: string[] = [];
  /** Tokens fan-outs in progress have still to place. */
  private unplaced = 0;

  private broadcast(name: string): void {
    this.thrown.push(name);
    // A branch of a split may throw before its sibling branch has reached the event that catches it (§10.5.4 broadcast).
    if (this.unplaced) { this.queued.push(name); return; }
    this.deliverSignal(name);
  }

  private deliverSignal(name: string): void {
    for (const s of [...this.x.values()]) if (s.w === 'signal' && this.evOf(s)?.name === name && this.x.get(s.id) === s) this.trigger(s);
  }

  /** §10.5.6 errors: the innermost handler (event subprocess, then boundary) going outwards; none = the instance fails. */
  private throwError(from: Exec, code: string, message: string | undefined): void {
    const match = (c: string | undefined) => c === code;
    const handler = this.findHandler(from, 'error', match) ?? this.findHandler(from, 'error', (c) => c === undefined);
    if (!handler) { this.fail(`Unhandled BPMN error '${code}'${message ? `: ${message}` : ''}`, code); return; }
    this.handle(handler, true);
  }

  private escalate(from: Exec, code: string): void {
    if (!this.escalateFrom(this.x.get(from.p!)!, code)) this.escalated.push(code);
  }

  /** §10.5.7: the innermost escalation handler from `at` outwards; none = the escalation goes to a calling process, if any. */
  private escalateFrom(at: Exec, code: string): boolean {
    const handler = this.findHandler(at, 'escalation', (c) => c === code) ?? this.findHandler(at, 'escalation', (c) => c === undefined);
    if (handler) this.handle(handler, false);
    return Boolean(handler);
  }

  /** An escalation the called process did not catch reaches the call activity (its boundary events, then outwards). */
  escalateCall(executionId: string, code: string): boolean {
    const e = this.x.get(executionId);
    if (!e || e.w !== 'call') return false;
    this.guard(() => { if (!this.escalateFrom(e, code)) this.escalated.push(code); });
    return true;
  }

  private findHandler(from: Exec, kind: 'error' | 'escalation', match: (c: string | undefined) => boolean): { at: Exec; node: GNode } | null {
    // What an event subprocess throws is not for the event subprocesses beside it (they would catch it again, for ever).
    let skipStartsOf: string | null | undefined;
    for (let cur: Exec | undefined = from; cur; cur = cur.p ? this.x.get(cur.p) : undefined) {
      if ((cur.k === 'root' || cur.k === 'scope') && cur.id !== skipStartsOf) {
        const scopeId = cur.k === 'root' ? this.g.processId : cur.a;
        const s = (this.g.scopes[scopeId]?.eventStarts ?? []).map((id) => this.node(id)).find((x) => x.event?.kind === kind && match(x.event.code));
        if (s) return { at: cur, node: s };
      }
      const inMi = cur.p ? this.x.get(cur.p)?.k === 'mi' : false;
      if (cur.k !== 'root' && !inMi) {
        const b = (this.g.nodes[cur.a]?.boundary ?? []).map((id) => this.node(id)).find((x) => x.event?.kind === kind && match(x.event.code));
        if (b) return { at: cur, node: b };
      }
      if (cur.k === 'scope' && this.g.nodes[cur.a]?.triggeredByEvent) skipStartsOf = cur.p;
    }
    return null;
  }

  private handle(h: { at: Exec; node: GNode }, always: boolean): void {
    if (h.node.type === 'startEvent') { this.startEventSub(h.at, h.node, null); return; }
    const scope = this.x.get(h.at.p!)!;
    if (always || h.node.interrupting) this.cancel(h.at);
    this.run(this.add({ p: scope.id, a: h.node.id, k: 'token' }));
    this.checkScope(scope);
  }

  // ------------------------------------------------------------------ compensation (§10.5.5) and transactions (§10.2.2)

  /** The scope a completed activity is compensable in: the nearest root, (re-opened) subprocess or transaction. */
  private compHome(e: Exec): Exec | undefined {
    for (let c = e.p ? this.x.get(e.p) : undefined; c; c = c.p ? this.x.get(c.p) : undefined) if (c.k === 'root' || c.k === 'scope') return c;
    return undefined;
  }

  /**
   * An activity completed: it stays compensable if it has a compensation handler, or is a
   * subprocess with a compensation event subprocess or compensable activities inside (their records
   * move under its own, with its local variables, for its default compensation).
   */
  private recordCompensation(e: Exec, n: GNode): void {
    const inner = e.k === 'scope' ? this.kids(e.id).filter((k) => k.k === 'comp') : [];
    const home = this.compHome(e);
    if (home && (n.compHandler || n.compStart || inner.length)) {
      const r = this.add({ p: home.id, a: n.id, k: 'comp' });
      if (e.v) r.v = { ...e.v };
      for (const c of inner) c.p = r.id;
    } else for (const c of inner) this.cancel(c);
  }

  /** Compensable records of a scope, latest first (§10.5.5: reverse order of completion). */
  private compRecords(scope: Exec, activityRef?: string): string[] {
    const seq = (id: string) => Number(id.slice(id.lastIndexOf('.') + 1));
    return this.kids(scope.id).filter((k) => k.k === 'comp' && (!activityRef || k.a === activityRef)).map((k) => k.id).sort((a, b) => seq(b) - seq(a));
  }

  /**
   * §10.5.5 a compensation throw event: the completed activities of its scope (or the one named by
   * activityRef) are compensated, latest first; with waitForCompletion (the default) the event
   * completes when every handler has, else at once. Inside a compensation event subprocess, the
   * scope is the subprocess being compensated.
   */
  private throwCompensation(e: Exec, n: GNode, scopeIn: Exec): void {
    let scope = scopeIn;
    const sn = this.g.nodes[scope.a];
    const compStart = sn?.triggeredByEvent ? this.g.nodes[sn.scope]?.compStart : undefined;
    if (scope.k === 'scope' && compStart && this.g.nodes[compStart]?.scope === sn!.id && scope.p) scope = this.x.get(scope.p) ?? scope;
    const q = this.compRecords(scope, n.event!.activityRef);
    if (n.event!.wait === false) {
      const d = this.add({ p: e.p, a: n.id, k: 'token', w: 'comp', q, nw: true });
      this.complete(e);
      this.compStep(d.id);
      return;
    }
    e.w = 'comp';
    e.q = q;
    this.compStep(e.id);
  }

  /** A driver compensates its next record, or is done. */
  private compStep(driverId: string): void {
    const d = this.x.get(driverId);
    if (!d || !d.q) return;
    while (d.q.length) {
      const rec = this.x.get(d.q.shift()!);
      if (rec && this.compensate(rec, d)) return;
      if (this.x.get(d.id) !== d) return;
    }
    delete d.q;
    if (d.tx) { this.cancelled(d); return; }
    if (d.cs) { this.checkScope(d); return; }
    if (d.nw) { this.x.delete(d.id); this.checkScope(d.p ? this.x.get(d.p) : undefined); return; }
    delete d.w;
    this.complete(d);
  }

  /**
   * Compensates one completed activity: its handler runs where the activity ran; a subprocess
   * without a handler of its own is re-opened (its local variables back) to run its compensation
   * event subprocess, or to compensate what completed inside it. Returns whether something now
   * runs that reports back to the driver.
   */
  private compensate(rec: Exec, d: Exec): boolean {
    const n = this.node(rec.a);
    const where = rec.p ? this.x.get(rec.p) : undefined;
    if (!where) { this.cancel(rec); return false; }
    if (n.compHandler) {
      this.cancel(rec);
      this.run(this.add({ p: where.id, a: n.compHandler, k: 'token', cp: d.id }));
      return true;
    }
    const inner = this.kids(rec.id).filter((k) => k.k === 'comp');
    if (!n.compStart && !inner.length) { this.cancel(rec); return false; }
    const s = this.add({ p: where.id, a: n.id, k: 'scope', cs: true, cp: d.id });
    if (rec.v) s.v = rec.v;
    for (const c of inner) c.p = s.id;
    this.x.delete(rec.id);
    if (n.compStart) {
      const start = this.node(n.compStart);
      const inst = this.add({ p: s.id, a: start.scope, k: 'scope' });
      this.hist('activity-start', inst);
      this.run(this.add({ p: inst.id, a: start.id, k: 'token' }));
    } else {
      s.q = this.compRecords(s);
      this.compStep(s.id);
    }
    return true;
  }

  /**
   * §10.2.2 / §13.5.6 a cancel end event: the transaction's activities are cancelled, what completed
   * inside it is compensated (latest first), then its cancel boundary event leads on.
   */
  private cancelTransaction(tx: Exec): void {
    for (const c of this.kids(tx.id)) if (c.k !== 'comp') this.cancel(c);
    this.epoch.set(tx.id, (this.epoch.get(tx.id) ?? 0) + 1);
    tx.tx = true;
    tx.q = this.compRecords(tx);
    this.compStep(tx.id);
  }

  private cancelled(tx: Exec): void {
    const scope = tx.p ? this.x.get(tx.p) : undefined;
    const b = this.node(tx.a).boundary.map((id) => this.node(id)).find((x) => x.event?.kind === 'cancel');
    this.cancel(tx);
    if (!scope) return;
    if (b) this.run(this.add({ p: scope.id, a: b.id, k: 'token' }));
    this.checkScope(scope);
  }

  private fail(message: string, code?: string): void {
    this.x.clear();
    this.ended = true;
    this.failure = message;
    this.failureCode = code;
  }

  /** After every command: conditions that now hold fire, inclusive joins with nothing upstream fire. */
  private settle(): void {
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
