import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, refusals, seq } from './harness.js';

/**
 * BPMN 2.0 §13.2.7 (multi-instance execution) with §10.2.8's `behavior`: the events a multi-instance
 * activity throws as its instances complete — None: the noneBehaviorEventRef definition at every
 * completion; One: the oneBehaviorEventRef one at the first; Complex: each complexBehaviorDefinition
 * whose condition holds; All (the default): none. They are thrown from the activity, so its boundary
 * events catch them (and a signal is broadcast).
 */
const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const U = (id: string) => `<bpmn:userTask id="${id}"/>`;
const SIGNAL = '<bpmn:signal id="Sg" name="firstDone"/><bpmn:signalEventDefinition id="sdef" signalRef="Sg"/>';
const ESC = '<bpmn:escalation id="Es" escalationCode="DONE"/><bpmn:escalationEventDefinition id="edef" escalationRef="Es"/>';
const mi = (loop: string, attrs = '') => `<bpmn:userTask id="t"><bpmn:multiInstanceLoopCharacteristics ${attrs}><bpmn:loopCardinality>3</bpmn:loopCardinality>${loop}</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>`;
const boundary = (def: string, interrupting: boolean, to: string) =>
  `<bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="${interrupting}">${def}</bpmn:boundaryEvent>${seq('fb', 'b', to)}`;
const signalCatch = '<bpmn:signalEventDefinition signalRef="Sg"/>';
const escCatch = '<bpmn:escalationEventDefinition escalationRef="Es"/>';

describe('BPMN 2.0 §13.2.7 / §10.2.8 multi-instance behavior', () => {
  test('§10.2.8 behavior One: the oneBehaviorEventRef signal is thrown when the first instance completes, once; the activity\'s own (interrupting) boundary event starts its path and the activity goes on to completion', async () => {
    const g = await compile(`${S}${mi('', 'behavior="One" oneBehaviorEventRef="sdef"')}${U('after')}${E()}${boundary(signalCatch, true, 'notify')}${U('notify')}${E('e2')}
      ${chainFlows('start', 't', 'after', 'end')}${seq('fn', 'notify', 'e2')}`, SIGNAL);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['message:b', 'userTask:t', 'userTask:t', 'userTask:t']);
    await i.complete('t');
    expect(i.thrown).toEqual(['firstDone']);
    expect(i.path).toEqual(['start', 't', 'b']);
    expect(i.waiting()).toEqual(['message:b', 'userTask:notify', 'userTask:t', 'userTask:t']);
    await i.complete('t');
    await i.complete('t');
    expect(i.thrown).toEqual(['firstDone']);
    expect(i.path).toEqual(['start', 't', 'b', 't', 't']);
    expect(i.waiting()).toEqual(['userTask:after', 'userTask:notify']);
  });

  test('§10.2.8 behavior None: the noneBehaviorEventRef escalation is thrown at every completed instance; a non-interrupting boundary catches each', async () => {
    const g = await compile(`${S}${mi('', 'isSequential="true" behavior="None" noneBehaviorEventRef="edef"')}${U('after')}${E()}${boundary(escCatch, false, 'counted')}<bpmn:task id="counted"/>${E('e2')}
      ${chainFlows('start', 't', 'after', 'end')}${seq('fc', 'counted', 'e2')}`, ESC);
    const i = await Instance.start(g);
    for (let k = 1; k <= 3; k++) {
      await i.complete('t');
      expect(i.path.filter((p) => p === 'counted')).toHaveLength(k);
    }
    expect(i.path).toEqual(['start', 't', 'b', 'counted', 'e2', 't', 'b', 'counted', 'e2', 't', 'b', 'counted', 'e2']);
    expect(i.waiting()).toEqual(['userTask:after']);
  });

  test('§10.2.8 behavior Complex: when a complexBehaviorDefinition\'s condition holds (nrOfCompletedInstances == 2) its event is thrown, the remaining instance is cancelled and the activity produces its token (Table 10.29)', async () => {
    const cbd = `<bpmn:complexBehaviorDefinition id="cbd"><bpmn:condition xsi:type="bpmn:tFormalExpression">\${nrOfCompletedInstances == 2}</bpmn:condition><bpmn:event id="ite"><bpmn:escalationEventDefinition escalationRef="Es"/></bpmn:event></bpmn:complexBehaviorDefinition>`;
    const g = await compile(`${S}${mi(cbd, 'behavior="Complex"')}${U('after')}${E()}${boundary(escCatch, true, 'enough')}${U('enough')}${E('e2')}
      ${chainFlows('start', 't', 'after', 'end')}${seq('fe', 'enough', 'e2')}`, '<bpmn:escalation id="Es" escalationCode="DONE"/>');
    const i = await Instance.start(g);
    await i.complete('t');
    expect(i.waiting()).toEqual(['userTask:t', 'userTask:t']);
    await i.complete('t');
    expect(i.path).toEqual(['start', 't', 't', 'b']);
    expect(i.waiting()).toEqual(['userTask:after', 'userTask:enough']);
    await i.complete('enough');
    await i.complete('after');
    expect(i.path).toEqual(['start', 't', 't', 'b', 'enough', 'e2', 'after', 'end']);
    expect(i.ended).toBe(true);
  });

  test('§10.2.8 an escalation no boundary event catches goes outwards, to the process (and to a calling process)', async () => {
    const g = await compile(`${S}${mi('', 'behavior="One" oneBehaviorEventRef="edef"')}${E()}${chainFlows('start', 't', 'end')}`, ESC);
    const i = await Instance.start(g);
    await i.complete('t');
    await i.complete('t');
    await i.complete('t');
    expect(i.path).toEqual(['start', 't', 't', 't', 'end']);
    expect(i.ended).toBe(true);
  });

  test('§10.2.8 a behavior signal is broadcast: an intermediate catch on a parallel branch receives it', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${mi('', 'behavior="One" oneBehaviorEventRef="sdef"')}<bpmn:intermediateCatchEvent id="wait">${signalCatch}</bpmn:intermediateCatchEvent>${U('heard')}${E()}${E('e2')}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 't')}${seq('f2', 'fork', 'wait')}${seq('f3', 't', 'end')}${chainFlows('wait', 'heard', 'e2')}`, SIGNAL);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['message:wait', 'userTask:t', 'userTask:t', 'userTask:t']);
    await i.complete('t');
    expect(i.thrown).toEqual(['firstDone']);
    expect(i.waiting()).toEqual(['userTask:heard', 'userTask:t', 'userTask:t']);
  });

  test('§10.2.8 behavior All (the default) throws nothing, even with event refs given', async () => {
    const g = await compile(`${S}${mi('', 'behavior="All" oneBehaviorEventRef="sdef" noneBehaviorEventRef="sdef"')}${U('after')}${E()}${boundary(signalCatch, false, 'notify')}${U('notify')}${E('e2')}
      ${chainFlows('start', 't', 'after', 'end')}${seq('fn', 'notify', 'e2')}`, SIGNAL);
    const i = await Instance.start(g);
    for (let k = 0; k < 3; k++) await i.complete('t');
    expect(i.thrown).toEqual([]);
    expect(i.waiting()).toEqual(['userTask:after']);
  });

  test.each([
    ['One without oneBehaviorEventRef', mi('', 'behavior="One"'), /behavior One needs oneBehaviorEventRef/],
    ['None without noneBehaviorEventRef', mi('', 'behavior="None"'), /behavior None needs noneBehaviorEventRef/],
    ['Complex without a complexBehaviorDefinition', mi('', 'behavior="Complex"'), /behavior Complex needs a complexBehaviorDefinition/],
    ['a ref to a message event definition', mi('', 'behavior="One" oneBehaviorEventRef="mdef"'), /throws signals and escalations; oneBehaviorEventRef names a message/],
    ['a complexBehaviorDefinition without a condition', mi('<bpmn:complexBehaviorDefinition id="c"><bpmn:event id="ite"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:event></bpmn:complexBehaviorDefinition>', 'behavior="Complex"'), /complexBehaviorDefinition needs a condition/],
  ])('§10.2.8 refused at deployment, naming the activity: %s', async (_what, task, pattern) => {
    const found = await refusals(`${S}${task}${E()}${chainFlows('start', 't', 'end')}`, `${SIGNAL}<bpmn:message id="M" name="m"/><bpmn:messageEventDefinition id="mdef" messageRef="M"/>`);
    expect(found).toEqual([expect.objectContaining({ elementId: 't', message: expect.stringMatching(pattern) })]);
  });
});
