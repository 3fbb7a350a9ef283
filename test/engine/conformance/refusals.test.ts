import { describe, expect, test } from '@jest/globals';
import { chainFlows, refusals, seq } from './harness.js';

const S = '<bpmn:startEvent id="start"/>';
const E = '<bpmn:endEvent id="end"/>';
const timer = (inner: string) => `${S}<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition>${inner}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>${E}${chainFlows('start', 't', 'end')}`;

/** What the native interpreter cannot run faithfully is refused at deployment, naming the element. */
describe('deployment refusals (native interpreter)', () => {
  test.each([
    ['timeDate "INVALID"', timer('<bpmn:timeDate>INVALID</bpmn:timeDate>'), 't', /timeDate "INVALID": not an ISO 8601 date-time/],
    ['timeDuration "INVALID"', timer('<bpmn:timeDuration>INVALID</bpmn:timeDuration>'), 't', /timeDuration "INVALID": not an ISO 8601 duration/],
    ['timeCycle "INVALID"', timer('<bpmn:timeCycle>INVALID</bpmn:timeCycle>'), 't', /timeCycle "INVALID": not an ISO 8601 repeating interval/],
    ['several timer definitions on one timer', timer('<bpmn:timeDuration>PT1H</bpmn:timeDuration><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle>'), 't', /one definition; this one has timeDuration and timeCycle/],
    ['a converging gateway with two outgoing flows', `${S}<bpmn:exclusiveGateway id="g" gatewayDirection="Converging"/>${E}<bpmn:endEvent id="e2"/>${seq('f0', 'start', 'g')}${seq('f1', 'g', 'end')}${seq('f2', 'g', 'e2')}`, 'g', /converging gateway has one outgoing flow/],
    ['a terminate event that is not an end event', `${S}<bpmn:intermediateThrowEvent id="x"><bpmn:terminateEventDefinition/></bpmn:intermediateThrowEvent>${E}${chainFlows('start', 'x', 'end')}`, 'x', /terminate event can only be an end event/],
    ['an error intermediate throw', `${S}<bpmn:intermediateThrowEvent id="x"><bpmn:errorEventDefinition/></bpmn:intermediateThrowEvent>${E}${chainFlows('start', 'x', 'end')}`, 'x', /error event can only be an end, boundary or event-subprocess start/],
    ['a non-interrupting error boundary', `${S}<bpmn:userTask id="u"/><bpmn:boundaryEvent id="b" attachedToRef="u" cancelActivity="false"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>${E}${chainFlows('start', 'u', 'end')}`, 'b', /error boundary event always interrupts/],
    ['a converging complex gateway without activationCondition (§13.3.5)', `${S}<bpmn:parallelGateway id="fork"/><bpmn:complexGateway id="cx"/>${E}${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'cx')}${seq('f2', 'fork', 'cx')}${seq('f3', 'cx', 'end')}`, 'cx', /converging complex gateway needs an activationCondition/],
    ['a cancel end event outside a transaction (§10.5.2)', `${S}<bpmn:endEvent id="x"><bpmn:cancelEventDefinition/></bpmn:endEvent>${seq('f', 'start', 'x')}`, 'x', /cancel end event can only be used inside a transaction/],
    ['a cancel end event in an embedded subprocess (§10.5.2)', `${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="x"><bpmn:cancelEventDefinition/></bpmn:endEvent>${seq('s1', 'ss', 'x')}</bpmn:subProcess>${E}${chainFlows('start', 'sub', 'end')}`, 'x', /cancel end event can only be used inside a transaction/],
    ['a cancel boundary event on a task (§10.5.2)', `${S}<bpmn:userTask id="u"/><bpmn:boundaryEvent id="b" attachedToRef="u"><bpmn:cancelEventDefinition/></bpmn:boundaryEvent>${E}<bpmn:endEvent id="e2"/>${chainFlows('start', 'u', 'end')}${seq('fb', 'b', 'e2')}`, 'b', /cancel boundary event sits on a transaction/],
    ['a cancel intermediate throw event (§10.5.2)', `${S}<bpmn:transaction id="tx"><bpmn:startEvent id="ts"/><bpmn:intermediateThrowEvent id="x"><bpmn:cancelEventDefinition/></bpmn:intermediateThrowEvent><bpmn:endEvent id="te"/>${chainFlows('ts', 'x', 'te')}</bpmn:transaction>${E}${chainFlows('start', 'tx', 'end')}`, 'x', /cancel event is an end event inside a transaction or a boundary event/],
    ['a transaction whose cancel end event has no cancel boundary to continue at (§10.2.2)', `${S}<bpmn:transaction id="tx"><bpmn:startEvent id="ts"/><bpmn:endEvent id="x"><bpmn:cancelEventDefinition/></bpmn:endEvent>${seq('s1', 'ts', 'x')}</bpmn:transaction>${E}${chainFlows('start', 'tx', 'end')}`, 'tx', /needs a cancel boundary event/],
    ['a compensation intermediate catch event (§10.5.5)', `${S}<bpmn:intermediateCatchEvent id="c"><bpmn:compensateEventDefinition/></bpmn:intermediateCatchEvent>${E}${chainFlows('start', 'c', 'end')}`, 'c', /Compensation is caught by a boundary event/],
    ['a compensation boundary event without an associated handler (§10.5.5)', `${S}<bpmn:task id="a"/><bpmn:boundaryEvent id="b" attachedToRef="a"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>${E}${chainFlows('start', 'a', 'end')}`, 'b', /needs an association to its compensation handler/],
    ['a compensation handler not marked isForCompensation (§10.5.5)', `${S}<bpmn:task id="a"/><bpmn:boundaryEvent id="b" attachedToRef="a"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent><bpmn:task id="undo"/><bpmn:association id="as" sourceRef="b" targetRef="undo"/>${E}${chainFlows('start', 'a', 'end')}`, 'b', /must be marked isForCompensation/],
    ['a compensation handler with a sequence flow (§10.5.5)', `${S}<bpmn:task id="a"/><bpmn:boundaryEvent id="b" attachedToRef="a"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent><bpmn:task id="undo" isForCompensation="true"/><bpmn:association id="as" sourceRef="b" targetRef="undo"/>${E}${chainFlows('start', 'a', 'end')}${seq('fu', 'undo', 'end')}`, 'undo', /compensation handler \(isForCompensation\) has no incoming or outgoing/],
    ['a compensation throw whose activityRef is in another scope (§10.5.5)', `${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:task id="inner"/><bpmn:endEvent id="se"/>${chainFlows('ss', 'inner', 'se')}</bpmn:subProcess><bpmn:intermediateThrowEvent id="c"><bpmn:compensateEventDefinition activityRef="inner"/></bpmn:intermediateThrowEvent>${E}${chainFlows('start', 'sub', 'c', 'end')}`, 'c', /activityRef 'inner' names no activity of this event's scope/],
    ['a compensation start event outside an event subprocess (§10.5.5)', `<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"><bpmn:compensateEventDefinition/></bpmn:startEvent><bpmn:endEvent id="se"/>${seq('s1', 'ss', 'se')}</bpmn:subProcess>${S}${E}${chainFlows('start', 'sub', 'end')}`, 'ss', /compensation start event belongs in an event subprocess/],
    ['an unparsable failedJobRetryTimeCycle', `${S}<bpmn:userTask id="u" camunda:asyncAfter="true"><bpmn:extensionElements><camunda:failedJobRetryTimeCycle>every 5 minutes</camunda:failedJobRetryTimeCycle></bpmn:extensionElements></bpmn:userTask>${E}${chainFlows('start', 'u', 'end')}`, 'u', /failedJobRetryTimeCycle "every 5 minutes" must look like R5\/PT5M/],
    ['a failedJobRetryTimeCycle on an external task without async (its worker owns the retries)', `${S}<bpmn:serviceTask id="x" camunda:type="external" camunda:topic="t"><bpmn:extensionElements><camunda:failedJobRetryTimeCycle>R5/PT5M</camunda:failedJobRetryTimeCycle></bpmn:extensionElements></bpmn:serviceTask>${E}${chainFlows('start', 'x', 'end')}`, 'x', /applies to jobs.*external task's retries are its worker's/],
    ['an instantiating receive task with an incoming flow (§10.2.3)', `${S}<bpmn:receiveTask id="r" messageRef="M" instantiate="true"/>${E}${chainFlows('start', 'r', 'end')}`, 'r', /instantiate="true" starts the process/],
    ['a call activity without calledElement (§10.2.5)', `${S}<bpmn:callActivity id="call"/>${E}${chainFlows('start', 'call', 'end')}`, 'call', /calledElement/],
    ['a link throw without its catch', `${S}<bpmn:intermediateThrowEvent id="l"><bpmn:linkEventDefinition name="nowhere"/></bpmn:intermediateThrowEvent>${seq('f', 'start', 'l')}`, 'l', /No link catch event named 'nowhere'/],
    ['a script task', `${S}<bpmn:scriptTask id="sc" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>${E}${chainFlows('start', 'sc', 'end')}`, 'sc', /Script tasks are not allowed/],
    ['an event-based gateway before a task', `${S}<bpmn:eventBasedGateway id="ebg"/><bpmn:userTask id="u"/>${E}${chainFlows('start', 'ebg', 'u', 'end')}`, 'ebg', /event-based gateway leads only to catch events/],
  ])('%s', async (_what, body, id, pattern) => {
    const found = await refusals(body);
    expect(found.filter((f) => f.elementId === id).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
  });

  test('an event definition referenced from the root (eventDefinitionRef) is honoured, and a root itemDefinition deploys', async () => {
    const found = await refusals(`<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="w"><bpmn:eventDefinitionRef>td</bpmn:eventDefinitionRef></bpmn:intermediateCatchEvent>${E}${chainFlows('start', 'w', 'end')}`,
      '<bpmn:itemDefinition id="item1" structureRef="xsd:string"/><bpmn:timerEventDefinition id="td"><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>');
    expect(found).toEqual([]);
  });
});

describe('data typing the engine does not use', () => {
  test('a signal or message whose structureRef names a type instead of an itemDefinition deploys (§10.3 item definitions are informative here)', async () => {
    const { refusals } = await import('./harness.js');
    const found = await refusals('<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/><bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end"/>', '<bpmn:signal id="sg" name="S" structureRef="String"/>');
    expect(found).toEqual([]);
  });
});
