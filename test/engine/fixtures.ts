/** Small BPMN models for the engine tests, written as Camunda Modeler writes them. */
const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">`;

export function bpmn(processId: string, body: string, extra = '', attrs = ''): string {
  return `${HEAD}\n<bpmn:process id="${processId}" isExecutable="true"${attrs}>\n${body}\n</bpmn:process>\n${extra}\n</bpmn:definitions>`;
}

/** start → review (user task) → gateway → [approved] notify (external) → end | [!approved] end */
export const APPROVAL = bpmn('approval', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
  <bpmn:userTask id="review" name="Thẩm định" camunda:assignee="\${starter}" camunda:candidateGroups="specialist" camunda:priority="70" camunda:formKey="embedded:app:review"/>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
  <bpmn:exclusiveGateway id="gw"/>
  <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="notify"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${approved &amp;&amp; fee &gt; 100000}</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="rejected"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${!approved || fee &lt;= 100000}</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:serviceTask id="notify" camunda:type="external" camunda:topic="notify" camunda:taskPriority="5"/>
  <bpmn:boundaryEvent id="notifyError" attachedToRef="notify"><bpmn:errorEventDefinition errorRef="Err1"/></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="done"/>
  <bpmn:sequenceFlow id="f4" sourceRef="notifyError" targetRef="fix"/>
  <bpmn:userTask id="fix" camunda:candidateGroups="one-stop-officer"/>
  <bpmn:sequenceFlow id="f5" sourceRef="fix" targetRef="done"/>
  <bpmn:endEvent id="done"/>
  <bpmn:endEvent id="rejected"/>`, '<bpmn:error id="Err1" name="Rejected" errorCode="REJECTED"/>', ' camunda:versionTag="1.0"');

/** start → wait (timer, duration) → task; a non-interrupting 40-day boundary timer on a receive task. */
export const TIMERS = bpmn('timers', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="pay"/>
  <bpmn:receiveTask id="pay" messageRef="Paid"/>
  <bpmn:boundaryEvent id="remind" attachedToRef="pay" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>P40D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="remindTask"/>
  <bpmn:serviceTask id="remindTask" camunda:type="external" camunda:topic="remind"/>
  <bpmn:sequenceFlow id="f4" sourceRef="remindTask" targetRef="end2"/>
  <bpmn:endEvent id="end2"/>
  <bpmn:sequenceFlow id="f5" sourceRef="pay" targetRef="end"/>
  <bpmn:endEvent id="end"/>`, '<bpmn:message id="Paid" name="paid"/>');

/** parallel split into an embedded subprocess and a 2-instance user task, joined, then an event-based gateway. */
export const SHAPES = bpmn('shapes', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="sub"/>
  <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="sign"/>
  <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:sequenceFlow id="s1" sourceRef="ss" targetRef="inner"/><bpmn:userTask id="inner"/><bpmn:sequenceFlow id="s2" sourceRef="inner" targetRef="se"/><bpmn:endEvent id="se"/></bpmn:subProcess>
  <bpmn:userTask id="sign" camunda:assignee="\${signer}"><bpmn:multiInstanceLoopCharacteristics camunda:collection="\${signers}" camunda:elementVariable="signer"/></bpmn:userTask>
  <bpmn:sequenceFlow id="f4" sourceRef="sub" targetRef="join"/>
  <bpmn:sequenceFlow id="f5" sourceRef="sign" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="ebg"/>
  <bpmn:eventBasedGateway id="ebg"/>
  <bpmn:sequenceFlow id="f7" sourceRef="ebg" targetRef="gotIt"/>
  <bpmn:sequenceFlow id="f8" sourceRef="ebg" targetRef="timeout"/>
  <bpmn:intermediateCatchEvent id="gotIt"><bpmn:messageEventDefinition messageRef="Reply"/></bpmn:intermediateCatchEvent>
  <bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>P30D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f9" sourceRef="gotIt" targetRef="end"/>
  <bpmn:sequenceFlow id="f10" sourceRef="timeout" targetRef="late"/>
  <bpmn:endEvent id="end"/>
  <bpmn:endEvent id="late"/>`, '<bpmn:message id="Reply" name="reply"/>');

/** A worker loop: start → external task → end (for client-js, crash and load tests). */
export const WORK = bpmn('work', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="job"/>
  <bpmn:serviceTask id="job" camunda:type="external" camunda:topic="work"/>
  <bpmn:sequenceFlow id="f2" sourceRef="job" targetRef="check"/>
  <bpmn:userTask id="check" camunda:candidateGroups="specialist"/>
  <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

/**
 * start → review (camunda:asyncAfter: a job continues the token, retried as `retryCycle`
 * (camunda:failedJobRetryTimeCycle) says when it fails) → sign (assignee `${boss.name}`: fails without `boss`) → end.
 */
export const asyncReview = (key: string, retryCycle?: string) => bpmn(key, `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
  <bpmn:userTask id="review" camunda:asyncAfter="true">${retryCycle ? `<bpmn:extensionElements><camunda:failedJobRetryTimeCycle>${retryCycle}</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>` : ''}</bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="sign"/>
  <bpmn:userTask id="sign" camunda:assignee="\${boss.name}"/>
  <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

/** A 10-step chain of user tasks (benchmark). */
export function chain(n: number, id = 'chain'): string {
  let body = '<bpmn:startEvent id="start"/>';
  let prev = 'start';
  for (let i = 1; i <= n; i++) {
    body += `<bpmn:sequenceFlow id="f${i}" sourceRef="${prev}" targetRef="t${i}"/><bpmn:userTask id="t${i}"/>`;
    prev = `t${i}`;
  }
  body += `<bpmn:sequenceFlow id="fend" sourceRef="${prev}" targetRef="end"/><bpmn:endEvent id="end"/>`;
  return bpmn(id, body);
}

/** One user task offered to the `specialist` role of the dossier's unit (unit-scoping tests). */
export function specialistCheck(processId: string): string {
  return bpmn(processId, `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
  <bpmn:userTask id="check" name="Thẩm định hồ sơ" camunda:candidateGroups="specialist"/>
  <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);
}
