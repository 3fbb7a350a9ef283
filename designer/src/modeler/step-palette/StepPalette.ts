import { STEP_TEMPLATES, type StepTemplate } from '../../tthc/step-templates.js';

type Translate = (s: string) => string;

/** Palette entries for the usual procedure steps, pre-filled with role, budget and form. */
export default class StepPalette {
  static $inject = ['palette', 'create', 'elementFactory', 'bpmnFactory', 'translate'];

  constructor(
    palette: { registerProvider(p: unknown): void },
    private create: { start(event: Event, shape: unknown): void },
    private elementFactory: { createShape(attrs: Record<string, unknown>): unknown },
    private bpmnFactory: { create(type: string, attrs?: Record<string, unknown>): any },
    private translate: Translate,
  ) {
    palette.registerProvider(this);
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

  getPaletteEntries(): Record<string, unknown> {
    const entries: Record<string, unknown> = {
      'tthc-separator': { group: 'tthc', separator: true },
    };
    for (const tpl of STEP_TEMPLATES) {
      const start = (event: Event) => this.create.start(event, this.createShape(tpl));
      entries[`tthc-${tpl.id}`] = {
        group: 'tthc',
        className: `${tpl.icon} tthc-palette tthc-palette-${tpl.id}`,
        title: this.translate(tpl.label),
        action: { click: start, dragstart: start },
      };
    }
    return entries;
  }
}
