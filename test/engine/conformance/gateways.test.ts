import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, seq } from './harness.js';

const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const U = (id: string) => `<bpmn:userTask id="${id}"/>`;

describe('BPMN 2.0 §13.3.2 exclusive gateway', () => {
  test('§13.3.2 takes the first flow whose condition holds, in document order', async () => {
    const g = await compile(`${S}<bpmn:exclusiveGateway id="gw" default="d"/>${U('a')}${U('b')}${U('c')}${E()}
      ${seq('f0', 'start', 'gw')}${seq('fa', 'gw', 'a', '${x > 1}')}${seq('fb', 'gw', 'b', '${x > 0}')}${seq('d', 'gw', 'c')}
      ${chainFlows('a', 'end')}${seq('fb2', 'b', 'end')}${seq('fc2', 'c', 'end')}`);
    const i = await Instance.start(g, { x: 5 });
    expect(i.waiting()).toEqual(['userTask:a']);
    const j = await Instance.start(g, { x: 1 });
    expect(j.waiting()).toEqual(['userTask:b']);
  });
  test('§13.3.2 the default flow is taken only when no condition holds', async () => {
    const g = await compile(`${S}<bpmn:exclusiveGateway id="gw" default="d"/>${U('a')}${U('c')}${E()}
      ${seq('f0', 'start', 'gw')}${seq('fa', 'gw', 'a', '${x > 1}')}${seq('d', 'gw', 'c')}${chainFlows('a', 'end')}${seq('fc', 'c', 'end')}`);
    const i = await Instance.start(g, { x: 0 });
    expect(i.waiting()).toEqual(['userTask:c']);
    expect(i.path).toEqual(['start', 'gw']);
  });
  test('§13.3.2 no condition holds and no default: the command fails and nothing is started', async () => {
    const g = await compile(`${S}<bpmn:exclusiveGateway id="gw"/>${U('a')}${E()}${seq('f0', 'start', 'gw')}${seq('fa', 'gw', 'a', '${x > 1}')}${chainFlows('a', 'end')}`);
    await expect(Instance.start(g, { x: 0 })).rejects.toThrow(/No outgoing sequence flow of 'gw'/);
  });
  test('§13.3.2 a converging exclusive gateway passes every token on (no synchronisation)', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/><bpmn:exclusiveGateway id="merge"/>${U('after')}${E()}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'merge')}${seq('f2', 'fork', 'merge')}${chainFlows('merge', 'after', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:after', 'userTask:after']);
  });
});

describe('BPMN 2.0 §13.3.1 parallel gateway', () => {
  test('§13.3.1 forks on every outgoing flow and ignores their conditions', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${U('a')}${U('b')}<bpmn:parallelGateway id="join"/>${E()}
      ${seq('f0', 'start', 'fork')}${seq('fa', 'fork', 'a', '${false}')}${seq('fb', 'fork', 'b')}${seq('ja', 'a', 'join')}${seq('jb', 'b', 'join')}${chainFlows('join', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:b']);
    await i.complete('a');
    expect(i.parked()).toEqual(['join']);
    expect(i.ended).toBe(false);
    await i.complete('b');
    expect(i.path).toEqual(['start', 'fork', 'a', 'b', 'join', 'end']);
    expect(i.ended).toBe(true);
  });
  test('§13.3.1 a parallel join after an exclusive split that took one branch deadlocks', async () => {
    const g = await compile(`${S}<bpmn:exclusiveGateway id="x" default="fb"/>${U('a')}${U('b')}<bpmn:parallelGateway id="join"/>${E()}
      ${seq('f0', 'start', 'x')}${seq('fa', 'x', 'a', '${go}')}${seq('fb', 'x', 'b')}${seq('ja', 'a', 'join')}${seq('jb', 'b', 'join')}${chainFlows('join', 'end')}`);
    const i = await Instance.start(g, { go: true });
    await i.complete('a');
    expect(i.ended).toBe(false);
    expect(i.parked()).toEqual(['join']);
    expect(i.waiting()).toEqual([]);
  });
});

describe('BPMN 2.0 §13.3.3 inclusive gateway', () => {
  const body = `${S}<bpmn:inclusiveGateway id="split" default="fc"/>${U('a')}${U('b')}${U('c')}<bpmn:inclusiveGateway id="join"/>${E()}
    ${seq('f0', 'start', 'split')}${seq('fa', 'split', 'a', '${x > 0}')}${seq('fb', 'split', 'b', '${x > 10}')}${seq('fc', 'split', 'c')}
    ${seq('ja', 'a', 'join')}${seq('jb', 'b', 'join')}${seq('jc', 'c', 'join')}${chainFlows('join', 'end')}`;
  test('§13.3.3 split takes every flow whose condition holds', async () => {
    const i = await Instance.start(await compile(body), { x: 11 });
    expect(i.waiting()).toEqual(['userTask:a', 'userTask:b']);
  });
  test('§13.3.3 split takes the default flow only when no condition holds', async () => {
    const i = await Instance.start(await compile(body), { x: 0 });
    expect(i.waiting()).toEqual(['userTask:c']);
    await i.complete('c');
    expect(i.path).toEqual(['start', 'split', 'c', 'join', 'end']);
  });
  test('§13.3.3 join waits while a token upstream can still reach it, then fires once', async () => {
    const i = await Instance.start(await compile(body), { x: 11 });
    await i.complete('a');
    expect(i.parked()).toEqual(['join']);
    await i.complete('b');
    expect(i.path).toEqual(['start', 'split', 'a', 'b', 'join', 'end']);
    expect(i.ended).toBe(true);
  });
  test('§13.3.3 join fires with one token when only one branch was taken', async () => {
    const i = await Instance.start(await compile(body), { x: 1 });
    await i.complete('a');
    expect(i.path).toEqual(['start', 'split', 'a', 'join', 'end']);
  });
  test('§13.3.3 join fires when the other token ends elsewhere (no path left to the join)', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${U('a')}${U('b')}<bpmn:exclusiveGateway id="x" default="toEnd"/><bpmn:inclusiveGateway id="join"/>${E()}${E('away')}
      ${seq('f0', 'start', 'fork')}${seq('fa', 'fork', 'a')}${seq('fb', 'fork', 'b')}${seq('ja', 'a', 'join')}${seq('fbx', 'b', 'x')}
      ${seq('toJoin', 'x', 'join', '${back}')}${seq('toEnd', 'x', 'away')}${chainFlows('join', 'end')}`);
    const i = await Instance.start(g, { back: false });
    await i.complete('a');
    expect(i.parked()).toEqual(['join']);
    await i.complete('b');
    expect(i.path).toEqual(['start', 'fork', 'a', 'b', 'x', 'away', 'join', 'end']);
    expect(i.ended).toBe(true);
  });
});

describe('BPMN 2.0 §13.3.4 event-based gateway', () => {
  const body = `${S}<bpmn:eventBasedGateway id="ebg"/>
    <bpmn:intermediateCatchEvent id="msg"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="tmr"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="sig"><bpmn:signalEventDefinition signalRef="Sg"/></bpmn:intermediateCatchEvent>
    <bpmn:receiveTask id="rcv" messageRef="R"/>${E()}${E('late')}
    ${seq('f0', 'start', 'ebg')}${seq('f1', 'ebg', 'msg')}${seq('f2', 'ebg', 'tmr')}${seq('f3', 'ebg', 'sig')}${seq('f4', 'ebg', 'rcv')}
    ${seq('f5', 'msg', 'end')}${seq('f6', 'tmr', 'late')}${seq('f7', 'sig', 'late')}${seq('f8', 'rcv', 'end')}`;
  const extra = '<bpmn:message id="M" name="m"/><bpmn:message id="R" name="r"/><bpmn:signal id="Sg" name="sg"/>';
  test('§13.3.4 waits for all its events; the first one wins and the others are dropped', async () => {
    const g = await compile(body, extra);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['message:msg', 'message:rcv', 'message:sig', 'timer:tmr']);
    await i.message('M');
    expect(i.path).toEqual(['start', 'ebg', 'msg', 'end']);
    expect(i.ended).toBe(true);
  });
  test('§13.3.4 the timer branch', async () => {
    const i = await Instance.start(await compile(body, extra));
    await i.fire('tmr');
    expect(i.path).toEqual(['start', 'ebg', 'tmr', 'late']);
  });
  test('§13.3.4 a receive task after the gateway completes on its message', async () => {
    const i = await Instance.start(await compile(body, extra));
    await i.message('R');
    expect(i.path).toEqual(['start', 'ebg', 'rcv', 'end']);
  });
  test('§13.3.4 the signal branch', async () => {
    const i = await Instance.start(await compile(body, extra));
    await i.signal('sg');
    expect(i.path).toEqual(['start', 'ebg', 'sig', 'late']);
  });
});

describe('expressions: the JUEL method calls models use', () => {
  test('§13.3.3 conditions may call contains/size/isEmpty on strings and lists (read-only, evaluated by the engine); any other method is refused at deployment', async () => {
    const { refusals } = await import('./harness.js');
    const body = (c1: string, c2: string) => `<bpmn:startEvent id="start"/><bpmn:inclusiveGateway id="split"/><bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:endEvent id="end"/>
      ${seq('f0', 'start', 'split')}${seq('fa', 'split', 'a', c1)}${seq('fb', 'split', 'b', c2)}${seq('a1', 'a', 'end')}${seq('b1', 'b', 'end')}`;
    const g = await compile(body('${test.contains("a")}', '${tags.size() > 1 && !tags.isEmpty()}'));
    expect((await Instance.start(g, { test: 'ab', tags: ['x', 'y'] })).waiting()).toEqual(['userTask:a', 'userTask:b']);
    expect((await Instance.start(g, { test: 'ab', tags: ['x'] })).waiting()).toEqual(['userTask:a']);
    const f = await refusals(body('${execution.getVariable("x")}', '${true}'));
    expect(f).toEqual([expect.objectContaining({ elementId: 'fa', message: expect.stringMatching(/method calls/) })]);
  });
});
