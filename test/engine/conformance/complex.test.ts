import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, seq } from './harness.js';

const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const U = (id: string) => `<bpmn:userTask id="${id}"/>`;
const cx = (id: string, activation?: string) =>
  activation ? `<bpmn:complexGateway id="${id}"><bpmn:activationCondition xsi:type="bpmn:tFormalExpression">${activation.replace(/>/g, '&gt;').replace(/</g, '&lt;')}</bpmn:activationCondition></bpmn:complexGateway>` : `<bpmn:complexGateway id="${id}"/>`;

/** start → fork (parallel) → a, b, c (user tasks) → join (complex) → after (user task) → end */
const threeBranches = (activation: string, extraOut = '') => `${S}<bpmn:parallelGateway id="fork"/>${U('a')}${U('b')}${U('c')}${cx('join', activation)}${U('after')}${E()}${extraOut}
  ${seq('f0', 'start', 'fork')}${seq('fa', 'fork', 'a')}${seq('fb', 'fork', 'b')}${seq('fc', 'fork', 'c')}
  ${seq('ja', 'a', 'join')}${seq('jb', 'b', 'join')}${seq('jc', 'c', 'join')}${seq('jo', 'join', 'after')}${seq('fe', 'after', 'end')}`;

describe('BPMN 2.0 §13.3.5 complex gateway', () => {
  test('§13.3.5 diverging: every outgoing flow whose condition holds is taken, like an inclusive split', async () => {
    const g = await compile(`${S}${cx('split')}${U('x')}${U('y')}${U('z')}${E('e1')}${E('e2')}${E('e3')}
      ${seq('f0', 'start', 'split')}${seq('fx', 'split', 'x', '${n > 1}')}${seq('fy', 'split', 'y', '${n > 2}')}${seq('fz', 'split', 'z', '${n > 5}')}${chainFlows('x', 'e1')}${chainFlows('y', 'e2')}${chainFlows('z', 'e3')}`);
    const i = await Instance.start(g, { n: 3 });
    expect(i.waiting()).toEqual(['userTask:x', 'userTask:y']);
  });

  test('§13.3.5 diverging: the default flow when no condition holds; no condition and no default is an error (nothing starts)', async () => {
    const body = (dflt: string) => `${S}<bpmn:complexGateway id="split"${dflt}/>${U('x')}${U('other')}${E('e1')}${E('e2')}
      ${seq('f0', 'start', 'split')}${seq('fx', 'split', 'x', '${n > 1}')}${seq('fo', 'split', 'other')}${chainFlows('x', 'e1')}${chainFlows('other', 'e2')}`;
    const i = await Instance.start(await compile(body(' default="fo"')), { n: 0 });
    expect(i.waiting()).toEqual(['userTask:other']);
    const strict = await compile(`${S}${cx('split')}${U('x')}${E('e1')}${seq('f0', 'start', 'split')}${seq('fx', 'split', 'x', '${n > 1}')}${chainFlows('x', 'e1')}`);
    await expect(Instance.start(strict, { n: 0 })).rejects.toThrow(/No outgoing sequence flow of 'split' applies/);
  });

  test('§13.3.5 converging, activationCount >= 1 (a discriminator): the first token fires it; the later ones are consumed by its reset and fire nothing', async () => {
    const g = await compile(threeBranches('${activationCount >= 1}'));
    const i = await Instance.start(g);
    await i.complete('b');
    expect(i.path).toEqual(['start', 'fork', 'b', 'join']);
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:after', 'userTask:c']);
    await i.complete('a');
    await i.complete('c');
    // Reset: the tokens from a and c are consumed; 'after' was started once only.
    expect(i.path.filter((p) => p === 'join')).toEqual(['join', 'join']);
    expect(i.waiting()).toEqual(['userTask:after']);
    expect(i.parked()).toEqual([]);
    await i.complete('after');
    expect(i.ended).toBe(true);
  });

  test('§13.3.5 converging, activationCount >= 2 (2 out of 3): one token waits, the second fires it, the third resets it', async () => {
    const g = await compile(threeBranches('${activationCount >= 2}'));
    const i = await Instance.start(g);
    await i.complete('c');
    expect(i.parked()).toEqual(['join']);
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:b']);
    await i.complete('a');
    expect(i.path).toEqual(['start', 'fork', 'c', 'a', 'join']);
    expect(i.waiting()).toEqual(['userTask:after', 'userTask:b']);
    await i.complete('b');
    expect(i.waiting()).toEqual(['userTask:after']);
    expect(i.parked()).toEqual([]);
  });

  test('§13.3.5 the reset phase takes the outgoing flows whose condition holds with waitingForStart = false', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${U('a')}${U('b')}${cx('join', '${activationCount >= 1}')}${U('first')}${U('late')}${E()}${E('e2')}
      ${seq('f0', 'start', 'fork')}${seq('fa', 'fork', 'a')}${seq('fb', 'fork', 'b')}${seq('ja', 'a', 'join')}${seq('jb', 'b', 'join')}
      ${seq('j1', 'join', 'first', '${waitingForStart}')}${seq('j2', 'join', 'late', '${!waitingForStart}')}${chainFlows('first', 'end')}${chainFlows('late', 'e2')}`);
    const i = await Instance.start(g);
    await i.complete('a');
    expect(i.waiting()).toEqual(['userTask:b', 'userTask:first']);
    await i.complete('b');
    expect(i.waiting()).toEqual(['userTask:first', 'userTask:late']);
  });

  test('§13.3.5 waiting for reset does not wait for a flow no token can reach any more (the inclusive join\'s rule)', async () => {
    const g = await compile(`${S}<bpmn:inclusiveGateway id="split"/>${U('a')}${U('b')}${cx('join', '${activationCount >= 1}')}${U('after')}${E()}
      ${seq('f0', 'start', 'split')}${seq('fa', 'split', 'a', '${wantA}')}${seq('fb', 'split', 'b', '${wantB}')}${seq('ja', 'a', 'join')}${seq('jb', 'b', 'join')}${chainFlows('join', 'after', 'end')}`);
    const i = await Instance.start(g, { wantA: true, wantB: false });
    await i.complete('a');
    // Only 'a' was taken: the gateway fired and reset at once, nothing is left parked.
    expect(i.waiting()).toEqual(['userTask:after']);
    expect(i.parked()).toEqual([]);
  });

  test('§13.3.5 an activation condition that never holds leaves the tokens parked at the gateway (the instance deadlocks there)', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${U('a')}${U('b')}${cx('join', '${activationCount >= 3}')}${E()}
      ${seq('f0', 'start', 'fork')}${seq('fa', 'fork', 'a')}${seq('fb', 'fork', 'b')}${seq('ja', 'a', 'join')}${seq('jb', 'b', 'join')}${chainFlows('join', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('a');
    await i.complete('b');
    expect(i.parked()).toEqual(['join', 'join']);
    expect(i.waiting()).toEqual([]);
    expect(i.ended).toBe(false);
  });

  test('§13.3.5 the activation condition can use process data as well as activationCount', async () => {
    const g = await compile(threeBranches('${activationCount >= quorum}'));
    const i = await Instance.start(g, { quorum: 3 });
    await i.complete('a');
    await i.complete('b');
    expect(i.parked()).toEqual(['join', 'join']);
    await i.complete('c');
    expect(i.waiting()).toEqual(['userTask:after']);
  });
});
