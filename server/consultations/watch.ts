/**
 * Consultations and the engine.
 *
 * - The dossier's own process waits for the reply at a message catch event named
 *   `tthc.consultation.reply` right after its `tthc.consultation.request` step; the platform
 *   correlates that message to the process instance when the reply is recorded (POST /message on
 *   Camunda 7 does the same), so the drawing runs unchanged on either engine.
 * - The reminders run in a small platform process, `tthc-consultation-watch`, started with each
 *   consultation (variables `consultationId`, `dueAt` = the reply deadline, `unitId`): a timer at
 *   `dueAt` (`tthc:beforeDue="0h"`, counted like the dossier watch) → `tthc.consultation.overdue`
 *   (the worker) → the platform answers `answered` and the next working day's `dueAt` → the timer
 *   again. The message `tthc.consultation.answered` (correlated to the watch instance) ends it.
 *   README, "Consultations", says why a watch process rather than the server polling.
 */
export const CONSULTATION_WATCH_KEY = 'tthc-consultation-watch';
export const REPLY_MESSAGE = 'tthc.consultation.reply';
export const ANSWERED_MESSAGE = 'tthc.consultation.answered';

export function consultationWatchXml(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="Defs_consultation_watch" targetNamespace="http://tthc-platform.github.io/watch">
  <bpmn:message id="Msg_Answered" name="${ANSWERED_MESSAGE}" />
  <bpmn:process id="${CONSULTATION_WATCH_KEY}" name="Theo dõi hạn trả lời ý kiến" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F_start" sourceRef="Start" targetRef="Watch" />
    <bpmn:subProcess id="Watch" name="Nhắc trả lời ý kiến">
      <bpmn:startEvent id="W_Start" />
      <bpmn:sequenceFlow id="F_1" sourceRef="W_Start" targetRef="Merge" />
      <bpmn:exclusiveGateway id="Merge" />
      <bpmn:sequenceFlow id="F_2" sourceRef="Merge" targetRef="DueTimer" />
      <bpmn:intermediateCatchEvent id="DueTimer" name="Đến hạn trả lời" tthc:beforeDue="0h">
        <bpmn:timerEventDefinition><bpmn:timeDuration>P3650D</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="F_3" sourceRef="DueTimer" targetRef="Remind" />
      <bpmn:serviceTask id="Remind" name="Nhắc trả lời ý kiến quá hạn" camunda:type="external" camunda:topic="tthc.consultation.overdue" />
      <bpmn:sequenceFlow id="F_4" sourceRef="Remind" targetRef="Gw" />
      <bpmn:exclusiveGateway id="Gw" default="F_6" />
      <bpmn:sequenceFlow id="F_5" sourceRef="Gw" targetRef="W_End"><bpmn:conditionExpression>\${answered}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="W_End" />
      <bpmn:sequenceFlow id="F_6" sourceRef="Gw" targetRef="Merge" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="Answered" attachedToRef="Watch"><bpmn:messageEventDefinition messageRef="Msg_Answered" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="F_ans" sourceRef="Answered" targetRef="EndAnswered" />
    <bpmn:endEvent id="EndAnswered" />
    <bpmn:sequenceFlow id="F_end" sourceRef="Watch" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
`;
}
