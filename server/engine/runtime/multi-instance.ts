import type { GNode } from '../compile/graph.js';
import { hasExpression } from '../expression.js';
import type { Exec } from './exec.js';
import { RunFlow } from './flow.js';
import { CommandError } from './types.js';

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
    const early = n.loop!.completion ? Boolean(this.eval(n.loop!.completion, vars, n.id)) : false;
    if (early || body.mi!.done >= body.mi!.n) {
      for (const k of this.kids(body.id)) this.cancel(k);
      this.disarm(body);
      this.leave(body);
      return;
    }
    if (n.loop!.sequential) this.nextIteration(body, n);
  }
}
