import type { GNode } from '../compile/graph.js';
import { hasExpression } from '../expression.js';
import type { Exec } from './exec.js';
import { RunFlow } from './flow.js';
import { CommandError, named } from './types.js';

/** Multi-instance activities (BPMN 2.0 §13.2.7): the body, its iterations, the completion condition. */
export abstract class RunMultiInstance extends RunFlow {
  protected startMi(scope: Exec, n: GNode): void {
    const L = n.loop!;
    const body = this.add({ p: scope.id, a: n.id, k: 'mi' });
    for (const b of n.boundary) this.subscribe(this.node(b), body, scope.id);
    let items: unknown[] | undefined;
    let count: number;
    if (L.collection) {
      const c = hasExpression(L.collection) ? this.eval(L.collection, this.varsAt(body), n.id) : this.vars[L.collection];
      if (!Array.isArray(c)) throw new CommandError(`Multi-instance ${named(n).en}: collection ${L.collection} is not a list`, `Bước lặp ${named(n).vi}: tập ${L.collection} không phải một danh sách`);
      items = c;
      count = c.length;
    } else {
      count = Number(L.cardinality === undefined ? NaN : this.eval(L.cardinality.includes('{') ? L.cardinality : `\${${L.cardinality}}`, this.varsAt(body), n.id));
      if (!Number.isInteger(count) || count < 0) throw new CommandError(`Multi-instance ${named(n).en}: loopCardinality is not a whole number ≥ 0`, `Bước lặp ${named(n).vi}: số lần lặp (loopCardinality) không phải số nguyên ≥ 0`);
    }
    body.mi = { n: count, done: 0, next: 0, items };
    if (!count) { this.disarm(body); this.leave(body); return; }
    // An iteration that completes at once may meet the completion condition: the body is gone then.
    for (let k = 0; k < (L.sequential ? 1 : count) && this.x.get(body.id) === body; k++) this.nextIteration(body, n);
  }

  protected nextIteration(body: Exec, n: GNode): void {
    const i = body.mi!.next++;
    this.run(this.add({ p: body.id, a: n.id, k: 'token', i, item: body.mi!.items?.[i] }));
  }

  protected iterationDone(body: Exec, it: Exec): void {
    const n = this.node(body.a);
    const vars = { ...this.varsAt(it) };
    this.x.delete(it.id);
    body.mi!.done++;
    Object.assign(vars, this.miVars(body));
    const held = this.behaviorThrows(body, n, vars);
    // What the completion threw may have ended the activity (an escalation handled outside it, a terminate).
    if (this.x.get(body.id) !== body) return;
    const early = held || (n.loop!.completion ? Boolean(this.eval(n.loop!.completion, vars, n.id)) : false);
    if (early || body.mi!.done >= body.mi!.n) {
      for (const k of this.kids(body.id)) this.cancel(k);
      this.disarm(body);
      this.leave(body);
      return;
    }
    if (n.loop!.sequential) this.nextIteration(body, n);
  }

  /**
   * §13.2.7 / §10.2.8 behavior, as an instance completes: None throws its event every time, One at
   * the first completion, Complex each definition whose condition holds (with nrOfInstances,
   * nrOfCompletedInstances, nrOfActiveInstances) — and such a condition "cancels the remaining
   * Activity instances and produces a token" (Table 10.29), so the activity then completes.
   * The events are thrown from the activity: its own boundary event of that signal or escalation
   * starts its path without cancelling the activity (the events report instances completing; the
   * activity still produces its token — as the outside conformance suite betsy expects); a signal is
   * also broadcast, an escalation no boundary event of the activity catches goes outwards. Returns
   * whether a Complex condition held.
   */
  protected behaviorThrows(body: Exec, n: GNode, vars: Record<string, unknown>): boolean {
    const L = n.loop!;
    if (!L.throws?.length || (L.behavior === 'One' && body.mi!.done !== 1)) return false;
    let held = false;
    for (const t of L.throws) {
      if (this.x.get(body.id) !== body) return held;
      if (t.condition) {
        if (!this.eval(t.condition, vars, n.id)) continue;
        held = true;
      }
      const ev = t.event;
      const own = n.boundary.map((b) => this.node(b)).find((b) => b.event?.kind === ev.kind
        && (ev.kind === 'signal' ? b.event.name === ev.name : b.event.code === undefined || b.event.code === ev.code));
      if (own) this.run(this.add({ p: body.p, a: own.id, k: 'token' }));
      if (ev.kind === 'signal') this.broadcast(ev.name!, body.id);
      else if (!own && !this.escalateFrom(this.x.get(body.p!)!, ev.code ?? '')) this.escalated.push(ev.code ?? '');
    }
    return held;
  }
}
