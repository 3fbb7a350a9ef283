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
    ['a complex gateway', `${S}<bpmn:complexGateway id="cx"/>${E}${chainFlows('start', 'cx', 'end')}`, 'cx', /Complex gateways are not supported/],
    ['a call activity without calledElement (§10.2.5)', `${S}<bpmn:callActivity id="call"/>${E}${chainFlows('start', 'call', 'end')}`, 'call', /calledElement/],
    ['a transaction', `${S}<bpmn:transaction id="tx"><bpmn:startEvent id="ts"/></bpmn:transaction>${E}${chainFlows('start', 'tx', 'end')}`, 'tx', /Transaction subprocesses/],
    ['a compensation event', `${S}<bpmn:intermediateThrowEvent id="c"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>${E}${chainFlows('start', 'c', 'end')}`, 'c', /CompensateEventDefinition is not supported/],
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
