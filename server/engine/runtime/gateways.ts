import type { GNode } from '../compile/graph.js';
import type { Exec } from './exec.js';
import { RunTree } from './tree.js';
import { CommandError, named } from './types.js';

/** Gateways (BPMN 2.0 §13.3): joins (parallel, inclusive with the upstream-token rule, complex) and which outgoing flows a node takes. */
export abstract class RunGateways extends RunTree {
  /** §13.3.2 parallel join: one token on every incoming flow. §13.3.3 inclusive join: no token upstream. */
  protected tryJoin(scope: Exec, n: GNode): boolean {
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
  protected tryComplex(scope: Exec, n: GNode): boolean {
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
  protected upstream(scope: Exec, join: GNode): boolean {
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

  protected towardCache = new Map<string, string[]>();
  /** The join's incoming flows a token at `from` can reach without passing through the join. */
  protected flowsToward(from: string, joinId: string): string[] {
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

  /** Which outgoing flows a completed node takes (§13.3 gateways, §13.2.1 conditional flows of activities). */
  protected select(n: GNode, e: Exec): string[] {
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
    if (!taken.length && n.out.length) {
      const g = named(n);
      throw new CommandError(`No outgoing sequence flow of ${g.en} applies: none of their conditions holds and there is no default flow`,
        `Không nhánh nào đi ra từ ${g.vi} được chọn: không điều kiện nào đúng và không có nhánh mặc định`);
    }
    return taken;
  }
}
