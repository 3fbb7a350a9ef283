import crypto from 'node:crypto';
import type { Graph } from '../compile/graph.js';
import type { Exec, NativeState } from './exec.js';

/** One thing an instance stored by bpmn-engine waits for, as its projection tables say. */
export interface WaitingItem { kind: string; executionId: string; activityId: string; dueAt?: Date | null }

/**
 * Converts the waiting state of an instance run by bpmn-engine into the native interpreter's state,
 * for the subset where that is exact: every running element is a user task, external task, receive
 * task or intermediate message/timer catch at the top level of the process (not multi-instance),
 * or a boundary event on one of them. The execution ids stay, so the task rows stay valid.
 * Anything else (subprocesses, joins half-reached, event-based gateways) returns the reason it cannot.
 */
export function convertWaitingState(g: Graph, running: Array<{ id: string }>, items: WaitingItem[]): NativeState | string {
  const state: NativeState = { v: 1, p: crypto.randomUUID(), n: 0, x: [] };
  const root: Exec = { id: `${state.p}.0`, p: null, a: g.processId, k: 'root' };
  state.x.push(root);
  const byActivity = new Map<string, Exec>();
  const WAIT: Record<string, Exec['w']> = { userTask: 'user', external: 'external', message: 'message', timer: 'timer' };
  const boundaries: WaitingItem[] = [];
  for (const i of items) {
    const n = g.nodes[i.activityId];
    if (!n) return `'${i.activityId}' is not in the new version`;
    if (n.scope !== g.processId) return `'${i.activityId}' waits inside a subprocess`;
    if (n.loop) return `'${i.activityId}' is a loop or multi-instance activity`;
    if (n.type === 'boundaryEvent') { boundaries.push(i); continue; }
    if (n.type === 'startEvent') return `'${i.activityId}' is a start event`;
    const e: Exec = { id: i.executionId, p: root.id, a: n.id, k: 'token', w: WAIT[i.kind] };
    if (i.kind === 'timer') e.due = (i.dueAt ?? new Date()).toISOString();
    byActivity.set(n.id, e);
    state.x.push(e);
  }
  for (const b of boundaries) {
    const n = g.nodes[b.activityId]!;
    const host = byActivity.get(n.attachedTo ?? '');
    if (!host) return `boundary event '${b.activityId}' waits on an activity that does not`;
    const sub: Exec = { id: b.executionId, p: root.id, a: n.id, k: 'sub', on: host.id, w: WAIT[b.kind] };
    if (b.kind === 'timer') sub.due = (b.dueAt ?? new Date()).toISOString();
    state.x.push(sub);
  }
  for (const r of running) {
    const n = g.nodes[r.id];
    if (!n) return `'${r.id}' is not in the new version`;
    if (!byActivity.has(r.id) && !boundaries.some((b) => b.activityId === r.id)) return `'${r.id}' is running but waits for nothing the tables know (a join, gateway or subprocess)`;
  }
  // Every boundary event of a waiting activity must be armed in the new state too.
  for (const [, host] of byActivity) {
    for (const b of g.nodes[host.a]!.boundary) {
      const k = g.nodes[b]!.event?.kind;
      if ((k === 'timer' || k === 'message' || k === 'signal' || k === 'conditional') && !state.x.some((s) => s.a === b && s.on === host.id)) {
        return `boundary event '${b}' of '${host.a}' has no subscription to carry over`;
      }
    }
  }
  return state;
}
