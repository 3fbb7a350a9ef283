import type { GNode, Graph, Param, ParamValue } from '../compile/graph.js';
import { evaluate, ExpressionError, hasExpression } from '../expression.js';
import { MAX_STEPS, type Exec } from './exec.js';
import { CommandError, type HistoryFact } from './types.js';

const typeName = (t: string) => t[0]!.toUpperCase() + t.slice(1);

/**
 * The interpreter's base layer: the execution tree of one instance (ids, parents, cancellation),
 * fan-outs, and expressions evaluated where an execution is. The layers above it, one file per
 * concern, add gateways, the flow of tokens, multi-instance, events and compensation; `NativeRun`
 * (run.ts) is the whole and the commands the service gives it.
 */
export abstract class RunTree {
  history: HistoryFact[] = [];
  /** Signals thrown in this command: the service broadcasts them to other instances. */
  thrown: string[] = [];
  /** Escalations no handler of this instance caught in this command: a calling process gets them. */
  escalated: string[] = [];
  /** Messages sent along message flows in this command: the service delivers them to the target process. */
  sent: Array<{ process: string; message: string }> = [];
  /** Instance variables the process itself wrote in this command (output mappings): the service stores them. */
  writes: Record<string, unknown> = {};
  protected x = new Map<string, Exec>();
  protected p = '';
  protected n = 0;
  protected ended = false;
  protected failure: string | undefined;
  protected failureCode: string | undefined;
  protected broken = false;
  /**
   * Within one command: scopes a fan-out is still putting tokens into (they must not complete in
   * between, §13.2.2), and how often each scope had all its tokens cancelled (terminate, an
   * interrupting event subprocess): a fan-out begun before that stops.
   */
  protected pending = new Map<string, number>();
  protected epoch = new Map<string, number>();
  protected steps = 0;
  /** Signals thrown in this instance while a fan-out was still placing tokens: delivered once all are placed. */
  protected queued: Array<{ name: string; skip?: string }> = [];
  /** Tokens fan-outs in progress have still to place. */
  protected unplaced = 0;

  constructor(protected readonly g: Graph, readonly vars: Record<string, unknown>) {}

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

  // ------------------------------------------------------------------ tree

  protected guard(fn: () => void): void {
    try { fn(); } catch (err) {
      this.broken = true;
      // A model that loops without ever waiting ends here rather than taking the node down.
      if (err instanceof RangeError) throw new CommandError(`The process runs more than ${MAX_STEPS} steps without waiting (an endless loop without a wait state?)`, `Quy trình chạy quá ${MAX_STEPS} bước mà không dừng chờ (một vòng lặp không có bước chờ?)`);
      throw err;
    }
  }

  /**
   * Puts several tokens into a scope (a split, several start events): the scope cannot complete
   * until all are placed, and the rest are not placed once the scope or the instance has ended or
   * had its tokens cancelled by one of them (terminate, error, an interrupting event).
   */
  protected fanOut(scope: Exec, steps: Array<() => void>): void {
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
  protected flushSignals(): void {
    while (!this.unplaced && this.queued.length && !this.ended) { const q = this.queued.shift()!; this.deliverSignal(q.name, q.skip); }
  }

  /** Every token of a scope is cancelled (the scope itself stays). */
  protected clearScope(scope: Exec): void {
    for (const c of this.kids(scope.id)) this.cancel(c);
    this.epoch.set(scope.id, (this.epoch.get(scope.id) ?? 0) + 1);
  }

  protected add(e: Omit<Exec, 'id'>): Exec {
    const ex = { id: `${this.p}.${++this.n}`, ...e };
    this.x.set(ex.id, ex);
    return ex;
  }

  protected kids(id: string): Exec[] { return [...this.x.values()].filter((e) => e.p === id); }

  protected ancestors(e: Exec): string[] {
    const out: string[] = [];
    for (let p = e.p ? this.x.get(e.p) : undefined; p; p = p.p ? this.x.get(p.p) : undefined) out.push(p.id);
    return out;
  }

  protected iteration(e: Exec): Exec | undefined {
    for (let c: Exec | undefined = e; c; c = c.p ? this.x.get(c.p) : undefined) if (c.i !== undefined) return c;
    return undefined;
  }

  protected hist(kind: HistoryFact['kind'], e: Exec): void {
    const n = this.g.nodes[e.a];
    if (!n) return;
    this.history.push({ kind, activityId: n.id, activityType: typeName(n.type), activityName: n.name, executionId: e.id, at: new Date() });
  }

  /** Removes an execution with everything under it and every subscription they own (cancellation). */
  protected cancel(e: Exec): void {
    for (const k of this.kids(e.id)) this.cancel(k);
    for (const s of [...this.x.values()]) if (s.on === e.id && s.k === 'sub') this.x.delete(s.id);
    // A cancelled activity gets no 'activity-end' (as with bpmn-engine): it did not complete.
    this.x.delete(e.id);
  }

  protected disarm(e: Exec): void {
    for (const s of [...this.x.values()]) if (s.on === e.id && s.k === 'sub') this.x.delete(s.id);
  }

  // ------------------------------------------------------------------ expressions

  protected eval(expr: string, vars: Record<string, unknown>, where?: string): unknown {
    try {
      return evaluate(expr, vars);
    } catch (err) {
      const message = err instanceof ExpressionError ? err.message : String(err);
      const vi = err instanceof ExpressionError ? err.vi : message;
      throw new CommandError(`Cannot evaluate expression '${expr}'${where ? ` on '${where}'` : ''}: ${message}`,
        `Không tính được biểu thức '${expr}'${where ? ` tại “${this.g.nodes[where]?.name ?? where}”` : ''}: ${vi}`);
    }
  }

  /** Variables as seen from an execution: the instance's, plus its multi-instance iteration's. */
  protected varsAt(e: Exec): Record<string, unknown> {
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
  protected paramValue(v: ParamValue, e: Exec, where: string): unknown {
    if (v === null) return null;
    if ('text' in v) return hasExpression(v.text) ? this.eval(v.text, this.varsAt(e), where) : v.text;
    if ('list' in v) return v.list.map((x) => this.paramValue(x, e, where));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v.map)) out[k] = this.paramValue(x, e, where);
    return out;
  }

  /** Inputs: evaluated as the activity starts, they become its local variables (its own scope for a subprocess). */
  protected mapInputs(e: Exec, inputs: Param[]): void {
    const local: Record<string, unknown> = {};
    for (const p of inputs) local[p.name] = this.paramValue(p.value, e, e.a);
    e.v = { ...(e.v ?? {}), ...local };
  }

  /** Outputs: evaluated as the activity completes, written to the enclosing scope (or the instance). */
  protected mapOutputs(e: Exec, outputs: Param[]): void {
    const values = outputs.map((p) => [p.name, this.paramValue(p.value, e, e.a)] as const);
    const parent = e.p ? this.x.get(e.p) : undefined;
    for (const [name, value] of values) {
      if (parent && this.assignLocal(parent.id, name, value)) continue;
      this.vars[name] = value;
      this.writes[name] = value;
    }
  }

  protected miVars(body: Exec): Record<string, unknown> {
    return { nrOfInstances: body.mi!.n, nrOfCompletedInstances: body.mi!.done, nrOfActiveInstances: this.kids(body.id).length };
  }

  protected truth(expr: string, e: Exec, extra?: Record<string, unknown>): boolean {
    return Boolean(this.eval(expr, extra ? { ...this.varsAt(e), ...extra } : this.varsAt(e), e.a));
  }

  protected text(t: string | undefined, e: Exec): string | undefined {
    if (t === undefined || !hasExpression(t)) return t;
    const v = this.eval(t, this.varsAt(e), e.a);
    return v instanceof Date ? v.toISOString() : String(v);
  }

  // ------------------------------------------------------------------ nodes

  protected node(id: string): GNode {
    const n = this.g.nodes[id];
    if (!n) throw new CommandError(`Element '${id}' is not in this process`, `Quy trình không có phần tử “${id}”`);
    return n;
  }

  protected fail(message: string, code?: string): void {
    this.x.clear();
    this.ended = true;
    this.failure = message;
    this.failureCode = code;
  }

  // ------------------------------------------------------------------ the other layers' steps (flow.ts, gateways.ts, multi-instance.ts, events.ts, compensation.ts)

  protected abstract start(scope: Exec, n: GNode): void;
  protected abstract run(e: Exec): void;
  protected abstract complete(e: Exec): void;
  protected abstract leave(e: Exec): void;
  protected abstract checkScope(scope: Exec | undefined): void;
  protected abstract tryJoin(scope: Exec, n: GNode): boolean;
  protected abstract startMi(scope: Exec, n: GNode): void;
  protected abstract iterationDone(body: Exec, it: Exec): void;
  protected abstract subscribe(n: GNode, owner: Exec, scopeId: string): void;
  protected abstract subscribeEventStarts(scope: Exec, scopeId: string): void;
  protected abstract fireHeldConditions(owner: Exec): boolean;
  protected abstract conditionHolds(n: GNode, e: Exec): boolean;
  protected abstract arm(e: Exec, n: GNode): void;
  protected abstract park(e: Exec, which: 'b' | 'a'): void;
  protected abstract broadcast(name: string, skip?: string): void;
  protected abstract deliverSignal(name: string, skip?: string): void;
  protected abstract escalate(from: Exec, code: string): void;
  protected abstract escalateFrom(at: Exec, code: string): boolean;
  protected abstract throwError(from: Exec, code: string, message: string | undefined): void;
  protected abstract recordCompensation(e: Exec, n: GNode): void;
  protected abstract throwCompensation(e: Exec, n: GNode, scopeIn: Exec): void;
  protected abstract compStep(driverId: string): void;
  protected abstract cancelTransaction(tx: Exec): void;
}
