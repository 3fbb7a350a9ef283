/**
 * The platform "watch" process: started with every accepted dossier (business key = dossier code,
 * variables `dueAt`, `unitId`), whatever its procedure's drawing contains. It holds the dossier's
 * deadline timers, counted in working time from the stored due date (`tthc:beforeDue`):
 *
 * - reminder `remindBefore` before due → `tthc.remind-before-due` → the leader's "write the apology"
 *   task (form 04) → `tthc.apology.issue` (back to the leader if the platform refuses the apology);
 * - at the due date → `tthc.overdue.escalate`; if an apology moved the date, the timer is set again
 *   from the new `dueAt`.
 *
 * The message `tthc.dossier.resolved` (correlated by business key) ends the watch. See README for why
 * a separate process rather than boundary timers added to each procedure's drawing.
 */
export const WATCH_PROCESS_KEY = 'tthc-watch';
const RESOLVED_MESSAGE = 'tthc.dossier.resolved';

export function watchProcessXml(opts: { remindBefore: string }): string {
  const remind = opts.remindBefore.replace(/[^0-9.dh]/g, '');
  // The timeDuration is only the fallback bpmn-engine needs; tthc:beforeDue sets the real due time.
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="Defs_watch" targetNamespace="http://tthc-platform.github.io/watch">
  <bpmn:message id="Msg_Resolved" name="${RESOLVED_MESSAGE}" />
  <bpmn:process id="${WATCH_PROCESS_KEY}" name="Theo dõi hạn giải quyết hồ sơ" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F_start" sourceRef="Start" targetRef="Watch" />
    <bpmn:subProcess id="Watch" name="Theo dõi hạn">
      <bpmn:startEvent id="W_Start" />
      <bpmn:sequenceFlow id="F_w1" sourceRef="W_Start" targetRef="Split" />
      <bpmn:parallelGateway id="Split" />
      <bpmn:sequenceFlow id="F_a1" sourceRef="Split" targetRef="RemindTimer" />
      <bpmn:intermediateCatchEvent id="RemindTimer" name="Trước hạn ${remind}" tthc:beforeDue="${remind}">
        <bpmn:timerEventDefinition><bpmn:timeDuration>P3650D</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="F_a2" sourceRef="RemindTimer" targetRef="Remind" />
      <bpmn:serviceTask id="Remind" name="Nhắc hạn" camunda:type="external" camunda:topic="tthc.remind-before-due" />
      <bpmn:sequenceFlow id="F_a3" sourceRef="Remind" targetRef="RemindGw" />
      <bpmn:exclusiveGateway id="RemindGw" default="F_a5" />
      <bpmn:sequenceFlow id="F_a4" sourceRef="RemindGw" targetRef="EndSkipped"><bpmn:conditionExpression>\${reminderSkipped}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="EndSkipped" />
      <bpmn:sequenceFlow id="F_a5" sourceRef="RemindGw" targetRef="WriteApology" />
      <bpmn:userTask id="WriteApology" name="Lập thư xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)" camunda:candidateGroups="leader" tthc:role="leader" tthc:form="04" />
      <bpmn:sequenceFlow id="F_a6" sourceRef="WriteApology" targetRef="Issue" />
      <bpmn:serviceTask id="Issue" name="Phát hành thư xin lỗi" camunda:type="external" camunda:topic="tthc.apology.issue" />
      <bpmn:sequenceFlow id="F_a7" sourceRef="Issue" targetRef="IssueGw" />
      <bpmn:exclusiveGateway id="IssueGw" default="F_a9" />
      <bpmn:sequenceFlow id="F_a8" sourceRef="IssueGw" targetRef="EndApology"><bpmn:conditionExpression>\${apologyIssued}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="EndApology" />
      <bpmn:sequenceFlow id="F_a9" sourceRef="IssueGw" targetRef="WriteApology" />
      <bpmn:sequenceFlow id="F_b1" sourceRef="Split" targetRef="DueMerge" />
      <bpmn:exclusiveGateway id="DueMerge" />
      <bpmn:sequenceFlow id="F_b2" sourceRef="DueMerge" targetRef="DueTimer" />
      <bpmn:intermediateCatchEvent id="DueTimer" name="Đến hạn" tthc:beforeDue="0h">
        <bpmn:timerEventDefinition><bpmn:timeDuration>P3650D</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="F_b3" sourceRef="DueTimer" targetRef="Escalate" />
      <bpmn:serviceTask id="Escalate" name="Cảnh báo quá hạn, phát SOS" camunda:type="external" camunda:topic="tthc.overdue.escalate" />
      <bpmn:sequenceFlow id="F_b4" sourceRef="Escalate" targetRef="EscGw" />
      <bpmn:exclusiveGateway id="EscGw" default="F_b6" />
      <bpmn:sequenceFlow id="F_b5" sourceRef="EscGw" targetRef="EndOverdue"><bpmn:conditionExpression>\${escalated}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="EndOverdue" />
      <bpmn:sequenceFlow id="F_b6" sourceRef="EscGw" targetRef="DueMerge" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="Resolved" attachedToRef="Watch"><bpmn:messageEventDefinition messageRef="Msg_Resolved" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="F_res" sourceRef="Resolved" targetRef="EndResolved" />
    <bpmn:endEvent id="EndResolved" />
    <bpmn:sequenceFlow id="F_end" sourceRef="Watch" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
`;
}
