import { budgetHours } from '../../../server/calendar/budget.js';
import { isType, readStep, type ModdleElement } from './model.js';

/**
 * The main flow of a process: nodes reached from its start events along sequence flows, in an
 * order that respects the flows (loops such as "request supplement → receive again" are cut at
 * their back edge). Paths leaving boundary events (reminders, escalations) are side paths and are
 * not part of the step table or of the statutory budget.
 */
export interface MainFlow {
  order: ModdleElement[];
  preds: Map<string, string[]>;
}

export function mainFlow(container: ModdleElement): MainFlow {
  const all = (container.flowElements ?? []) as ModdleElement[];
  const nodes = all.filter((e) => !isType(e, 'bpmn:SequenceFlow'));
  const byId = new Map(nodes.map((n) => [n.id!, n]));
  // Edges come from the flows' source/target refs: <incoming>/<outgoing> are optional in BPMN XML.
  const out = new Map<string, string[]>();
  const hasIncoming = new Set<string>();
  for (const f of all) {
    if (!isType(f, 'bpmn:SequenceFlow')) continue;
    const s = (f.sourceRef as ModdleElement | undefined)?.id;
    const t = (f.targetRef as ModdleElement | undefined)?.id;
    if (!s || !t || !byId.has(s) || !byId.has(t)) continue;
    (out.get(s) ?? out.set(s, []).get(s)!).push(t);
    hasIncoming.add(t);
  }
  const succ = (n: ModdleElement): string[] => [...(out.get(n.id!) ?? [])];
  let starts = nodes.filter((n) => isType(n, 'bpmn:StartEvent'));
  if (!starts.length) starts = nodes.filter((n) => !hasIncoming.has(n.id!) && !isType(n, 'bpmn:BoundaryEvent'));

  const state = new Map<string, 1 | 2>(); // 1 = on the DFS stack, 2 = done
  const post: ModdleElement[] = [];
  const preds = new Map<string, string[]>();
  // Iterative DFS: large diagrams must not blow the stack.
  for (const s of starts) {
    if (state.has(s.id!)) continue;
    const stack: Array<{ node: ModdleElement; next: string[] }> = [{ node: s, next: succ(s) }];
    state.set(s.id!, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const id = top.next.shift();
      if (id === undefined) {
        state.set(top.node.id!, 2);
        post.push(top.node);
        stack.pop();
        continue;
      }
      if (state.get(id) === 1) continue; // back edge: a loop
      (preds.get(id) ?? preds.set(id, []).get(id)!).push(top.node.id!);
      if (!state.has(id)) {
        const node = byId.get(id)!;
        state.set(id, 1);
        stack.push({ node, next: succ(node) });
      }
    }
  }
  // Kahn's order over the loop-free edges, breadth first: parallel and alternative steps are listed
  // right after the step that leads to them, as in a decision's step table.
  const reached = post.reverse();
  const indeg = new Map(reached.map((n) => [n.id!, (preds.get(n.id!) ?? []).length]));
  const succs = new Map<string, string[]>();
  for (const [to, from] of preds) for (const f of from) (succs.get(f) ?? succs.set(f, []).get(f)!).push(to);
  const queue = reached.filter((n) => indeg.get(n.id!) === 0);
  const order: ModdleElement[] = [];
  while (queue.length) {
    const n = queue.shift()!;
    order.push(n);
    for (const s of succs.get(n.id!) ?? []) {
      const d = indeg.get(s)! - 1;
      indeg.set(s, d);
      if (d === 0) queue.push(byId.get(s)!);
    }
  }
  return { order, preds };
}

export function isStep(n: ModdleElement): boolean {
  return isType(n, 'bpmn:Activity');
}

/** Hours the element consumes from the statutory limit (0 when excluded or without a budget). */
function countedHours(n: ModdleElement): number {
  if (!isStep(n)) return 0;
  const s = readStep(n);
  if (!s.countsTowardLimit) return 0;
  return budgetHours(s.budget) ?? 0;
}

export interface LongestPath {
  totalHours: number;
  elementIds: string[];
}

function longestPath(container: ModdleElement): LongestPath {
  const { order, preds } = mainFlow(container);
  const best = new Map<string, { hours: number; via?: string }>();
  for (const n of order) {
    let hours = 0;
    let via: string | undefined;
    for (const p of preds.get(n.id!) ?? []) {
      const b = best.get(p);
      if (b && (via === undefined || b.hours > hours)) { hours = b.hours; via = p; }
    }
    best.set(n.id!, { hours: hours + countedHours(n), via });
  }
  let endId: string | undefined;
  let total = 0;
  // Ties go to the later node, so the path runs on to its end event.
  for (const [id, b] of best) if (endId === undefined || b.hours >= total) { endId = id; total = b.hours; }
  const ids: string[] = [];
  for (let id = endId; id; id = best.get(id)?.via) ids.unshift(id);
  return { totalHours: total, elementIds: ids };
}

/** The processes of a definitions element (a collaboration's pools included). */
export function processesOf(definitions: ModdleElement): ModdleElement[] {
  return ((definitions.rootElements ?? []) as ModdleElement[]).filter((e) => isType(e, 'bpmn:Process'));
}

/** Longest path over all processes of the diagram (the pool that takes longest). */
export function longestPathOf(definitions: ModdleElement): LongestPath {
  let best: LongestPath = { totalHours: 0, elementIds: [] };
  for (const p of processesOf(definitions)) {
    const lp = longestPath(p);
    if (lp.totalHours > best.totalHours || !best.elementIds.length) best = lp;
  }
  return best;
}
