import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import type { EngineService } from '../../server/engine/index.js';
import { engineWith } from './engine-with.js';
import { bpmn } from './fixtures.js';

/** camunda:inputOutput through the service: what workers and the tasklist see, what is stored. */
const MODEL = bpmn('io', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
  <bpmn:serviceTask id="check" camunda:type="external" camunda:topic="io-check">
    <bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="fee">\${fee * 2}</camunda:inputParameter>
      <camunda:inputParameter name="office">Phường \${ward}</camunda:inputParameter>
      <camunda:outputParameter name="checked">\${result == 'ok'}</camunda:outputParameter>
    </camunda:inputOutput></bpmn:extensionElements>
  </bpmn:serviceTask>
  <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="review"/>
  <bpmn:userTask id="review" camunda:assignee="\${reviewer}">
    <bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="reviewer">\${checked ? 'lanhdao.xa' : 'chuyenvien.xa'}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

let db: Database;
let engine: EngineService;
beforeAll(async () => { ({ db, engine } = await engineWith({ 'io.bpmn': MODEL })); });
afterAll(async () => { await db.close(); });

describe('camunda:inputOutput in the service', () => {
  test('a worker gets the task\'s input mappings over the instance\'s variables; outputs are stored as instance variables; a user task\'s assignee sees its inputs', async () => {
    const inst = await engine.startProcess({ key: 'io', variables: { fee: { value: 50, type: 'Integer' }, ward: { value: 'Phú Long', type: 'String' } } });
    const [t] = await engine.fetchAndLock({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 'io-check', lockDuration: 60000 }] });
    expect(t!.variables.fee).toMatchObject({ value: 100, type: 'Integer' });
    expect(t!.variables.office).toMatchObject({ value: 'Phường Phú Long', type: 'String' });
    const [only] = await engine.fetchAndLock({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 'io-check', lockDuration: 60000 }] });
    expect(only).toBeUndefined();
    await engine.completeExternalTask(t!.id, { workerId: 'w', variables: { result: { value: 'ok', type: 'String' } } });
    const vars = await engine.getVariables(inst.id);
    expect(vars.checked).toMatchObject({ value: true, type: 'Boolean' });
    expect(vars.fee).toMatchObject({ value: 50 });
    expect(vars.office).toBeUndefined();
    const [task] = await engine.listTasks({ processInstanceId: inst.id }, { all: true });
    expect(task!.assignee).toBe('lanhdao.xa');
    expect(vars.reviewer).toBeUndefined();
  });
});
