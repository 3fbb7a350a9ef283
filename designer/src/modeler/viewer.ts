import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer.js';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { moddleExtensions } from './extensions.js';
import type { Diff } from '../types.js';

export async function openViewer(container: HTMLElement, xml: string): Promise<any> {
  const viewer = new (NavigatedViewer as any)({ container, moddleExtensions } as any);
  await viewer.importXML(xml);
  (viewer.get('canvas') as any).zoom('fit-viewport', 'auto');
  return viewer;
}

/** Colours a diagram with the diff: added/changed on the new side, removed/changed on the old side. */
export function markDiff(viewer: any, diff: Diff, side: 'old' | 'new'): number {
  const canvas = viewer.get('canvas') as any;
  const registry = viewer.get('elementRegistry') as any;
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
