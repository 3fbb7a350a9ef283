import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, seq } from './harness.js';

const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const U = (id: string, extra = '', inner = '') => `<bpmn:userTask id="${id}"${extra}>${inner}</bpmn:userTask>`;

describe('BPMN 2.0 §13.2 activities', () => {
  test('§13.2 tasks without work (task, manual task, none events) pass straight through', async () => {
    const g = await compile(`${S}<bpmn:task id="t"/><bpmn:manualTask id="m"/><bpmn:intermediateThrowEvent id="n"/>${E()}${chainFlows('start', 't', 'm', 'n', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 't', 'm', 'n', 'end']);
    expect(i.ended).toBe(true);
  });
  test('§13.2 send, business-rule and message-throw tasks with a topic are done by external workers', async () => {
    const g = await compile(`${S}<bpmn:sendTask id="send" camunda:type="external" camunda:topic="mail"/><bpmn:businessRuleTask id="rule" camunda:type="external" camunda:topic="rules"/>
      <bpmn:intermediateThrowEvent id="notify" camunda:topic="notify"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateThrowEvent>${E()}${chainFlows('start', 'send', 'rule', 'notify', 'end')}`, '<bpmn:message id="M" name="m"/>');
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['external:send']);
    await i.complete('send');
    expect(i.waiting()).toEqual(['external:rule']);
    await i.complete('rule');
    expect(i.waiting()).toEqual(['external:notify']);
    await i.complete('notify');
    expect(i.ended).toBe(true);
  });
  test('§13.2.1 uncontrolled flow: every unconditional outgoing flow of an activity gets a token', async () => {
    const g = await compile(`${S}<bpmn:task id="t"/>${U('a')}${U('b')}${E()}${seq('f0', 'start', 't')}${seq('fa', 't', 'a')}${seq('fb', 't', 'b')}${seq('fa2', 'a', 'end')}${seq('fb2', 'b', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:b']);
  });
  test('§13.2.1 conditional flows out of an activity: those that hold, else the default', async () => {
    const g = await compile(`${S}<bpmn:task id="t" default="d"/>${U('a')}${U('b')}${E()}${seq('f0', 'start', 't')}${seq('fa', 't', 'a', '${x}')}${seq('d', 't', 'b')}${seq('fa2', 'a', 'end')}${seq('fb2', 'b', 'end')}`);
    expect((await Instance.start(g, { x: true })).waiting()).toEqual(['userTask:a']);
    expect((await Instance.start(g, { x: false })).waiting()).toEqual(['userTask:b']);
  });
  test('§13.2.1 completionQuantity: the activity puts that many tokens on each outgoing flow', async () => {
    const g = await compile(`${S}<bpmn:task id="t" completionQuantity="3"/>${U('a')}${E()}${chainFlows('start', 't', 'a', 'end')}`);
    expect((await Instance.start(g)).waiting()).toEqual(['userTask:a', 'userTask:a', 'userTask:a']);
  });
  test('§13.2.1 startQuantity: the activity starts only when that many tokens have arrived', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${U('a')}<bpmn:task id="t" startQuantity="2"/>${U('after')}${E()}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'a')}${seq('f2', 'fork', 't')}${seq('f3', 'a', 't')}${chainFlows('t', 'after', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:a']);
    await i.complete('a');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§13.2.2 an embedded subprocess starts at its start event and completes when no token is left inside', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:parallelGateway id="f"/>${U('x')}${U('y')}<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>
      ${seq('s0', 'ss', 'f')}${seq('s1', 'f', 'x')}${seq('s2', 'f', 'y')}${seq('s3', 'x', 'e1')}${seq('s4', 'y', 'e2')}</bpmn:subProcess>${U('after')}${E()}${chainFlows('start', 'sub', 'after', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('x');
    expect(i.waiting()).toEqual(['userTask:y']);
    await i.complete('y');
    expect(i.waiting()).toEqual(['userTask:after']);
    expect(i.path).toEqual(['start', 'ss', 'f', 'x', 'e1', 'y', 'e2', 'sub']);
  });
});

describe('BPMN 2.0 §13.2.7 loops and multi-instance', () => {
  test('§13.2.7 parallel multi-instance over a collection: one task per element, element variable bound', async () => {
    const g = await compile(`${S}${U('sign', ' camunda:assignee="${who}"', '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${people}" camunda:elementVariable="who"/>')}${U('after')}${E()}${chainFlows('start', 'sign', 'after', 'end')}`);
    const i = await Instance.start(g, { people: ['an', 'binh', 'chi'] });
    expect(i.waiting()).toEqual(['userTask:sign', 'userTask:sign', 'userTask:sign']);
    await i.complete('sign');
    await i.complete('sign');
    expect(i.waiting()).toEqual(['userTask:sign']);
    await i.complete('sign');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§13.2.7 sequential multi-instance with a cardinality runs one at a time', async () => {
    const g = await compile(`${S}${U('step', '', '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>')}${E()}${chainFlows('start', 'step', 'end')}`);
    const i = await Instance.start(g);
    for (let k = 0; k < 3; k++) { expect(i.waiting()).toEqual(['userTask:step']); await i.complete('step'); }
    expect(i.ended).toBe(true);
  });
  test('§13.2.7 a completion condition ends the remaining instances early', async () => {
    const g = await compile(`${S}${U('vote', '', '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality><bpmn:completionCondition>${nrOfCompletedInstances >= 2}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>')}${U('after')}${E()}${chainFlows('start', 'vote', 'after', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('vote');
    await i.complete('vote');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§13.2.7 zero instances: the activity completes at once', async () => {
    const g = await compile(`${S}${U('sign', '', '<bpmn:multiInstanceLoopCharacteristics camunda:collection="${people}"/>')}${U('after')}${E()}${chainFlows('start', 'sign', 'after', 'end')}`);
    expect((await Instance.start(g, { people: [] })).waiting()).toEqual(['userTask:after']);
  });
  test('§13.2.6 a standard loop repeats while its condition holds (test after)', async () => {
    const g = await compile(`${S}${U('fix', '', '<bpmn:standardLoopCharacteristics><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">${!ok}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>')}${E()}${chainFlows('start', 'fix', 'end')}`);
    const i = await Instance.start(g, { ok: false });
    await i.complete('fix');
    expect(i.waiting()).toEqual(['userTask:fix']);
    await i.complete('fix', { ok: true });
    expect(i.ended).toBe(true);
    expect(i.path).toEqual(['start', 'fix', 'fix', 'end']);
  });
  test('§13.2.6 a standard loop stops at loopMaximum', async () => {
    const g = await compile(`${S}${U('again', '', '<bpmn:standardLoopCharacteristics loopMaximum="2"><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">${true}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>')}${E()}${chainFlows('start', 'again', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('again');
    await i.complete('again');
    expect(i.ended).toBe(true);
  });
  test('§13.2.6 a test-before loop whose condition is false at first does not run', async () => {
    const g = await compile(`${S}${U('maybe', '', '<bpmn:standardLoopCharacteristics testBefore="true"><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">${n &lt; 0}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>')}${E()}${chainFlows('start', 'maybe', 'end')}`);
    const i = await Instance.start(g, { n: 1 });
    expect(i.ended).toBe(true);
  });
  test('§13.2.7 an interrupting boundary timer on a multi-instance activity cancels every instance', async () => {
    const g = await compile(`${S}${U('sign', '', '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>')}
      <bpmn:boundaryEvent id="late" attachedToRef="sign"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>${E()}${E('lateEnd')}
      ${chainFlows('start', 'sign', 'end')}${seq('fl', 'late', 'lateEnd')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['timer:late', 'userTask:sign', 'userTask:sign']);
    await i.fire('late');
    expect(i.ended).toBe(true);
  });
});

describe('BPMN 2.0 §10.4 start events', () => {
  test('§10.4.2 a message start: the instance begins at the message start event', async () => {
    const g = await compile(`<bpmn:startEvent id="byMail"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent>${U('a')}${E()}${chainFlows('byMail', 'a', 'end')}`, '<bpmn:message id="M" name="m"/>');
    const i = await Instance.start(g, {}, (r) => r.message('M'));
    expect(i.path).toEqual(['byMail']);
    expect(i.waiting()).toEqual(['userTask:a']);
  });
  test('§10.4.2 a signal start', async () => {
    const g = await compile(`<bpmn:startEvent id="bySignal"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:startEvent>${E()}${chainFlows('bySignal', 'end')}`, '<bpmn:signal id="Sg" name="go"/>');
    const i = await Instance.start(g, {}, (r) => r.signal('go'));
    expect(i.ended).toBe(true);
  });
});

describe('BPMN 2.0 §13.2.5 ad-hoc subprocess', () => {
  const adhoc = (attrs: string, inner = '') => `${S}<bpmn:adHocSubProcess id="adhoc"${attrs}>${U('a')}${U('b')}${U('c')}${inner}</bpmn:adHocSubProcess>${U('after')}${E()}${chainFlows('start', 'adhoc', 'after', 'end')}`;
  test('§13.2.5 parallel ordering: every activity no flow starts runs at once; the subprocess completes when none is left', async () => {
    const i = await Instance.start(await compile(adhoc(' ordering="Parallel"')));
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:b', 'userTask:c']);
    await i.complete('b');
    await i.complete('a');
    await i.complete('c');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§13.2.5 sequential ordering: one after another, in document order', async () => {
    const i = await Instance.start(await compile(adhoc(' ordering="Sequential"')));
    for (const t of ['a', 'b', 'c']) { expect(i.waiting()).toEqual([`userTask:${t}`]); await i.complete(t); }
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§13.2.5 a completion condition ends it early; with cancelRemainingInstances the running activities end', async () => {
    const g = await compile(`${S}<bpmn:adHocSubProcess id="adhoc"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">\${enough}</bpmn:completionCondition>${U('a')}${U('b')}</bpmn:adHocSubProcess>${U('after')}${E()}${chainFlows('start', 'adhoc', 'after', 'end')}`);
    const i = await Instance.start(g, { enough: false });
    await i.complete('a', { enough: true });
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§13.2.5 flows inside an ad-hoc subprocess still lead from one activity to the next', async () => {
    const g = await compile(adhoc(' ordering="Parallel"', `${U('d')}<bpmn:sequenceFlow id="cd" sourceRef="c" targetRef="d"/>`));
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:b', 'userTask:c']);
    await i.complete('c');
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:b', 'userTask:d']);
  });
});

describe('BPMN 2.0 §10.2.3 receive task with instantiate="true"', () => {
  const model = `<bpmn:receiveTask id="recv" messageRef="M" instantiate="true"/>${U('next')}${E()}${chainFlows('recv', 'next', 'end')}`;
  test('§10.2.3 the process has no start event: it waits for the message at the receive task, which completes as the instance starts', async () => {
    const g = await compile(model, '<bpmn:message id="M" name="order"/>');
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['message:recv']);
    expect(i.path).toEqual([]);
    await i.message('M');
    expect(i.path).toEqual(['recv']);
    expect(i.waiting()).toEqual(['userTask:next']);
  });
  test('§10.2.3 deployed, its message name is a message start of the process', async () => {
    const { parseDefinitions } = await import('../../../server/engine/model.js');
    const { bpmn } = await import('../fixtures.js');
    const { processes, findings } = await parseDefinitions(bpmn('p', model, '<bpmn:message id="M" name="order"/>'), 'native');
    expect(findings).toEqual([]);
    expect(processes[0]!.messageStarts).toEqual({ order: 'recv' });
    expect(processes[0]!.noneStart).toBe(false);
  });
});
