import type { GNode } from '../compile/graph.js';
import { MAX_STEPS, type Exec } from './exec.js';
import { RunGateways } from './gateways.js';
import { CommandError } from './types.js';

/** Tokens and activities (BPMN 2.0 §13.2): entering a node, its behaviour, completing it, leaving by its flows, scopes completing. */
export abstract class RunFlow extends RunGateways {
  protected take(scope: Exec, flowId: string): void {
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

  protected start(scope: Exec, n: GNode): void {
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
  protected run(e: Exec): void {
    if (++this.steps > MAX_STEPS) throw new CommandError(`The process runs more than ${MAX_STEPS} steps without waiting (an endless loop without a wait state?)`, `Quy trình chạy quá ${MAX_STEPS} bước mà không dừng chờ (một vòng lặp không có bước chờ?)`);
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

  protected openScope(scope: Exec, scopeId: string): void {
    this.subscribeEventStarts(scope, scopeId);
    const ep = this.epoch.get(scope.id) ?? 0;
    // A conditional event subprocess whose condition holds as the scope opens starts at once; an interrupting one replaces the scope's start.
    if (!this.fireHeldConditions(scope) || (this.epoch.get(scope.id) ?? 0) !== ep) { this.checkScope(scope); return; }
    const starts = this.g.scopes[scopeId]?.starts ?? [];
    this.fanOut(scope, starts.map((s) => () => this.run(this.add({ p: scope.id, a: s, k: 'token' }))));
  }

  protected subscribeEventStarts(scope: Exec, scopeId: string): void {
    for (const s of this.g.scopes[scopeId]?.eventStarts ?? []) this.subscribe(this.node(s), scope, scope.id);
  }

  protected catchAt(e: Exec, n: GNode): void {
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

  protected throwAt(e: Exec, n: GNode): void {
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
  protected complete(e: Exec): void {
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

  protected leave(e: Exec): void {
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

  /** Starts the ad-hoc subprocess's next activity (sequential) or all of them (parallel); false when none is left. */
  protected nextAdHoc(scope: Exec, n: GNode): boolean {
    const order = n.adhoc!.order;
    const from = scope.ah ?? 0;
    const upto = n.adhoc!.sequential ? Math.min(from + 1, order.length) : order.length;
    if (from >= upto) { this.checkScope(scope); return false; }
    scope.ah = upto;
    this.fanOut(scope, order.slice(from, upto).map((id) => () => this.start(scope, this.node(id))));
    return true;
  }

  /** A scope with no token left completes (§13.2.2 "the subprocess completes when no token remains"). */
  protected checkScope(scope: Exec | undefined): void {
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
}
