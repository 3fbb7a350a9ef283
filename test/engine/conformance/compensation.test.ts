import { describe, expect, test } from '@jest/globals';
import { chainFlows, compile, Instance, seq } from './harness.js';

const S = '<bpmn:startEvent id="start"/>';
const E = (id = 'end') => `<bpmn:endEvent id="${id}"/>`;
const U = (id: string) => `<bpmn:userTask id="${id}"/>`;
const T = (id: string) => `<bpmn:task id="${id}"/>`;
/** An activity with a compensation boundary event associated with its handler (§10.5.5: no flows, an association). */
const compensable = (id: string, handler: string, handlerEl = `<bpmn:task id="${handler}" isForCompensation="true"/>`, activity = T(id)) =>
  `${activity}<bpmn:boundaryEvent id="${id}_c" attachedToRef="${id}"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>${handlerEl}<bpmn:association id="${id}_a" sourceRef="${id}_c" targetRef="${handler}"/>`;
const throwComp = (id: string, attrs = '') => `<bpmn:intermediateThrowEvent id="${id}"><bpmn:compensateEventDefinition${attrs}/></bpmn:intermediateThrowEvent>`;
const endComp = (id: string, attrs = '') => `<bpmn:endEvent id="${id}"><bpmn:compensateEventDefinition${attrs}/></bpmn:endEvent>`;
const cancelEnd = (id: string) => `<bpmn:endEvent id="${id}"><bpmn:cancelEventDefinition/></bpmn:endEvent>`;
const cancelBoundary = (id: string, on: string) => `<bpmn:boundaryEvent id="${id}" attachedToRef="${on}"><bpmn:cancelEventDefinition/></bpmn:boundaryEvent>`;

describe('BPMN 2.0 §10.5.5 compensation (throw events, boundary handlers)', () => {
  test('§10.5.5 an intermediate compensation throw compensates the completed activities of its scope, latest first, then continues', async () => {
    const g = await compile(`${S}${compensable('a', 'undoA')}${compensable('b', 'undoB')}${throwComp('comp')}${E()}${chainFlows('start', 'a', 'b', 'comp', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'a', 'b', 'undoB', 'undoA', 'comp', 'end']);
    expect(i.ended).toBe(true);
  });

  test('§10.5.5 activityRef: only the named activity is compensated', async () => {
    const g = await compile(`${S}${compensable('a', 'undoA')}${compensable('b', 'undoB')}${throwComp('comp', ' activityRef="a"')}${E()}${chainFlows('start', 'a', 'b', 'comp', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'a', 'b', 'undoA', 'comp', 'end']);
  });

  test('§10.5.5 waitForCompletion (default): the throw event waits while a handler waits (a user task), and completes after it', async () => {
    const g = await compile(`${S}${compensable('a', 'undoA', '<bpmn:userTask id="undoA" isForCompensation="true"/>')}${throwComp('comp')}${U('after')}${E()}${chainFlows('start', 'a', 'comp', 'after', 'end')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:undoA']);
    expect(i.path).toEqual(['start', 'a']);
    await i.complete('undoA');
    expect(i.path).toEqual(['start', 'a', 'undoA', 'comp']);
    expect(i.waiting()).toEqual(['userTask:after']);
  });

  test('§10.5.5 waitForCompletion="false": the throw event continues at once; the instance ends only when the handler has', async () => {
    const g = await compile(`${S}${compensable('a', 'undoA', '<bpmn:userTask id="undoA" isForCompensation="true"/>')}${throwComp('comp', ' waitForCompletion="false"')}${E()}${chainFlows('start', 'a', 'comp', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'a', 'comp', 'end']);
    expect(i.ended).toBe(false);
    expect(i.waiting()).toEqual(['userTask:undoA']);
    await i.complete('undoA');
    expect(i.ended).toBe(true);
  });

  test('§10.5.5 only completed activities are compensated: one still running is not, and an activity is compensated once', async () => {
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${compensable('busy', 'undoBusy', undefined, U('busy'))}${compensable('a', 'undoA')}${throwComp('c1')}${throwComp('c2')}${E()}${E('e2')}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'busy')}${seq('f2', 'fork', 'a')}${chainFlows('a', 'c1', 'c2', 'end')}${seq('f3', 'busy', 'e2')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'fork', 'a', 'undoA', 'c1', 'c2', 'end']);
    expect(i.waiting()).toEqual(['userTask:busy']);
  });

  test('§10.5.5 each completion of a looping activity is compensated (three iterations, three handler runs)', async () => {
    const g = await compile(`${S}${compensable('a', 'undoA', undefined, '<bpmn:task id="a"><bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:task>')}${endComp('comp')}${chainFlows('start', 'a', 'comp')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'a', 'a', 'a', 'undoA', 'undoA', 'undoA', 'comp']);
    expect(i.ended).toBe(true);
  });

  test('§10.5.5 a compensation end event in a subprocess compensates inside the subprocess only', async () => {
    const g = await compile(`${S}${compensable('outer', 'undoOuter')}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${compensable('inner', 'undoInner')}${endComp('se')}${chainFlows('ss', 'inner', 'se')}</bpmn:subProcess>${E()}${chainFlows('start', 'outer', 'sub', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'outer', 'ss', 'inner', 'undoInner', 'se', 'sub', 'end']);
  });

  test('§10.5.5 a completed subprocess without a handler of its own is compensated by compensating what completed inside it, latest first', async () => {
    const g = await compile(`${S}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${compensable('x', 'undoX')}${compensable('y', 'undoY')}${E('se')}${chainFlows('ss', 'x', 'y', 'se')}</bpmn:subProcess>${throwComp('comp')}${E()}${chainFlows('start', 'sub', 'comp', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'ss', 'x', 'y', 'se', 'sub', 'undoY', 'undoX', 'comp', 'end']);
  });

  test('§10.5.5 a compensation boundary event on a subprocess runs its handler (not the inner activities\' handlers)', async () => {
    const sub = `<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${compensable('x', 'undoX')}${E('se')}${chainFlows('ss', 'x', 'se')}</bpmn:subProcess>`;
    const g = await compile(`${S}${compensable('sub', 'undoSub', undefined, sub)}${throwComp('comp')}${E()}${chainFlows('start', 'sub', 'comp', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'ss', 'x', 'se', 'sub', 'undoSub', 'comp', 'end']);
  });

  test('§10.2.4 a compensation event subprocess runs when its completed subprocess is compensated, with the subprocess\'s local variables; its own compensation throw compensates the subprocess\'s activities', async () => {
    const io = '<bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="receipt">R-7</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>';
    const g = await compile(`${S}<bpmn:subProcess id="sub">${io}<bpmn:startEvent id="ss"/>${compensable('pay', 'refund')}${E('se')}${chainFlows('ss', 'pay', 'se')}
        <bpmn:subProcess id="onComp" triggeredByEvent="true"><bpmn:startEvent id="cs"><bpmn:compensateEventDefinition/></bpmn:startEvent>${U('review')}${throwComp('undoInside')}${E('ce')}${chainFlows('cs', 'review', 'undoInside', 'ce')}</bpmn:subProcess>
      </bpmn:subProcess>${throwComp('comp')}${E()}${chainFlows('start', 'sub', 'comp', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'ss', 'pay', 'se', 'sub', 'cs']);
    expect(i.waiting()).toEqual(['userTask:review']);
    expect(i.evalAt('review', '${receipt}')).toBe('R-7');
    await i.complete('review');
    expect(i.path.slice(6)).toEqual(['review', 'refund', 'undoInside', 'ce', 'onComp', 'comp', 'end']);
    expect(i.ended).toBe(true);
  });

  test('§10.5.5 a compensation throw with nothing completed to compensate just continues', async () => {
    const g = await compile(`${S}${throwComp('comp')}${E()}${chainFlows('start', 'comp', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'comp', 'end']);
  });
});

describe('BPMN 2.0 §10.2.2 transactions and §10.5.2 cancel events', () => {
  const tx = (inner: string) => `<bpmn:transaction id="tx"><bpmn:startEvent id="ts"/>${inner}</bpmn:transaction>`;

  test('§10.2.2 a transaction that reaches its none end event completes like a subprocess (nothing is compensated)', async () => {
    const g = await compile(`${S}${tx(`${compensable('book', 'unbook')}${E('te')}${chainFlows('ts', 'book', 'te')}`)}${cancelBoundary('cancelled', 'tx')}${E()}${E('ce')}${chainFlows('start', 'tx', 'end')}${seq('fc', 'cancelled', 'ce')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'ts', 'book', 'te', 'tx', 'end']);
  });

  test('§10.5.2 a cancel end event: running activities are cancelled, completed ones compensated latest first, then the cancel boundary leads on', async () => {
    const inner = `${compensable('book', 'unbook')}${compensable('charge', 'refund')}<bpmn:parallelGateway id="fork"/>${U('confirm')}${cancelEnd('abort')}${E('te')}
      ${chainFlows('ts', 'book', 'charge', 'fork')}${seq('f1', 'fork', 'confirm')}${seq('f2', 'fork', 'abort')}${seq('f3', 'confirm', 'te')}`;
    const g = await compile(`${S}${tx(inner)}${cancelBoundary('cancelled', 'tx')}${U('apologise')}${E()}${E('ce')}${chainFlows('start', 'tx', 'end')}${chainFlows('cancelled', 'apologise', 'ce')}`);
    const i = await Instance.start(g);
    // 'confirm' was cancelled: it never completes; the transaction gets no end either.
    expect(i.path).toEqual(['start', 'ts', 'book', 'charge', 'fork', 'abort', 'refund', 'unbook', 'cancelled']);
    expect(i.waiting()).toEqual(['userTask:apologise']);
    await i.complete('apologise');
    expect(i.ended).toBe(true);
  });

  test('§10.5.2 a compensation handler that waits (a user task) holds the cancellation: the cancel boundary fires after it', async () => {
    const inner = `${compensable('book', 'unbook', '<bpmn:userTask id="unbook" isForCompensation="true"/>')}${cancelEnd('abort')}${chainFlows('ts', 'book', 'abort')}`;
    const g = await compile(`${S}${tx(inner)}${cancelBoundary('cancelled', 'tx')}${E()}${E('ce')}${chainFlows('start', 'tx', 'end')}${seq('fc', 'cancelled', 'ce')}`);
    const i = await Instance.start(g);
    expect(i.waiting()).toEqual(['userTask:unbook']);
    expect(i.path).toEqual(['start', 'ts', 'book', 'abort']);
    await i.complete('unbook');
    expect(i.path.slice(4)).toEqual(['unbook', 'cancelled', 'ce']);
    expect(i.ended).toBe(true);
  });

  test('§10.2.2 hazard: an error thrown in a transaction is caught by its error boundary event, without compensation', async () => {
    const inner = `${compensable('book', 'unbook')}<bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="Err"/></bpmn:endEvent>${chainFlows('ts', 'book', 'boom')}`;
    const g = await compile(`${S}${tx(inner)}<bpmn:boundaryEvent id="hazard" attachedToRef="tx"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>${E()}${E('he')}${chainFlows('start', 'tx', 'end')}${seq('fh', 'hazard', 'he')}`,
      '<bpmn:error id="Err" errorCode="HAZARD"/>');
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'ts', 'book', 'boom', 'hazard', 'he']);
  });

  test('§10.5.2 a transaction cancelled inside a subprocess continues at the cancel boundary in that subprocess; the rest of the instance is untouched', async () => {
    const inner = `${compensable('book', 'unbook')}${cancelEnd('abort')}${chainFlows('ts', 'book', 'abort')}`;
    const g = await compile(`${S}<bpmn:parallelGateway id="fork"/>${U('other')}${E('oe')}<bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${tx(inner)}${cancelBoundary('cancelled', 'tx')}${E('se')}${E('sce')}${chainFlows('ss', 'tx', 'se')}${seq('fc', 'cancelled', 'sce')}</bpmn:subProcess>${E()}
      ${seq('f0', 'start', 'fork')}${seq('f1', 'fork', 'sub')}${seq('f2', 'fork', 'other')}${seq('f3', 'other', 'oe')}${seq('f4', 'sub', 'end')}`);
    const i = await Instance.start(g);
    expect(i.path).toEqual(['start', 'fork', 'ss', 'ts', 'book', 'abort', 'unbook', 'cancelled', 'sce', 'sub', 'end']);
    expect(i.waiting()).toEqual(['userTask:other']);
  });
});
