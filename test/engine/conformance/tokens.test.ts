import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, refusals, seq } from './harness.js';

/**
 * Cases that deployed and ran wrongly before (found by running the outside conformance suite's
 * models through the interpreter): tokens placed by one split must all exist before the scope
 * may complete, and what cancels a scope stops the rest of the split.
 */
const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const T = (id: string) => `<bpmn:task id="${id}"/>`;
const U = (id: string) => `<bpmn:userTask id="${id}"/>`;
const timer = (what: string, text: string) => `<bpmn:timerEventDefinition><bpmn:${what}>${text}</bpmn:${what}></bpmn:timerEventDefinition>`;
const cond = (c: string) => `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${c}</bpmn:condition></bpmn:conditionalEventDefinition>`;

describe('BPMN 2.0 §13.3.1/§13.2.2 a split places every token before its scope can complete', () => {
  test('§13.3.1 a parallel split whose branches never wait runs every branch, then the process completes', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${T('a')}${T('b')}${E('e1')}${E('e2')}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'a')}${seq('f2', 'fork', 'b')}${seq('f3', 'a', 'e1')}${seq('f4', 'b', 'e2')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'fork', 'a', 'e1', 'b', 'e2']);
    expect(i.ended).toBe(true);
    expect(i.failure).toBeUndefined();
  });
  test('§13.2.1 an activity with two unconditional outgoing flows into tasks that never wait: both run, then a merge runs twice', async () => {
    const g = await compile(`${S}${T('t')}${T('a')}${T('b')}<bpmn:exclusiveGateway id="merge"/>${T('after')}${E()}
      ${seq('f0', 'start', 't')}${seq('f1', 't', 'a')}${seq('f2', 't', 'b')}${seq('f3', 'a', 'merge')}${seq('f4', 'b', 'merge')}${chainFlows('merge', 'after', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path.filter((p) => p === 'after')).toHaveLength(2);
    expect(i.ended).toBe(true);
  });
  test('§13.3.3 an inclusive join after a parallel split with branches that never wait fires once, with both tokens', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${T('a')}${T('b')}<bpmn:inclusiveGateway id="join"/>${U('after')}${E()}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'a')}${seq('f2', 'fork', 'b')}${seq('f3', 'a', 'join')}${seq('f4', 'b', 'join')}${chainFlows('join', 'after', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:after']);
    expect(i.path.filter((p) => p === 'join')).toHaveLength(1);
  });
  test('§13.5.6 a terminate end event reached by the first branch of a split ends the instance; the rest of the split is not placed', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/><bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>${U('b')}${E()}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'stop')}${seq('f2', 'fork', 'b')}${seq('f3', 'b', 'end')}`);
    const i = await Instance.start(g);
    expect(i.ended).toBe(true);
    expect(i.path).toEqual(['start', 'fork', 'stop']);
  });
  test('§10.5.4 a signal end event caught by an interrupting boundary event of its own subprocess: the subprocess is left by the boundary', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="se"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:endEvent>${seq('s1', 'ss', 'se')}</bpmn:subProcess>
      <bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:boundaryEvent>${U('handled')}${U('normal')}${E()}${E('e2')}
      ${chainFlows('start', 'sub', 'normal', 'end')}${chainFlows('caught', 'handled', 'e2')}`, '<bpmn:signal id="Sg" name="stop"/>');
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:handled']);
    // The end event's throw cancelled its own subprocess (and so the end event itself) before it completed.
    expect(i.path).toEqual(['start', 'ss', 'caught']);
  });
});

describe('BPMN 2.0 §13.2.1 default flows and §10.5.4 conditions already true', () => {
  test('§13.2.1 an activity\'s default flow is taken when no conditional flow holds, besides its unconditional flows', async () => {
    const g = await compile(`${S}<bpmn:task id="t" default="d"/>${U('a')}${U('b')}${U('c')}${E()}
      ${seq('f0', 'start', 't')}${seq('fa', 't', 'a', '${x}')}${seq('d', 't', 'b')}${seq('fc', 't', 'c')}${seq('a1', 'a', 'end')}${seq('b1', 'b', 'end')}${seq('c1', 'c', 'end')}`);
    expect((await Instance.start(g, { x: false })).waiting()).toEqual(['userTask:b', 'userTask:c']);
    expect((await Instance.start(g, { x: true })).waiting()).toEqual(['userTask:a', 'userTask:c']);
  });
  test('§10.5.4 an interrupting conditional boundary event whose condition holds on entry interrupts at once', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="c" attachedToRef="work">${cond('${urgent}')}</bpmn:boundaryEvent>${E()}${U('fast')}${E('e2')}
      ${chainFlows('start', 'work', 'end')}${chainFlows('c', 'fast', 'e2')}`);
    const i = await Instance.start(g, { urgent: true });
    expect(i.waiting()).toEqual(['userTask:fast']);
    expect((await Instance.start(g, { urgent: false })).waiting()).toEqual(['userTask:work']);
  });
  test('§10.5.4 a non-interrupting conditional boundary event already true on entry fires once, not again while it stays true', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="c" attachedToRef="work" cancelActivity="false">${cond('${urgent}')}</bpmn:boundaryEvent>${E()}${U('note')}${E('e2')}
      ${chainFlows('start', 'work', 'end')}${chainFlows('c', 'note', 'e2')}`);
    const i = await Instance.start(g, { urgent: true });
    await i.setVars({ other: 1 });
    expect(i.waiting()).toEqual(['userTask:note', 'userTask:work']);
  });
  test('§13.4.4 an interrupting conditional event subprocess whose condition holds when its scope opens replaces the scope\'s start', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${U('normal')}<bpmn:endEvent id="se"/>${chainFlows('ss', 'normal', 'se')}
      <bpmn:subProcess id="ev" triggeredByEvent="true"><bpmn:startEvent id="es">${cond('${hot}')}</bpmn:startEvent>${U('special')}<bpmn:endEvent id="ee"/>${chainFlows('es', 'special', 'ee')}</bpmn:subProcess></bpmn:subProcess>${E()}
      ${chainFlows('start', 'sub', 'end')}`);
    expect((await Instance.start(g, { hot: true })).waiting()).toEqual(['userTask:special']);
    expect((await Instance.start(g, { hot: false })).waiting()).toEqual(['userTask:normal']);
  });
});

describe('BPMN 2.0 §10.5.5 an intermediate timer with a cycle', () => {
  test('§10.5.5 timeCycle R3 on an intermediate catch event sends a token on at each of its three repetitions', async () => {
    const g = await compile(`${S}<bpmn:intermediateCatchEvent id="tick">${timer('timeCycle', 'R3/PT1H')}</bpmn:intermediateCatchEvent>${T('after')}${E()}${chainFlows('start', 'tick', 'after', 'end')}`);
    const i = await Instance.start(g);
    const first = i.dueOf('tick');
    await i.fire('tick');
    expect(i.dueOf('tick').getTime() - first.getTime()).toBe(3600_000);
    await i.fire('tick');
    expect(i.ended).toBe(false);
    await i.fire('tick');
    expect(i.path.filter((p) => p === 'after')).toHaveLength(3);
    expect(i.ended).toBe(true);
  });
});

describe('BPMN 2.0 §13.2.6/§13.2.7 loops that must fail or not run', () => {
  test('§13.2.6 a test-before loop whose condition is false at first never runs the activity (no trace of it)', async () => {
    const g = await compile(`${S}${T('once')}<bpmn:task id="never"><bpmn:standardLoopCharacteristics testBefore="true"><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">\${false}</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>${E()}${chainFlows('start', 'once', 'never', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'once', 'end']);
  });
  test('§13.2.6 a loop that never waits and never ends fails the command (nothing is written) instead of hanging the node', async () => {
    const g = await compile(`${S}<bpmn:task id="spin"><bpmn:standardLoopCharacteristics><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">\${true}</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>${E()}${chainFlows('start', 'spin', 'end')}`);
    await expect(Instance.start(g)).rejects.toThrow(/without waiting/);
  });
});

describe('refused at deployment rather than run wrongly', () => {
  test('§13.2.1 startQuantity and completionQuantity of 0 are refused with the element id', async () => {
    expect(await refusals(`${S}<bpmn:task id="t" startQuantity="0"/>${E()}${chainFlows('start', 't', 'end')}`)).toEqual([expect.objectContaining({ elementId: 't', message: expect.stringMatching(/startQuantity/) })]);
    expect(await refusals(`${S}<bpmn:task id="t" completionQuantity="0"/>${E()}${chainFlows('start', 't', 'end')}`)).toEqual([expect.objectContaining({ elementId: 't', message: expect.stringMatching(/completionQuantity/) })]);
  });
  test('§13.2.6 a negative loopMaximum is refused', async () => {
    const f = await refusals(`${S}<bpmn:task id="t"><bpmn:standardLoopCharacteristics loopMaximum="-1"><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">\${true}</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>${E()}${chainFlows('start', 't', 'end')}`);
    expect(f).toEqual([expect.objectContaining({ elementId: 't', message: expect.stringMatching(/loopMaximum/) })]);
  });
});

describe('BPMN 2.0 §13.3.3 the inclusive join\'s upstream rule, exactly', () => {
  test('§13.3.3 a token that can only reach an incoming flow that already has a token does not hold the join back; it fires the join again later', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${T('quick')}${U('slow')}${U('other')}<bpmn:exclusiveGateway id="merge"/><bpmn:inclusiveGateway id="join"/>${U('after')}${E()}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'quick')}${seq('f2', 'fork', 'slow')}${seq('f3', 'fork', 'other')}
      ${seq('q', 'quick', 'merge')}${seq('s', 'slow', 'merge')}${seq('in1', 'merge', 'join')}${seq('in2', 'other', 'join')}${chainFlows('join', 'after', 'end')}`);
    const i = await Instance.start(g);
    // 'other' can still fill the empty flow in2: the join waits.
    expect(i.parked()).toEqual(['join']);
    expect(i.waiting()).toEqual(['userTask:other', 'userTask:slow']);
    await i.complete('other');
    // 'slow' can only reach in1, which has its token: the join fires with in1 and in2.
    expect(i.waiting()).toEqual(['userTask:after', 'userTask:slow']);
    await i.complete('slow');
    expect(i.waiting()).toEqual(['userTask:after', 'userTask:after']);
    expect(i.path.filter((p) => p === 'join')).toHaveLength(2);
  });
  test('§13.3.3 a token inside a subprocess upstream of an empty flow holds the join back until the subprocess completes', async () => {
    const g = await compile(`${S}<bpmn:inclusiveGateway id="split"/>${U('a')}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${U('inner')}<bpmn:endEvent id="se"/>${chainFlows('ss', 'inner', 'se')}</bpmn:subProcess>
      <bpmn:inclusiveGateway id="join"/>${U('after')}${E()}
      ${seq('f0', 'start', 'split')}${seq('fa', 'split', 'a', '${true}')}${seq('fs', 'split', 'sub', '${true}')}${seq('ja', 'a', 'join')}${seq('js', 'sub', 'join')}${chainFlows('join', 'after', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('a');
    expect(i.waiting()).toEqual(['userTask:inner']);
    await i.complete('inner');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
});

describe('BPMN 2.0 §10.5.6 errors thrown by an event subprocess', () => {
  const X = (id: string) => `<bpmn:serviceTask id="${id}" camunda:type="external" camunda:topic="${id}"/>`;
  const rethrow = '<bpmn:subProcess id="ev" triggeredByEvent="true"><bpmn:startEvent id="es"><bpmn:errorEventDefinition/></bpmn:startEvent><bpmn:endEvent id="ee"><bpmn:errorEventDefinition errorRef="E"/></bpmn:endEvent><bpmn:sequenceFlow id="ev1" sourceRef="es" targetRef="ee"/></bpmn:subProcess>';
  test('§10.5.6 an error thrown inside an error event subprocess goes past its scope: caught by the scope\'s boundary event', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${X('w')}<bpmn:endEvent id="se"/>${chainFlows('ss', 'w', 'se')}${rethrow}</bpmn:subProcess>
      <bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>${U('repair')}${E()}${E('e2')}${chainFlows('start', 'sub', 'end')}${chainFlows('caught', 'repair', 'e2')}`, '<bpmn:error id="E" errorCode="X"/>');
    const i = await Instance.start(g);
    await i.bpmnError('w', 'OTHER');
    expect(i.waiting()).toEqual(['userTask:repair']);
    expect(i.path).toEqual(['start', 'ss', 'es', 'ee', 'caught']);
  });
  test('§10.5.6 … and at the process level, uncaught: the instance fails instead of catching its own error for ever', async () => {
    const g = await compile(`${S}${X('w')}${E()}${chainFlows('start', 'w', 'end')}${rethrow}`, '<bpmn:error id="E" errorCode="X"/>');
    const i = await Instance.start(g);
    await i.bpmnError('w', 'OTHER');
    expect(i.ended).toBe(true);
    expect(i.failure).toMatch(/Unhandled BPMN error 'X'/);
  });
});
