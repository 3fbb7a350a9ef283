import type BpmnFactory from 'bpmn-js/lib/features/modeling/BpmnFactory.js';
import type Modeling from 'bpmn-js/lib/features/modeling/Modeling.js';
import type { Parent, Shape } from 'bpmn-js/lib/model/Types.js';
import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor.js';
import type EventBus from 'diagram-js/lib/core/EventBus.js';
import { REMIND_TOPIC } from '../../tthc/step-templates.js';

type Translate = (s: string) => string;

/**
 * A "remind 1 working day before due" timer attached to a step gets its reminder worker
 * (external task `tthc.remind-before-due`) appended in the same command, so one undo removes both.
 */
export default class ReminderBehavior extends CommandInterceptor {
  static override $inject = ['eventBus', 'modeling', 'bpmnFactory', 'translate'];

  constructor(eventBus: EventBus, modeling: Modeling, bpmnFactory: BpmnFactory, translate: Translate) {
    super(eventBus);
    // After bpmn-js' AttachEventBehavior (priority 500) has turned the dropped timer into a boundary event.
    this.postExecuted('elements.create', 250, (context: { elements?: Shape[] }) => {
      for (const shape of context.elements ?? []) {
        const bo = shape?.businessObject;
        if (!bo || bo.$type !== 'bpmn:BoundaryEvent' || !bo.get('tthc:beforeDue') || !shape.host) continue;
        if ((bo.outgoing ?? []).length) continue;
        // A reminder must not cancel the step it watches.
        if (bo.cancelActivity !== false) modeling.updateProperties(shape, { cancelActivity: false });
        const worker = bpmnFactory.create('bpmn:ServiceTask', {
          name: translate('stepName.remindWorker'), 'camunda:type': 'external', 'camunda:topic': REMIND_TOPIC,
          'tthc:countsTowardLimit': 'false',
        });
        // Below the step (or above it when the timer sits on its top edge), clear of the main flow; in the timer's
        // parent (appendShape's default target, which bpmn-js' types make explicit).
        const host = shape.host;
        const below = shape.y + shape.height / 2 >= host.y + host.height / 2;
        const y = below ? host.y + host.height + 90 : host.y - 90;
        modeling.appendShape(shape, { type: 'bpmn:ServiceTask', businessObject: worker }, { x: host.x + host.width + 40, y }, shape.parent as Parent);
      }
    }, true);
  }
}
