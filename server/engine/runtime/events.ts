import type { EventDef, GNode } from '../compile/graph.js';
import type { Exec } from './exec.js';
import { RunMultiInstance } from './multi-instance.js';
import { firstDue, nextDue } from './timers.js';
import { CommandError, named } from './types.js';

/** Events (BPMN 2.0 §10.5, §13.5): subscriptions, timers, conditions, triggers, boundary events, event subprocesses, signals, errors, escalations. */
export abstract class RunEvents extends RunMultiInstance {
  /** A waiting point for an event: `owner` is what it belongs to, `scopeId` where its token will run. */
  protected subscribe(n: GNode, owner: Exec, scopeId: string): void {
    const k = n.event?.kind;
    if (n.type === 'receiveTask' || k === 'message') { this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id, w: 'message' }); return; }
    if (k === 'signal') { this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id, w: 'signal' }); return; }
    if (k === 'timer') { this.arm(this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id }), n); return; }
    if (k === 'conditional') { this.add({ p: scopeId, a: n.id, k: 'sub', on: owner.id, w: 'conditional', c: false }); return; }
    // error and escalation handlers are found when thrown; none/link need no subscription.
  }

  /** The event definition an execution waits for (one of a multiple event's, by index). */
  protected evOf(e: Exec): EventDef | undefined {
    const ev = this.g.nodes[e.a]?.event;
    return e.d !== undefined ? ev?.all?.[e.d] : ev;
  }

  protected arm(e: Exec, n: GNode): void {
    const spec = this.evOf(e)?.timer ?? n.event!.timer!;
    const evaluated = { timeDate: this.text(spec.timeDate, e), timeDuration: this.text(spec.timeDuration, e), timeCycle: this.text(spec.timeCycle, e) };
    const due = firstDue(evaluated, new Date());
    if (!due) throw new CommandError(`Timer ${named(n).en}: cannot compute when it is due from ${JSON.stringify(evaluated)}`, `Hẹn giờ ${named(n).vi}: không tính được thời điểm đến hạn từ ${JSON.stringify(evaluated)}`);
    e.w = 'timer';
    e.due = due.at.toISOString();
    if (due.cycle) { e.cycle = due.cycle; e.left = due.left ?? null; }
  }

  /**
   * §10.5.4 conditional events: a condition that is already true when its subscription is made
   * (the activity entered, the scope opened) fires at once, as Camunda does. Returns whether
   * `owner` is still there afterwards.
   */
  protected fireHeldConditions(owner: Exec): boolean {
    for (const s of [...this.x.values()]) {
      if (this.x.get(owner.id) !== owner) return false;
      if (s.on !== owner.id || s.k !== 'sub' || s.w !== 'conditional' || s.c || this.x.get(s.id) !== s) continue;
      if (this.conditionHolds(this.node(s.a), s)) this.trigger(s);
    }
    return this.x.get(owner.id) === owner;
  }

  protected conditionHolds(n: GNode, e: Exec): boolean {
    try { return this.truth(n.event!.condition!, e); } catch { return false; }
  }

  /** An event arrived for a waiting execution. */
  protected trigger(e: Exec): void {
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
  protected park(e: Exec, which: 'b' | 'a'): void {
    if (which === 'b') e.jb = true; else e.ja = true;
    e.j = which;
    e.w = 'timer';
    e.due = new Date().toISOString();
  }

  /** A non-interrupting subscription stays: a cycle timer moves to its next run, or goes when spent. */
  protected repeat(e: Exec, n: GNode): void {
    if (e.w === 'conditional') { e.c = true; return; }
    if (e.w !== 'timer') return;
    this.x.delete(e.id);
    const next = e.cycle ? nextDue(e.cycle, new Date(e.due!), e.left) : null;
    if (next) this.add({ p: e.p, a: n.id, k: 'sub', on: e.on, w: 'timer', due: next.at.toISOString(), cycle: e.cycle, left: next.left ?? null });
  }

  protected startEventSub(scope: Exec, start: GNode, sub: Exec | null): void {
    if (start.interrupting !== false) this.clearScope(scope);
    else if (sub) this.repeat(sub, start);
    const inst = this.add({ p: scope.id, a: start.scope, k: 'scope' });
    this.hist('activity-start', inst);
    this.subscribeEventStarts(inst, start.scope);
    this.run(this.add({ p: inst.id, a: start.id, k: 'token' }));
  }

  /** `skip`: the subscriptions this execution owns do not get it (they had it already). */
  protected broadcast(name: string, skip?: string): void {
    this.thrown.push(name);
    // A branch of a split may throw before its sibling branch has reached the event that catches it (§10.5.4 broadcast).
    if (this.unplaced) { this.queued.push({ name, skip }); return; }
    this.deliverSignal(name, skip);
  }

  protected deliverSignal(name: string, skip?: string): void {
    for (const s of [...this.x.values()]) if (s.w === 'signal' && (skip === undefined || s.on !== skip) && this.evOf(s)?.name === name && this.x.get(s.id) === s) this.trigger(s);
  }

  /** §10.5.6 errors: the innermost handler (event subprocess, then boundary) going outwards; none = the instance fails. */
  protected throwError(from: Exec, code: string, message: string | undefined): void {
    const match = (c: string | undefined) => c === code;
    const handler = this.findHandler(from, 'error', match) ?? this.findHandler(from, 'error', (c) => c === undefined);
    if (!handler) { this.fail(`Unhandled BPMN error '${code}'${message ? `: ${message}` : ''}`, code); return; }
    this.handle(handler, true);
  }

  protected escalate(from: Exec, code: string): void {
    if (!this.escalateFrom(this.x.get(from.p!)!, code)) this.escalated.push(code);
  }

  /** §10.5.7: the innermost escalation handler from `at` outwards; none = the escalation goes to a calling process, if any. */
  protected escalateFrom(at: Exec, code: string): boolean {
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

  protected findHandler(from: Exec, kind: 'error' | 'escalation', match: (c: string | undefined) => boolean): { at: Exec; node: GNode } | null {
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

  protected handle(h: { at: Exec; node: GNode }, always: boolean): void {
    if (h.node.type === 'startEvent') { this.startEventSub(h.at, h.node, null); return; }
    const scope = this.x.get(h.at.p!)!;
    if (always || h.node.interrupting) this.cancel(h.at);
    this.run(this.add({ p: scope.id, a: h.node.id, k: 'token' }));
    this.checkScope(scope);
  }
}
