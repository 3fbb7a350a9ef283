import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer.js';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { moddleExtensions } from './extensions.js';
import type { Diff } from '../types.js';

export async function openViewer(container: HTMLElement, xml: string): Promise<any> {
  const viewer = new (NavigatedViewer as any)({ container, moddleExtensions } as any);
  await viewer.importXML(xml);
  (viewer.get('canvas')).zoom('fit-viewport', 'auto');
  return viewer;
}

/** Colours a diagram with the diff: added/changed on the new side, removed/changed on the old side. */
export function markDiff(viewer: any, diff: Diff, side: 'old' | 'new'): number {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  let marked = 0;
  const mark = (list: Diff['added'], cls: string) => {
    for (const c of list) if (registry.get(c.id)) { canvas.addMarker(c.id, cls); marked++; }
  };
  if (side === 'new') mark(diff.added, 'diff-added');
  else mark(diff.removed, 'diff-removed');
  mark(diff.changed, 'diff-changed');
  mark(diff.layoutChanged ?? [], 'diff-layout');
  return marked;
}

/** Keeps two viewers on the same part of the diagram: zoom or scroll one, the other follows. */
export function syncViewboxes(a: any, b: any): void {
  let busy = false;
  const follow = (from: any, to: any) => from.get('eventBus').on('canvas.viewbox.changed', (e: { viewbox: { x: number; y: number; width: number; height: number } }) => {
    if (busy) return;
    busy = true;
    try { to.get('canvas').viewbox({ x: e.viewbox.x, y: e.viewbox.y, width: e.viewbox.width, height: e.viewbox.height }); } finally { busy = false; }
  });
  follow(a, b);
  follow(b, a);
  b.get('canvas').viewbox(a.get('canvas').viewbox());
}

/** Selects an element (if the diagram has it) and brings it into view. */
export function selectInViewer(viewer: any, id: string): boolean {
  const el = viewer.get('elementRegistry').get(id);
  if (!el) { viewer.get('selection').select(null); return false; }
  viewer.get('selection').select(el);
  viewer.get('canvas').scrollToElement(el);
  return true;
}
