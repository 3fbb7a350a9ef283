/**
 * The usual steps of a one-stop procedure, offered in the palette. `attrs` are set on the new
 * element's business object (tthc:* and camunda:* attributes).
 */
export interface StepTemplate {
  id: string;
  /** i18n key of the palette tooltip and of the new element's name. */
  label: string;
  name: string;
  type: 'bpmn:UserTask' | 'bpmn:ServiceTask' | 'bpmn:IntermediateCatchEvent';
  attrs: Record<string, string | boolean>;
  icon: string;
}

const user = (id: string, role: string, budget: string | null, extra: Record<string, string> = {}, icon = 'bpmn-icon-user-task'): StepTemplate => ({
  id, label: `palette.${id}`, name: `stepName.${id}`, type: 'bpmn:UserTask', icon,
  attrs: { 'tthc:role': role, 'camunda:candidateGroups': role, ...(budget ? { 'tthc:budget': budget } : {}), ...extra },
});

export const STEP_TEMPLATES: StepTemplate[] = [
  user('receive', 'one-stop-officer', '0.5d', { 'tthc:form': '01' }),
  user('assign', 'division-head', '0.5d'),
  user('appraise', 'specialist', '3d'),
  {
    id: 'consult', label: 'palette.consult', name: 'stepName.consult', type: 'bpmn:ServiceTask', icon: 'bpmn-icon-send-task',
    attrs: { 'camunda:type': 'external', 'camunda:topic': 'tthc.consultation.request', 'tthc:role': 'specialist', 'tthc:budget': '5d', 'tthc:replyDeadline': '5d', 'tthc:consultAgency': '' },
  },
  // The citizen's time to supplement is not counted (TTHC.md §3, status 5).
  user('supplement', 'one-stop-officer', null, { 'tthc:form': '02', 'tthc:countsTowardLimit': 'false' }),
  user('refuse', 'one-stop-officer', null, { 'tthc:form': '03', 'tthc:countsTowardLimit': 'false' }),
  user('review', 'division-head', '0.5d'),
  user('sign', 'leader', '1d'),
  user('clerical', 'clerical', '0.5d'),
  user('return', 'one-stop-officer', null, { 'tthc:countsTowardLimit': 'false' }),
  {
    // Created as an intermediate timer like bpmn-js' own palette does: dropped on a step, bpmn-js
    // turns it into a boundary event, and ReminderBehavior makes it non-interrupting.
    id: 'remind', label: 'palette.remind', name: 'stepName.remind', type: 'bpmn:IntermediateCatchEvent', icon: 'bpmn-icon-intermediate-event-catch-timer',
    attrs: { 'tthc:beforeDue': '1d' },
  },
];

export const REMIND_TOPIC = 'tthc.remind-before-due';
