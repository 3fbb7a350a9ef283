import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor.js';
import type EventBus from 'diagram-js/lib/core/EventBus.js';
import type { Element } from 'diagram-js/lib/model/Types.js';
import { selfAndAllChildren } from 'diagram-js/lib/util/Elements.js';

interface Bounds { x: number; y: number; width: number; height: number }
interface Flow { source: Bounds; target: Bounds; waypoints: Array<{ x: number; y: number }> }

/** Space kept on each side of an inserted step. */
const INSERT_GAP = 40;

/**
 * A step dropped onto a flow gets room: everything right of the flow's source moves right by what
 * is missing, so the new step never overlaps its neighbours (no space tool, no dragging). Runs after
 * bpmn-js' DropOnFlowBehavior has recognised the flow, in the same command (one undo).
 */
/** What the behaviour uses of diagram-js' space tool, canvas and modeling. */
interface SpaceTool { calculateAdjustments(elements: Element[], axis: 'x' | 'y', delta: number, start: number): { movingShapes: unknown[]; resizingShapes: unknown[] } }
interface Canvas { getRootElement(): Element }
interface Modeling { createSpace(moving: unknown[], resizing: unknown[], delta: { x: number; y: number }, direction: string, start: number): void }

export default class MakeRoomBehavior extends CommandInterceptor {
  static override $inject = ['eventBus', 'spaceTool', 'canvas', 'modeling'];

  constructor(eventBus: EventBus, spaceTool: SpaceTool, canvas: Canvas, modeling: Modeling) {
    super(eventBus);
    this.preExecute('shape.create', 500, (context: { targetFlow?: Flow; shape: Bounds; position: { x: number; y: number; width?: number; height?: number } }) => {
      const flow = context.targetFlow;
      if (!flow?.source || !flow.target) return;
      const src = flow.source;
      const tgt = flow.target;
      const srcRight = src.x + src.width;
      if (tgt.x <= srcRight) return; // a loop back or a vertical flow: leave it to the user
      const need = context.shape.width + 2 * INSERT_GAP - (tgt.x - srcRight);
      if (need > 0) {
        const start = srcRight + 1;
        const root = canvas.getRootElement();
        const { movingShapes, resizingShapes } = spaceTool.calculateAdjustments([...selfAndAllChildren(root)], 'x', need, start);
        modeling.createSpace(movingShapes, resizingShapes, { x: need, y: 0 }, 'e', start);
      }
      // Centre the new step in the gap, on the flow's line where it leaves the source.
      // (A palette drop passes bounds, a programmatic create a centre point.)
      const out = flow.waypoints[0];
      const { width, height } = context.shape;
      const cy = out ? out.y : (context.position.height !== undefined ? context.position.y + context.position.height / 2 : context.position.y);
      context.position = context.position.width !== undefined
        ? { x: srcRight + INSERT_GAP, y: cy - height / 2, width, height }
        : { x: srcRight + INSERT_GAP + width / 2, y: cy };
    }, true);
  }
}
