import type { GNode } from '../compile/graph.js';
import type { Exec } from './exec.js';
import { RunEvents } from './events.js';

/** Compensation (BPMN 2.0 §10.5.5) and transaction subprocesses with cancel (§10.2.2). */
export abstract class RunCompensation extends RunEvents {
  /** The scope a completed activity is compensable in: the nearest root, (re-opened) subprocess or transaction. */
  protected compHome(e: Exec): Exec | undefined {
    for (let c = e.p ? this.x.get(e.p) : undefined; c; c = c.p ? this.x.get(c.p) : undefined) if (c.k === 'root' || c.k === 'scope') return c;
    return undefined;
  }

  /**
   * An activity completed: it stays compensable if it has a compensation handler, or is a
   * subprocess with a compensation event subprocess or compensable activities inside (their records
   * move under its own, with its local variables, for its default compensation).
   */
  protected recordCompensation(e: Exec, n: GNode): void {
    const inner = e.k === 'scope' ? this.kids(e.id).filter((k) => k.k === 'comp') : [];
    const home = this.compHome(e);
    if (home && (n.compHandler || n.compStart || inner.length)) {
      const r = this.add({ p: home.id, a: n.id, k: 'comp' });
      if (e.v) r.v = { ...e.v };
      for (const c of inner) c.p = r.id;
    } else for (const c of inner) this.cancel(c);
  }

  /** Compensable records of a scope, latest first (§10.5.5: reverse order of completion). */
  protected compRecords(scope: Exec, activityRef?: string): string[] {
    const seq = (id: string) => Number(id.slice(id.lastIndexOf('.') + 1));
    return this.kids(scope.id).filter((k) => k.k === 'comp' && (!activityRef || k.a === activityRef)).map((k) => k.id).sort((a, b) => seq(b) - seq(a));
  }

  /**
   * §10.5.5 a compensation throw event: the completed activities of its scope (or the one named by
   * activityRef) are compensated, latest first; with waitForCompletion (the default) the event
   * completes when every handler has, else at once. Inside a compensation event subprocess, the
   * scope is the subprocess being compensated.
   */
  protected throwCompensation(e: Exec, n: GNode, scopeIn: Exec): void {
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
  protected compStep(driverId: string): void {
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
  protected compensate(rec: Exec, d: Exec): boolean {
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
  protected cancelTransaction(tx: Exec): void {
    for (const c of this.kids(tx.id)) if (c.k !== 'comp') this.cancel(c);
    this.epoch.set(tx.id, (this.epoch.get(tx.id) ?? 0) + 1);
    tx.tx = true;
    tx.q = this.compRecords(tx);
    this.compStep(tx.id);
  }

  protected cancelled(tx: Exec): void {
    const scope = tx.p ? this.x.get(tx.p) : undefined;
    const b = this.node(tx.a).boundary.map((id) => this.node(id)).find((x) => x.event?.kind === 'cancel');
    this.cancel(tx);
    if (!scope) return;
    if (b) this.run(this.add({ p: scope.id, a: b.id, k: 'token' }));
    this.checkScope(scope);
  }
}
