import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance } from './harness.js';

/**
 * Camunda 7 async continuations: camunda:asyncBefore ends the command before the activity starts,
 * camunda:asyncAfter after it completes; a job (a timer row due at once) carries the token on in a
 * command of its own. In memory the job shows as a due timer at the activity.
 */
const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;

describe('camunda:asyncBefore / asyncAfter (jobs)', () => {
  test('asyncBefore: the token waits before the activity as a job due now; running the job starts it', async () => {
    const g = await compile(`${S}<bpmn:userTask id="review" camunda:asyncBefore="true"/>${E()}${chainFlows('start', 'review', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['timer:review']);
    expect(i.path).toEqual(['start']);
    expect(i.dueOf('review').getTime()).toBeLessThanOrEqual(Date.now());
    await i.fire('review');
    expect(i.waiting()).toEqual(['userTask:review']);
    await i.complete('review');
    expect(i.path).toEqual(['start', 'review', 'end']);
  });
  test('asyncAfter: the activity completes in its own command; the job takes the outgoing flows', async () => {
    const g = await compile(`${S}<bpmn:userTask id="review" camunda:asyncAfter="true"/><bpmn:userTask id="sign"/>${E()}${chainFlows('start', 'review', 'sign', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('review');
    expect(i.path).toEqual(['start', 'review']);
    expect(i.waiting()).toEqual(['timer:review']);
    await i.fire('review');
    expect(i.waiting()).toEqual(['userTask:sign']);
  });
  test('asyncBefore on a start event and on an activity that never waits', async () => {
    const g = await compile(`<bpmn:startEvent id="start" camunda:asyncBefore="true"/><bpmn:task id="t" camunda:asyncBefore="true" camunda:asyncAfter="true"/>${E()}${chainFlows('start', 't', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['timer:start']);
    await i.fire('start');
    expect(i.waiting()).toEqual(['timer:t']);
    await i.fire('t');
    expect(i.waiting()).toEqual(['timer:t']);
    expect(i.path).toEqual(['start', 't']);
    await i.fire('t');
    expect(i.ended).toBe(true);
  });
  test('§13.5.3 an interrupting boundary event on an asyncAfter activity that has completed does not fire any more', async () => {
    const g = await compile(`${S}<bpmn:userTask id="review" camunda:asyncAfter="true"/><bpmn:boundaryEvent id="late" attachedToRef="review"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>${E()}${E('lateEnd')}
      ${chainFlows('start', 'review', 'end')}${chainFlows('late', 'lateEnd')}`);
    const i = await Instance.start(g);
    await i.complete('review');
    expect(i.waiting()).toEqual(['timer:review']);
    await i.fire('review');
    expect(i.path).toEqual(['start', 'review', 'end']);
  });
});
