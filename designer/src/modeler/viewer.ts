import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer.js';
import OutlineModule from 'bpmn-js/lib/features/outline/index.js';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import type Canvas from 'diagram-js/lib/core/Canvas.js';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry.js';
import type EventBus from 'diagram-js/lib/core/EventBus.js';
import type Selection from 'diagram-js/lib/features/selection/Selection.js';
import { moddleExtensions } from './extensions.js';
import type { Diff } from '../types.js';

/** The services of a read-only diagram the review uses, typed by diagram-js's own declarations. */
interface ViewerServices { canvas: Canvas; elementRegistry: ElementRegistry; eventBus: EventBus; selection: Selection }
export type Viewer = NavigatedViewer<ViewerServices>;

/** Labels (12 px at zoom 1) stay about 8 px high. */
const MIN_ZOOM = 0.65;

export async function openViewer(container: HTMLElement, xml: string): Promise<Viewer> {
  // The outline shows the selection (a change clicked in the list); the bare viewer marks it invisibly.
  const viewer = new NavigatedViewer<ViewerServices>({ container, moddleExtensions, additionalModules: [OutlineModule] });
  await viewer.importXML(xml);
  const canvas = viewer.get('canvas');
  // 'auto' centres the diagram (diagram-js accepts it; its declaration names only a point).
  (canvas as unknown as { zoom(scale: 'fit-viewport', center: 'auto'): number }).zoom('fit-viewport', 'auto');
  // A long process fitted whole has unreadable labels: no smaller than MIN_ZOOM, from its start (pan for the rest).
  if (canvas.zoom() < MIN_ZOOM) {
    const vb = canvas.viewbox();
    const [w, hgt] = [vb.width * canvas.zoom() / MIN_ZOOM, vb.height * canvas.zoom() / MIN_ZOOM];
    canvas.viewbox({ x: vb.inner.x - 20, y: vb.inner.y + vb.inner.height / 2 - hgt / 2, width: w, height: hgt });
  }
  return viewer;
}

/** Whether the whole diagram is in view (a long process opens at a legible zoom from its start instead). */
export function showsWhole(viewer: Viewer): boolean {
  const vb = viewer.get('canvas').viewbox();
  return vb.inner.x >= vb.x - 1 && vb.inner.y >= vb.y - 1 && vb.inner.x + vb.inner.width <= vb.x + vb.width + 1 && vb.inner.y + vb.inner.height <= vb.y + vb.height + 1;
}

/** Colours a diagram with the diff: added/changed on the new side, removed/changed on the old side. */
export function markDiff(viewer: Viewer, diff: Diff, side: 'old' | 'new'): number {
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

/** One more marker (a change found step by step), once, if the diagram has the element. */
export function markElement(viewer: Viewer, id: string, cls: string): void {
  const canvas = viewer.get('canvas');
  if (viewer.get('elementRegistry').get(id) && !canvas.hasMarker(id, cls)) canvas.addMarker(id, cls);
}

type Box = { x: number; y: number; width: number; height: number };

/** Two viewers kept in step (syncViewboxes). */
export interface ViewSync {
  /**
   * Runs `move` with each view on its own (each scrolls to its own element), then keeps them in step
   * from where they are: a selection on one side does not carry the other diagram off its pane.
   */
  apart(move: () => void): void;
}

/**
 * Keeps two viewers in step while each shows its own diagram fitted (#16): each keeps the viewbox it
 * opened with (its diagram fitted, or its start at a legible zoom), and a zoom or scroll on one is
 * applied to the other relative to that home — the same zoom factor, the centre moved by the same
 * fraction of the home view — so before and after stay side by side even when one diagram is larger.
 */
export function syncViewboxes(a: Viewer, b: Viewer): ViewSync {
  const home = new Map<Viewer, Box>();
  for (const v of [a, b]) { const { x, y, width, height } = v.get('canvas').viewbox(); home.set(v, { x, y, width, height }); }
  let busy = false;
  const follow = (from: Viewer, to: Viewer) => from.get('eventBus').on('canvas.viewbox.changed', (e: { viewbox: Box }) => {
    if (busy) return;
    busy = true;
    try { to.get('canvas').viewbox(relativeBox(home.get(from)!, e.viewbox, home.get(to)!)); } finally { busy = false; }
  });
  follow(a, b);
  follow(b, a);
  return {
    apart(move) {
      busy = true;
      try { move(); } finally { busy = false; }
      // Each home keeps its size (the zoom factor stays shared) and moves to where its view now is.
      for (const v of [a, b]) {
        const h = home.get(v)!;
        const vb = v.get('canvas').viewbox();
        home.set(v, { x: vb.x + vb.width / 2 - h.width / 2, y: vb.y + vb.height / 2 - h.height / 2, width: h.width, height: h.height });
      }
    },
  };
}

/** `box` seen from `fromHome`, carried over to `toHome`: same zoom factor, centre shifted by the same fraction. */
function relativeBox(fromHome: Box, box: Box, toHome: Box): Box {
  const zoom = fromHome.width / box.width;
  const dx = (box.x + box.width / 2 - (fromHome.x + fromHome.width / 2)) / fromHome.width;
  const dy = (box.y + box.height / 2 - (fromHome.y + fromHome.height / 2)) / fromHome.height;
  const width = toHome.width / zoom;
  const height = toHome.height / zoom;
  const cx = toHome.x + toHome.width / 2 + dx * toHome.width;
  const cy = toHome.y + toHome.height / 2 + dy * toHome.height;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

/** Selects an element (if the diagram has it) and brings it into view. */
export function selectInViewer(viewer: Viewer, id: string): boolean {
  const el = viewer.get('elementRegistry').get(id);
  if (!el) { viewer.get('selection').select([]); return false; }
  viewer.get('selection').select(el);
  viewer.get('canvas').scrollToElement(el);
  return true;
}
