import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, refusals, seq } from './harness.js';

/**
 * Data (BPMN 2.0 §10.3 data, §13.2 activity scopes) as Camunda 7 maps it: camunda:inputOutput.
 * Inputs are evaluated as the activity starts and become its local variables (a subprocess's are
 * seen by everything inside it); outputs are evaluated as it completes and written to the
 * enclosing scope, or the instance. Variables set from outside go to the nearest scope that has
 * them locally, else to the instance.
 */
const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const io = (inner: string) => `<bpmn:extensionElements><camunda:inputOutput>${inner}</camunda:inputOutput></bpmn:extensionElements>`;
const inp = (name: string, v: string) => `<camunda:inputParameter name="${name}">${v}</camunda:inputParameter>`;
const out = (name: string, v: string) => `<camunda:outputParameter name="${name}">${v}</camunda:outputParameter>`;

describe('camunda:inputOutput on a task (§13.2 activity data)', () => {
  test('inputs: literal, expression, list and map become local variables of the task only', async () => {
    const g = await compile(`${S}<bpmn:userTask id="review">${io(`${inp('level', 'xa')}${inp('limit', '${fee * 2}')}${inp('who', '<camunda:list><camunda:value>an</camunda:value><camunda:value>${boss}</camunda:value></camunda:list>')}${inp('cfg', '<camunda:map><camunda:entry key="k">${fee}</camunda:entry></camunda:map>')}`)}</bpmn:userTask>${E()}${chainFlows('start', 'review', 'end')}`);
    const i = await Instance.start(g, { fee: 10, boss: 'binh' });
    expect(i.locals('review')).toEqual({ level: 'xa', limit: 20, who: ['an', 'binh'], cfg: { k: 10 } });
    expect(i.evalAt('review', '${level == "xa" && limit > fee}')).toBe(true);
    expect(i.vars).toEqual({ fee: 10, boss: 'binh' });
    await i.complete('review');
    expect(i.ended).toBe(true);
    expect(i.vars).toEqual({ fee: 10, boss: 'binh' });
  });
  test('outputs: evaluated on completion with the task\'s locals, written to the instance, seen by the outgoing conditions', async () => {
    const g = await compile(`${S}<bpmn:userTask id="review">${io(`${inp('base', '${fee}')}${out('total', '${base + extra}')}`)}</bpmn:userTask><bpmn:exclusiveGateway id="gw" default="small"/>${E('big')}${E('smallEnd')}
      ${chainFlows('start', 'review', 'gw')}${seq('large', 'gw', 'big', '${total > 100}')}${seq('small', 'gw', 'smallEnd')}`);
    const i = await Instance.start(g, { fee: 90 });
    await i.complete('review', { extra: 20 });
    expect(i.vars.total).toBe(110);
    expect(i.path).toEqual(['start', 'review', 'gw', 'big']);
    expect(i.vars.base).toBeUndefined();
  });
  test('a variable completed into a task that has it as an input stays local; an output maps it out', async () => {
    const g = await compile(`${S}<bpmn:userTask id="review">${io(`${inp('decision', 'pending')}${out('approved', '${decision == "yes"}')}`)}</bpmn:userTask>${E()}${chainFlows('start', 'review', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('review', { decision: 'yes', note: 'ok' });
    expect(i.vars).toEqual({ approved: true, note: 'ok' });
  });
  test('§13.2.7 multi-instance: inputs are evaluated per instance, with its element variable', async () => {
    const g = await compile(`${S}<bpmn:userTask id="sign">${io(inp('greeting', 'Kính gửi ${person}'))}<bpmn:multiInstanceLoopCharacteristics camunda:collection="\${people}" camunda:elementVariable="person"/></bpmn:userTask>${E()}${chainFlows('start', 'sign', 'end')}`);
    const i = await Instance.start(g, { people: ['An', 'Bình'] });
    const r = new (await import('../../../server/engine/runtime/run.js')).NativeRun(g, i.vars);
    await r.resume(structuredClone(i.state));
    const greetings = [...r.live.values()].map((it) => r.localsAt(it.executionId).greeting).sort();
    expect(greetings).toEqual(['Kính gửi An', 'Kính gửi Bình']);
  });
  test('an input that cannot be evaluated fails the command that reaches the task (nothing is written)', async () => {
    const g = await compile(`${S}<bpmn:userTask id="review">${io(inp('x', '${missing.deep}'))}</bpmn:userTask>${E()}${chainFlows('start', 'review', 'end')}`);
    await expect(Instance.start(g)).rejects.toThrow(/review/);
  });
});

describe('subprocess-local variables (§13.2.2 a subprocess is a scope)', () => {
  test('a subprocess\'s inputs are seen inside it; completions inside set them there; outputs map them out; they vanish with the scope', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub">${io(`${inp('round', '1')}${inp('verdict', '')}${out('finalVerdict', '${verdict}')}`)}
        <bpmn:startEvent id="ss"/><bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:endEvent id="se"/>${chainFlows('ss', 'a', 'b', 'se')}</bpmn:subProcess>
      <bpmn:userTask id="after"/>${E()}${chainFlows('start', 'sub', 'after', 'end')}`);
    const i = await Instance.start(g);
    expect(i.locals('a')).toEqual({ round: '1', verdict: null }); // a parameter without a value is null (Camunda)
    await i.complete('a', { verdict: 'đạt', global: 1 });
    expect(i.locals('b')).toEqual({ round: '1', verdict: 'đạt' });
    expect(i.vars).toEqual({ global: 1 });
    await i.complete('b');
    expect(i.vars).toEqual({ global: 1, finalVerdict: 'đạt' });
    expect(i.locals('after')).toEqual({});
  });
  test('an inner task\'s output goes to the subprocess when the subprocess has that variable, not to the instance', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub">${io(`${inp('score', '0')}${out('score', '${score}')}`)}
        <bpmn:startEvent id="ss"/><bpmn:userTask id="a">${io(out('score', '${points}'))}</bpmn:userTask><bpmn:userTask id="b"/><bpmn:endEvent id="se"/>${chainFlows('ss', 'a', 'b', 'se')}</bpmn:subProcess>
      ${E()}${chainFlows('start', 'sub', 'end')}`);
    const i = await Instance.start(g);
    await i.complete('a', { points: 7 });
    expect(i.locals('b')).toEqual({ score: 7 });
    expect(i.vars.score).toBeUndefined();
    await i.complete('b');
    expect(i.vars.score).toBe(7);
  });
});

describe('refused at deployment: extensions that would run code, or be ignored', () => {
  test('execution and task listeners, connectors and script mappings are refused with the element id', async () => {
    const ext = (x: string) => `${S}<bpmn:userTask id="t"><bpmn:extensionElements>${x}</bpmn:extensionElements></bpmn:userTask>${E()}${chainFlows('start', 't', 'end')}`;
    for (const x of [
      '<camunda:executionListener event="start" expression="${x}"/>',
      '<camunda:taskListener event="create" class="a.B"/>',
      '<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>',
      '<camunda:inputOutput><camunda:inputParameter name="x"><camunda:script scriptFormat="groovy">1</camunda:script></camunda:inputParameter></camunda:inputOutput>',
    ]) {
      expect(await refusals(ext(x))).toEqual([expect.objectContaining({ elementId: 't' })]);
    }
  });
  test('inputOutput on a gateway is refused (Camunda neither maps there)', async () => {
    const f = await refusals(`${S}<bpmn:exclusiveGateway id="gw">${io(inp('x', '1'))}</bpmn:exclusiveGateway>${E()}${chainFlows('start', 'gw', 'end')}`);
    expect(f).toEqual([expect.objectContaining({ elementId: 'gw' })]);
  });
});
