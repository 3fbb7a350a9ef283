import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, seq } from './harness.js';

const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const U = (id: string) => `<bpmn:userTask id="${id}"/>`;
const X = (id: string, topic = id) => `<bpmn:serviceTask id="${id}" camunda:type="external" camunda:topic="${topic}"/>`;
const timer = (what: string, text: string) => `<bpmn:timerEventDefinition><bpmn:${what}>${text}</bpmn:${what}></bpmn:timerEventDefinition>`;

describe('BPMN 2.0 §13.5.3 boundary events', () => {
  test('§13.5.3 an interrupting timer cancels the activity and leaves by the boundary', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="late" attachedToRef="work">${timer('timeDuration', 'P2D')}</bpmn:boundaryEvent>${E()}${E('lateEnd')}
      ${chainFlows('start', 'work', 'end')}${seq('fl', 'late', 'lateEnd')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['timer:late', 'userTask:work']);
    await i.fire('late');
    // A cancelled activity does not complete: no end for 'work'.
    expect(i.path).toEqual(['start', 'late', 'lateEnd']);
    expect(i.ended).toBe(true);
  });
  test('§13.5.3 completing the activity removes its boundary subscriptions', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="late" attachedToRef="work">${timer('timeDuration', 'P2D')}</bpmn:boundaryEvent>${U('next')}${E()}${E('lateEnd')}
      ${chainFlows('start', 'work', 'next', 'end')}${seq('fl', 'late', 'lateEnd')}`);
    const i = await Instance.start(g);
    await i.complete('work');
    expect(i.waiting()).toEqual(['userTask:next']);
  });
  test('§13.5.3 a non-interrupting message keeps the activity and can fire again', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="note" attachedToRef="work" cancelActivity="false"><bpmn:messageEventDefinition messageRef="N"/></bpmn:boundaryEvent>${U('read')}${E()}${E('e2')}
      ${chainFlows('start', 'work', 'end')}${chainFlows('note', 'read', 'e2')}`, '<bpmn:message id="N" name="note"/>');
    const i = await Instance.start(g);
    await i.message('N');
    await i.message('N');
    expect(i.waiting()).toEqual(['message:note', 'userTask:read', 'userTask:read', 'userTask:work']);
    await i.complete('work');
    expect(i.waiting()).toEqual(['userTask:read', 'userTask:read']);
  });
  test('§13.5.3 a non-interrupting cycle R3 fires three times, then no more', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="remind" attachedToRef="work" cancelActivity="false">${timer('timeCycle', 'R3/PT1H')}</bpmn:boundaryEvent>${E()}${E('reminded')}
      ${chainFlows('start', 'work', 'end')}${seq('fr', 'remind', 'reminded')}`);
    const i = await Instance.start(g);
    const first = i.dueOf('remind');
    await i.fire('remind');
    expect(i.dueOf('remind').getTime() - first.getTime()).toBe(3600_000);
    await i.fire('remind');
    await i.fire('remind');
    expect(i.waiting()).toEqual(['userTask:work']);
    expect(i.path.filter((p) => p === 'reminded')).toHaveLength(3);
  });
  test('§13.5.3 a signal boundary event interrupts', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="stop" attachedToRef="work"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:boundaryEvent>${E()}${E('stopped')}
      ${chainFlows('start', 'work', 'end')}${seq('fs', 'stop', 'stopped')}`, '<bpmn:signal id="Sg" name="halt"/>');
    const i = await Instance.start(g);
    await i.signal('halt');
    expect(i.path).toEqual(['start', 'stop', 'stopped']);
  });
  test('§13.5.3 a conditional boundary event fires when its condition becomes true', async () => {
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="cond" attachedToRef="work"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">\${urgent}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:boundaryEvent>${E()}${E('fast')}
      ${chainFlows('start', 'work', 'end')}${seq('fc', 'cond', 'fast')}`);
    const i = await Instance.start(g, { urgent: false });
    expect(i.waiting()).toEqual(['userTask:work']);
    await i.setVars({ urgent: true });
    expect(i.path).toEqual(['start', 'cond', 'fast']);
  });
});

describe('BPMN 2.0 §10.5 errors and escalations', () => {
  test('§10.5.6 a BPMN error from an external task is caught by its error boundary event (by code)', async () => {
    const g = await compile(`${S}${X('pay')}<bpmn:boundaryEvent id="other" attachedToRef="pay"><bpmn:errorEventDefinition errorRef="E2"/></bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="failed" attachedToRef="pay"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>${E()}${E('e1')}${E('e2')}
      ${chainFlows('start', 'pay', 'end')}${seq('ff', 'failed', 'e1')}${seq('fo', 'other', 'e2')}`, '<bpmn:error id="E1" errorCode="DECLINED"/><bpmn:error id="E2" errorCode="OTHER"/>');
    const i = await Instance.start(g);
    await i.bpmnError('pay', 'DECLINED');
    expect(i.path).toEqual(['start', 'failed', 'e1']);
  });
  test('§10.5.6 an error end event in a subprocess is caught on the subprocess boundary', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>${seq('s1', 'ss', 'boom')}</bpmn:subProcess>
      <bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>${E()}${E('handled')}
      ${chainFlows('start', 'sub', 'end')}${seq('fc', 'caught', 'handled')}`, '<bpmn:error id="E1" errorCode="X"/>');
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'ss', 'boom', 'caught', 'handled']);
    expect(i.ended).toBe(true);
    expect(i.failure).toBeUndefined();
  });
  test('§10.5.6 an uncaught error end event fails the instance (it does not complete)', async () => {
    const g = await compile(`${S}<bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>${seq('f', 'start', 'boom')}`, '<bpmn:error id="E1" errorCode="X"/>');
    const i = await Instance.start(g);
    expect(i.ended).toBe(true);
    expect(i.failure).toMatch(/Unhandled BPMN error 'X'/);
  });
  test('§10.5.7 an escalation caught non-interrupting on the subprocess lets the thrower go on', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:intermediateThrowEvent id="esc"><bpmn:escalationEventDefinition escalationRef="Es"/></bpmn:intermediateThrowEvent>${U('inner')}<bpmn:endEvent id="se"/>
      ${chainFlows('ss', 'esc', 'inner', 'se')}</bpmn:subProcess>
      <bpmn:boundaryEvent id="up" attachedToRef="sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="Es"/></bpmn:boundaryEvent>${U('boss')}${E()}${E('e2')}
      ${chainFlows('start', 'sub', 'end')}${chainFlows('up', 'boss', 'e2')}`, '<bpmn:escalation id="Es" escalationCode="LATE"/>');
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:boss', 'userTask:inner']);
  });
  test('§10.5.7 an uncaught escalation changes nothing', async () => {
    const g = await compile(`${S}<bpmn:intermediateThrowEvent id="esc"><bpmn:escalationEventDefinition escalationRef="Es"/></bpmn:intermediateThrowEvent>${U('next')}${E()}${chainFlows('start', 'esc', 'next', 'end')}`, '<bpmn:escalation id="Es" escalationCode="LATE"/>');
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:next']);
  });
});

describe('BPMN 2.0 §13.5 other events', () => {
  test('§13.5.6 a terminate end event ends every token of the process', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${U('a')}<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'a')}${seq('f2', 'fork', 'stop')}${E()}${seq('f3', 'a', 'end')}`);
    const i = await Instance.start(g);
    expect(i.ended).toBe(true);
    expect(i.failure).toBeUndefined();
    expect(i.path).toEqual(['start', 'fork', 'stop']);
  });
  test('§13.5.6 a terminate end event in a subprocess ends only the subprocess', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:parallelGateway id="fork"/>${U('inner')}<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>
      ${seq('s0', 'ss', 'fork')}${seq('s1', 'fork', 'inner')}${seq('s2', 'fork', 'stop')}<bpmn:endEvent id="se"/>${seq('s3', 'inner', 'se')}</bpmn:subProcess>${U('after')}${E()}
      ${chainFlows('start', 'sub', 'after', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§10.5.5 link events jump to the catch of the same name', async () => {
    const g = await compile(`${S}<bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>${U('there')}${E()}
      ${seq('f0', 'start', 'go')}${chainFlows('land', 'there', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'go', 'land']);
    expect(i.waiting()).toEqual(['userTask:there']);
  });
  test('§10.5.4 an intermediate conditional catch waits until its condition holds', async () => {
    const g = await compile(`${S}<bpmn:intermediateCatchEvent id="until"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">\${paid}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>${E()}
      ${chainFlows('start', 'until', 'end')}`);
    const i = await Instance.start(g, { paid: false });
    expect(i.ended).toBe(false);
    await i.setVars({ paid: true });
    expect(i.path).toEqual(['start', 'until', 'end']);
  });
  test('§10.5.4 a signal throw is reported for broadcast and caught in the same instance', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/><bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:intermediateCatchEvent>
      <bpmn:intermediateThrowEvent id="send"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:intermediateThrowEvent>${U('after')}${E()}${E('e2')}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'wait')}${chainFlows('wait', 'after', 'end')}${seq('f2', 'fork', 'send')}${seq('f3', 'send', 'e2')}`, '<bpmn:signal id="Sg" name="go"/>');
    const i = await Instance.start(g);
    expect(i.thrown).toEqual(['go']);
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§10.5.5 timers: an R2 cycle with a start instant in the past skips the repetitions already over', async () => {
    const start = new Date(Date.now() - 90 * 60_000).toISOString();
    const g = await compile(`${S}${U('work')}<bpmn:boundaryEvent id="tick" attachedToRef="work" cancelActivity="false">${timer('timeCycle', `R3/${start}/PT1H`)}</bpmn:boundaryEvent>${E()}${E('t')}
      ${chainFlows('start', 'work', 'end')}${seq('ft', 'tick', 't')}`);
    const i = await Instance.start(g);
    const due = i.dueOf('tick').getTime();
    expect(due - Date.parse(start)).toBe(2 * 3600_000);
  });
  test('§10.5.5 a timeDate timer is due at that instant; an expression is evaluated when armed', async () => {
    const g = await compile(`${S}<bpmn:intermediateCatchEvent id="at">${timer('timeDate', '${when}')}</bpmn:intermediateCatchEvent>${E()}${chainFlows('start', 'at', 'end')}`);
    const i = await Instance.start(g, { when: '2030-01-02T03:04:05Z' });
    expect(i.dueOf('at').toISOString()).toBe('2030-01-02T03:04:05.000Z');
    await i.fire('at');
    expect(i.ended).toBe(true);
  });
});

describe('BPMN 2.0 §13.4.4 event subprocesses', () => {
  test('§13.4.4 an interrupting message event subprocess cancels the rest of its scope', async () => {
    const g = await compile(`${S}${U('work')}${E()}${chainFlows('start', 'work', 'end')}
      <bpmn:subProcess id="cancelIt" triggeredByEvent="true"><bpmn:startEvent id="cs"><bpmn:messageEventDefinition messageRef="C"/></bpmn:startEvent>${U('undo')}<bpmn:endEvent id="ce"/>${chainFlows('cs', 'undo', 'ce')}</bpmn:subProcess>`,
    '<bpmn:message id="C" name="cancel"/>');
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['message:cs', 'userTask:work']);
    await i.message('C');
    expect(i.waiting()).toEqual(['userTask:undo']);
    await i.complete('undo');
    expect(i.ended).toBe(true);
    expect(i.path).toEqual(['start', 'cs', 'undo', 'ce', 'cancelIt']);
  });
  test('§13.4.4 a non-interrupting timer event subprocess runs beside the scope', async () => {
    const g = await compile(`${S}${U('work')}${E()}${chainFlows('start', 'work', 'end')}
      <bpmn:subProcess id="nag" triggeredByEvent="true"><bpmn:startEvent id="ns" isInterrupting="false">${timer('timeDuration', 'P1D')}</bpmn:startEvent>${U('remind')}<bpmn:endEvent id="ne"/>${chainFlows('ns', 'remind', 'ne')}</bpmn:subProcess>`);
    const i = await Instance.start(g);
    await i.fire('ns');
    expect(i.waiting()).toEqual(['userTask:remind', 'userTask:work']);
    await i.complete('work');
    expect(i.ended).toBe(false);
    await i.complete('remind');
    expect(i.ended).toBe(true);
  });
  test('§13.4.4 an error event subprocess catches an error thrown in its scope', async () => {
    const g = await compile(`${S}${X('job')}${E()}${chainFlows('start', 'job', 'end')}
      <bpmn:subProcess id="onError" triggeredByEvent="true"><bpmn:startEvent id="es"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:startEvent>${U('fix')}<bpmn:endEvent id="ee"/>${chainFlows('es', 'fix', 'ee')}</bpmn:subProcess>`,
    '<bpmn:error id="E1" errorCode="BAD"/>');
    const i = await Instance.start(g);
    await i.bpmnError('job', 'BAD');
    expect(i.waiting()).toEqual(['userTask:fix']);
  });
});

describe('BPMN 2.0 §10.5.1 multiple and parallel multiple events', () => {
  const SIG = '<bpmn:signal id="S1" name="mot"/><bpmn:signal id="S2" name="hai"/>';
  const catchBoth = (attrs = '') => `<bpmn:intermediateCatchEvent id="both"${attrs}><bpmn:signalEventDefinition signalRef="S1"/><bpmn:signalEventDefinition signalRef="S2"/></bpmn:intermediateCatchEvent>`;
  test('§10.5.1 a multiple catch event completes on the first of its definitions; the others are dropped', async () => {
    const g = await compile(`${S}${catchBoth()}${U('after')}${E()}${chainFlows('start', 'both', 'after', 'end')}`, SIG);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['message:both', 'message:both']);
    await i.signal('hai');
    expect(i.waiting()).toEqual(['userTask:after']);
    await i.signal('mot');
    expect(i.path).toEqual(['start', 'both']);
  });
  test('§10.5.1 a parallel multiple catch event waits for all of its definitions', async () => {
    const g = await compile(`${S}${catchBoth(' parallelMultiple="true"')}${U('after')}${E()}${chainFlows('start', 'both', 'after', 'end')}`, SIG);
    const i = await Instance.start(g);
    await i.signal('mot');
    expect(i.waiting()).toEqual(['message:both']);
    await i.signal('mot');
    expect(i.waiting()).toEqual(['message:both']);
    await i.signal('hai');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§10.5.1 a multiple catch of a signal and a timer: the timer can win', async () => {
    const g = await compile(`${S}<bpmn:intermediateCatchEvent id="either"><bpmn:signalEventDefinition signalRef="S1"/>${timer('timeDuration', 'P1D')}</bpmn:intermediateCatchEvent>${U('after')}${E()}${chainFlows('start', 'either', 'after', 'end')}`, SIG);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['message:either', 'timer:either']);
    await i.fire('either');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('§10.5.1 a multiple throw event throws every definition', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${catchBoth(' parallelMultiple="true"')}<bpmn:intermediateThrowEvent id="shout"><bpmn:signalEventDefinition signalRef="S1"/><bpmn:signalEventDefinition signalRef="S2"/></bpmn:intermediateThrowEvent>${U('after')}${E()}${E('e2')}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'both')}${seq('f2', 'fork', 'shout')}${chainFlows('both', 'after', 'end')}${seq('f3', 'shout', 'e2')}`, SIG);
    const i = await Instance.start(g);
    expect(i.thrown).toEqual(['mot', 'hai']);
    expect(i.waiting()).toEqual(['userTask:after']);
  });
  test('multiple events of other kinds (a message with a signal, a multiple boundary) are refused at deployment', async () => {
    const { refusals } = await import('./harness.js');
    const f = await refusals(`${S}<bpmn:intermediateCatchEvent id="mix"><bpmn:messageEventDefinition messageRef="M"/><bpmn:signalEventDefinition signalRef="S1"/></bpmn:intermediateCatchEvent>${E()}${chainFlows('start', 'mix', 'end')}`, `${SIG}<bpmn:message id="M" name="m"/>`);
    expect(f).toEqual([expect.objectContaining({ elementId: 'mix', message: expect.stringMatching(/Multiple events/) })]);
  });
});

describe('BPMN 2.0 §10.5.4 a signal thrown in one branch of a split', () => {
  test('§10.5.4 it reaches the catch event of a sibling branch that the split places after the thrower', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/><bpmn:intermediateThrowEvent id="shout"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:intermediateThrowEvent><bpmn:intermediateCatchEvent id="hear"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:intermediateCatchEvent>${U('after')}${E()}${E('e2')}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'shout')}${seq('f2', 'fork', 'hear')}${seq('f3', 'shout', 'e2')}${chainFlows('hear', 'after', 'end')}`, '<bpmn:signal id="Sg" name="go"/>');
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:after']);
    expect(i.thrown).toEqual(['go']);
  });
});
