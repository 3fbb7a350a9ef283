import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor.js';
import { REMIND_TOPIC } from '../../tthc/step-templates.js';

type Translate = (s: string) => string;

/**
 * A "remind 1 working day before due" timer attached to a step gets its reminder worker
 * (external task `tthc.remind-before-due`) appended in the same command, so one undo removes both.
 */
export default class ReminderBehavior extends (CommandInterceptor as any) {
  static $inject = ['eventBus', 'modeling', 'bpmnFactory', 'translate'];

  constructor(eventBus: any, modeling: any, bpmnFactory: any, translate: Translate) {
    super(eventBus);
    // unwrap = true: the handler gets the command context itself.
    this.postExecuted('shape.create', (context: any) => {
      const shape = context.shape;
      const bo = shape?.businessObject;
      if (!bo || bo.$type !== 'bpmn:BoundaryEvent' || !bo.get('tthc:beforeDue') || !shape.host) return;
      if ((bo.outgoing ?? []).length) return;
      const worker = bpmnFactory.create('bpmn:ServiceTask', {
        name: translate('stepName.remindWorker'), 'camunda:type': 'external', 'camunda:topic': REMIND_TOPIC,
        'tthc:countsTowardLimit': 'false',
      });
      modeling.appendShape(shape, { type: 'bpmn:ServiceTask', businessObject: worker }, { x: shape.x + 100, y: shape.y + 100 });
    }, true);
  }
}
