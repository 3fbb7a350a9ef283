import { openViewer } from '../modeler/viewer.js';

/** Where a dossier stands on its process: activity ids finished, waiting now, overdue, and the sequence taken. */
export interface ProcessPath { finished: string[]; current: string[]; overdue: string[]; taken: string[] }

/**
 * The read-only process diagram of a dossier, as Camunda Cockpit shows an instance: finished
 * steps green, the current step blue, overdue steps red, and the sequence flows taken drawn bold.
 * Shared with the reception section's dossier page (import it from here).
 */
export async function processView(container: HTMLElement, xml: string, path: ProcessPath): Promise<void> {
  const viewer = await openViewer(container, xml);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const has = (id: string) => !!registry.get(id);
  for (const id of path.finished) if (has(id)) canvas.addMarker(id, 'tthc-done');
  for (const id of path.current) if (has(id)) canvas.addMarker(id, 'tthc-current');
  for (const id of path.overdue) if (has(id)) canvas.addMarker(id, 'tthc-overdue');
  // A flow is on the path taken when both its ends were reached, one right after the other.
  const pairs = new Set<string>();
  for (let i = 1; i < path.taken.length; i++) pairs.add(`${path.taken[i - 1]}>${path.taken[i]}`);
  for (const el of registry.filter((e) => (e as { type?: string }).type === 'bpmn:SequenceFlow')) {
    const flow = (el as { businessObject: { sourceRef?: { id: string }; targetRef?: { id: string } } }).businessObject;
    const s = flow.sourceRef?.id;
    const t = flow.targetRef?.id;
    if (pairs.has(`${s}>${t}`)) canvas.addMarker(el.id, 'tthc-taken');
  }
  // A figure, not an img: bpmn-js makes its canvas focusable (keyboard panning), and an img's children must not be.
  container.setAttribute('role', 'figure');
}
