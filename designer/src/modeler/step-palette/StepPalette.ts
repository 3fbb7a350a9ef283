import type { StepTemplate } from '../../tthc/step-templates.js';

type Translate = (s: string) => string;
/** What the menu reads of the selected element: a flow (with waypoints), a step or a label. */
interface Selected { type: string; waypoints?: Array<{ x: number; y: number }>; x: number; y: number; width: number; height: number }

/**
 * The usual procedure steps, pre-filled with role, budget and form, offered by the searchable
 * "add step" menu (not the palette: eleven glyphs made it taller than a laptop's canvas).
 */
export default class StepPalette {
  static $inject = ['create', 'elementFactory', 'bpmnFactory', 'translate', 'selection', 'modeling', 'autoPlace', 'canvas'];

  constructor(
    private create: { start(event: Event, shape: unknown): void },
    private elementFactory: { createShape(attrs: Record<string, unknown>): unknown },
    private bpmnFactory: { create(type: string, attrs?: Record<string, unknown>): unknown },
    private translate: Translate,
    private selection: { get(): Selected[]; select(e: unknown): void },
    private modeling: { createShape(shape: unknown, position: { x: number; y: number }, target: unknown, hints?: Record<string, unknown>): unknown },
    private autoPlace: { append(source: unknown, shape: unknown): unknown },
    private canvas: { getRootElement(): unknown; viewbox(): { x: number; y: number; width: number; height: number } },
  ) {}

  /**
   * Mouse: the new step follows the pointer until dropped (on a flow it is inserted, with room made).
   * Keyboard: it goes onto the selected flow, after the selected step, or onto the selected step
   * (a reminder); with nothing selected, in the middle of the view.
   */
  insert(tpl: StepTemplate, event?: MouseEvent): unknown {
    const shape = this.createShape(tpl) as { width: number; height: number };
    if (event && event.detail > 0) {
      this.create.start(event, shape);
      return shape;
    }
    const sel = this.selection.get()[0];
    let created: unknown;
    if (sel?.waypoints && sel.type === 'bpmn:SequenceFlow') {
      const w = sel.waypoints;
      const a = w[0]!; const b = w[w.length - 1]!;
      created = this.modeling.createShape(shape, { x: (a.x + b.x) / 2, y: a.y }, sel);
    } else if (sel && !sel.waypoints && tpl.type === 'bpmn:IntermediateCatchEvent' && /Task$/.test(sel.type)) {
      created = this.modeling.createShape(shape, { x: sel.x + sel.width / 2, y: sel.y + sel.height }, sel, { attach: true });
    } else if (sel && !sel.waypoints && sel.type !== 'label' && sel.type !== 'bpmn:Participant') {
      created = this.autoPlace.append(sel, shape);
    } else {
      const vb = this.canvas.viewbox();
      created = this.modeling.createShape(shape, { x: vb.x + vb.width / 2, y: vb.y + vb.height / 2 }, this.canvas.getRootElement());
    }
    if (created) this.selection.select(created);
    return created;
  }

  createShape(tpl: StepTemplate): unknown {
    const attrs: Record<string, unknown> = { ...tpl.attrs, name: this.translate(tpl.name) };
    if (attrs['tthc:consultAgency'] === '') delete attrs['tthc:consultAgency'];
    const bo = this.bpmnFactory.create(tpl.type, attrs);
    if (tpl.type === 'bpmn:IntermediateCatchEvent') {
      return this.elementFactory.createShape({ type: tpl.type, businessObject: bo, eventDefinitionType: 'bpmn:TimerEventDefinition' });
    }
    return this.elementFactory.createShape({ type: tpl.type, businessObject: bo });
  }
}
