import { positiveBudgetHours } from './budget.js';
import { isType, type ModdleElement } from './moddle.js';

interface Graph {
  nodes: ModdleElement[];
  out: Map<string, string[]>;
  incoming: Map<string, number>;
}

function flowNodesOf(container: ModdleElement): ModdleElement[] {
  return ((container.flowElements as ModdleElement[] | undefined) ?? []).filter((e) => isType(e, 'bpmn:FlowNode'));
}

/** `tthc:countsTowardLimit="false"` (e.g. returning the result) keeps a step off the statutory clock. */
export function isUncounted(el: ModdleElement): boolean {
  return String(el.get('tthc:countsTowardLimit') ?? '').trim().toLowerCase() === 'false';
}

/** Hours a step counts toward the statutory limit (0 for events, gateways and uncounted steps). */
function stepHours(el: ModdleElement): number {
  if (!isType(el, 'bpmn:Activity')) return 0;
  if (isUncounted(el)) return 0;
  return positiveBudgetHours(el.get('tthc:budget') as string | undefined) ?? 0;
}

function buildGraph(container: ModdleElement): Graph {
  const nodes = flowNodesOf(container).filter((n) => !(isType(n, 'bpmn:SubProcess') && n.triggeredByEvent));
  const ids = new Set(nodes.map((n) => n.id!));
  const out = new Map<string, string[]>();
  const incoming = new Map<string, number>();
  const add = (from: string, to: string) => {
    if (!ids.has(from) || !ids.has(to)) return;
    out.set(from, [...(out.get(from) ?? []), to]);
    incoming.set(to, (incoming.get(to) ?? 0) + 1);
  };
  for (const e of (container.flowElements as ModdleElement[] | undefined) ?? []) {
    if (isType(e, 'bpmn:SequenceFlow')) {
      add((e.sourceRef as ModdleElement | undefined)?.id ?? '', (e.targetRef as ModdleElement | undefined)?.id ?? '');
    }
  }
  // A boundary event continues the path of the activity it is attached to.
  for (const n of nodes) {
    if (isType(n, 'bpmn:BoundaryEvent')) add((n.attachedToRef as ModdleElement | undefined)?.id ?? '', n.id!);
  }
  return { nodes, out, incoming };
}

/**
 * The heaviest start-to-end path of a process, in working hours. Loops (a supplement
 * returning to reception) are cut at their back edge: the clock is paused while the
 * citizen supplements, so a loop never adds to the statutory time.
 */
export function longestPath(container: ModdleElement): { totalHours: number; elementIds: string[] } {
  const g = buildGraph(container);
  const byId = new Map(g.nodes.map((n) => [n.id!, n]));
  const starts = g.nodes.filter((n) => isType(n, 'bpmn:StartEvent') || !(g.incoming.get(n.id!) ?? 0));

  // Drop back edges found by an iterative DFS so the rest is a DAG.
  const state = new Map<string, 1 | 2>();
  const dag = new Map<string, string[]>();
  for (const s of starts) {
    if (state.has(s.id!)) continue;
    const stack: Array<{ id: string; i: number }> = [{ id: s.id!, i: 0 }];
    state.set(s.id!, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const next = g.out.get(top.id) ?? [];
      if (top.i >= next.length) { state.set(top.id, 2); stack.pop(); continue; }
      const to = next[top.i++]!;
      if (state.get(to) === 1) continue; // back edge
      dag.set(top.id, [...(dag.get(top.id) ?? []), to]);
      if (!state.has(to)) { state.set(to, 1); stack.push({ id: to, i: 0 }); }
    }
  }

  const best = new Map<string, { hours: number; next?: string }>();
  const order: string[] = [];
  const seen = new Set<string>();
  // Post-order over the DAG, then relax from the sinks upward.
  for (const s of starts) {
    if (seen.has(s.id!)) continue;
    const stack: Array<{ id: string; i: number }> = [{ id: s.id!, i: 0 }];
    seen.add(s.id!);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const next = dag.get(top.id) ?? [];
      if (top.i >= next.length) { order.push(top.id); stack.pop(); continue; }
      const to = next[top.i++]!;
      if (!seen.has(to)) { seen.add(to); stack.push({ id: to, i: 0 }); }
    }
  }
  for (const id of order) {
    let b: { hours: number; next?: string } = { hours: -1 };
    for (const to of dag.get(id) ?? []) {
      const h = best.get(to)?.hours ?? 0;
      if (h > b.hours) b = { hours: h, next: to };
    }
    best.set(id, { hours: stepHours(byId.get(id)!) + Math.max(0, b.hours), next: b.next });
  }
  let start: string | undefined;
  for (const s of starts) if (start === undefined || best.get(s.id!)!.hours > best.get(start)!.hours) start = s.id!;
  const elementIds: string[] = [];
  for (let id = start; id !== undefined; id = best.get(id)?.next) elementIds.push(id);
  return { totalHours: start ? round(best.get(start)!.hours) : 0, elementIds };
}

const round = (h: number) => Math.round(h * 1000) / 1000;
