import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { createEngine, type EngineService } from '../../server/engine/index.js';
import { engineWith } from './engine-with.js';
import { APPROVAL, bpmn, SHAPES, TIMERS } from './fixtures.js';

const ALL = { all: true } as const;
const str = (value: string) => ({ value, type: 'String' });
let db: Database;
let engine: EngineService;

beforeAll(async () => { ({ db, engine } = await engineWith({ 'approval.bpmn': APPROVAL, 'timers.bpmn': TIMERS, 'shapes.bpmn': SHAPES })); });
afterAll(async () => { await db.close(); });

async function fetchOne(topic: string, workerId = 'w1') {
  const [t] = await engine.fetchAndLock({ workerId, maxTasks: 1, topics: [{ topicName: topic, lockDuration: 60000 }] });
  return t;
}

describe('engine service', () => {
  test('deploys with versions per key and duplicate filtering', async () => {
    const again = await engine.deploy({ name: 'again', resources: [{ name: 'approval.bpmn', content: APPROVAL }], duplicateFiltering: true });
    expect(again.deployedProcessDefinitions).toHaveLength(0);
    const v2 = await engine.deploy({ name: 'v2', resources: [{ name: 'approval.bpmn', content: APPROVAL.replace('Thẩm định', 'Thẩm định hồ sơ') }], duplicateFiltering: true });
    expect(v2.deployedProcessDefinitions[0]).toMatchObject({ key: 'approval', version: 2, versionTag: '1.0' });
  });

  test('user task → gateway → external task → end, with typed variables', async () => {
    const inst = await engine.startProcess({ key: 'approval', businessKey: 'HS-1', variables: { starter: str('chuyenvien.xa'), unitId: str('xa-phu-long') } });
    const [task] = await engine.listTasks({ processInstanceId: inst.id }, ALL);
    expect(task).toMatchObject({ taskDefinitionKey: 'review', assignee: 'chuyenvien.xa', candidateGroups: ['specialist'], priority: 70, unitId: 'xa-phu-long', businessKey: 'HS-1' });
    await engine.completeTask(task!.id, { userId: 'chuyenvien.xa', variables: { approved: { value: true, type: 'Boolean' }, fee: { value: 150000, type: 'Integer' } } }, ALL);
    await expect(engine.completeTask(task!.id, { userId: 'chuyenvien.xa' }, ALL)).rejects.toMatchObject({ kind: 'NotFound', type: 'NotFound' });
    const ext = await fetchOne('notify');
    expect(ext).toMatchObject({ activityId: 'notify', businessKey: 'HS-1', priority: 5 });
    expect(ext!.variables.fee).toEqual({ value: 150000, type: 'Integer', valueInfo: {} });
    await expect(engine.completeExternalTask(ext!.id, { workerId: 'other' })).rejects.toMatchObject({ kind: 'HeldByOther', type: 'BadUserRequestException' });
    await engine.completeExternalTask(ext!.id, { workerId: 'w1', variables: { sent: { value: true, type: 'Boolean' } } });
    expect((await engine.getInstance(inst.id)).state).toBe('COMPLETED');
    expect((await engine.getVariables(inst.id)).sent).toMatchObject({ value: true });
    const hist = await engine.history({ instanceId: inst.id });
    expect(hist.filter((h) => h.kind === 'activity-end').map((h) => h.activityId)).toEqual(['start', 'review', 'gw', 'notify', 'done']);
    expect(hist.find((h) => h.kind === 'task-completed')?.userId).toBe('chuyenvien.xa');
  });

  test('a gateway condition on a missing variable is refused and nothing changes', async () => {
    const inst = await engine.startProcess({ key: 'approval', variables: { starter: str('a') } });
    const [task] = await engine.listTasks({ processInstanceId: inst.id }, ALL);
    await expect(engine.completeTask(task!.id, { userId: 'a' }, ALL)).rejects.toMatchObject({ kind: 'ModelFailure', type: 'ProcessEngineException' });
    expect(await engine.listTasks({ processInstanceId: inst.id }, ALL)).toHaveLength(1);
  });

  test('bpmnError is caught by the error boundary event', async () => {
    const inst = await engine.startProcess({ key: 'approval', variables: { starter: str('a') } });
    const [task] = await engine.listTasks({ processInstanceId: inst.id }, ALL);
    await engine.completeTask(task!.id, { userId: 'a', variables: { approved: { value: true, type: 'Boolean' }, fee: { value: 200000, type: 'Long' } } }, ALL);
    const ext = (await engine.listExternalTasks({ processInstanceId: inst.id }))[0]!;
    const locked = await engine.fetchAndLock({ workerId: 'w2', maxTasks: 10, topics: [{ topicName: 'notify', lockDuration: 1000, businessKey: null }] });
    expect(locked.map((l) => l.id)).toContain(ext.id);
    await engine.bpmnErrorExternalTask(ext.id, { workerId: 'w2', errorCode: 'REJECTED' });
    const tasks = await engine.listTasks({ processInstanceId: inst.id }, ALL);
    expect(tasks.map((t) => t.taskDefinitionKey)).toEqual(['fix']);
    expect(await engine.listExternalTasks({ processInstanceId: inst.id })).toHaveLength(0);
  });

  test('failure with no retries raises an incident; retries > 0 resolves it', async () => {
    const inst = await engine.startProcess({ key: 'approval', variables: { starter: str('a') } });
    const [task] = await engine.listTasks({ processInstanceId: inst.id }, ALL);
    await engine.completeTask(task!.id, { userId: 'a', variables: { approved: { value: true, type: 'Boolean' }, fee: { value: 200000, type: 'Integer' } } }, ALL);
    const ext = (await engine.listExternalTasks({ processInstanceId: inst.id }))[0]!;
    await engine.fetchAndLock({ workerId: 'w3', maxTasks: 50, topics: [{ topicName: 'notify', lockDuration: 60000 }] });
    await engine.failExternalTask(ext.id, { workerId: 'w3', errorMessage: 'SMTP down', retries: 0 });
    expect(await engine.listIncidents({ processInstanceId: inst.id })).toHaveLength(1);
    expect(await engine.fetchAndLock({ workerId: 'w3', maxTasks: 50, topics: [{ topicName: 'notify', lockDuration: 60000 }] })).toHaveLength(0);
    await engine.setRetries(ext.id, 2);
    expect(await engine.listIncidents({ processInstanceId: inst.id })).toHaveLength(0);
    expect((await engine.fetchAndLock({ workerId: 'w3', maxTasks: 50, topics: [{ topicName: 'notify', lockDuration: 60000 }] })).map((t) => t.id)).toEqual([ext.id]);
  });

  test('timers are stored with due dates (even 40 days) and fire from the database', async () => {
    const inst = await engine.startProcess({ key: 'timers', businessKey: 'T-1' });
    const [timer] = await db.knex('engine_timer').where({ instance_id: inst.id });
    expect(new Date(timer.due_at).getTime() - Date.now()).toBeGreaterThan(59 * 60 * 1000);
    await db.knex('engine_timer').where({ id: timer.id }).update({ due_at: new Date(Date.now() - 1000) });
    expect(await engine.fireDueTimers()).toBeGreaterThanOrEqual(1);
    const timers = await db.knex('engine_timer').where({ instance_id: inst.id });
    expect(timers.map((t) => t.activity_id)).toEqual(['remind']);
    expect(new Date(timers[0].due_at).getTime() - Date.now()).toBeGreaterThan(39 * 86400 * 1000);
    // The 40-day non-interrupting reminder fires and leaves the receive task waiting.
    await db.knex('engine_timer').where({ id: timers[0].id }).update({ due_at: new Date(Date.now() - 1000) });
    await engine.fireDueTimers();
    expect((await engine.listExternalTasks({ processInstanceId: inst.id })).map((t) => t.activityId)).toEqual(['remindTask']);
    const res = await engine.correlateMessage({ messageName: 'paid', businessKey: 'T-1' });
    expect(res).toEqual([{ resultType: 'Execution', processInstanceId: inst.id }]);
    expect(await db.knex('engine_message_sub').where({ instance_id: inst.id })).toHaveLength(0);
  });

  test('two engine services on one database (two nodes) never act on a stale in-memory instance', async () => {
    const other = createEngine({ db, log: createLogger('silent'), nodeId: 'other' });
    const inst = await engine.startProcess({ key: 'shapes', variables: { signers: { value: JSON.stringify(['an', 'binh', 'chi']), type: 'Json' } } });
    const tasks = await engine.listTasks({ processInstanceId: inst.id, taskDefinitionKey: 'sign', sortBy: 'assignee' }, ALL);
    await engine.completeTask(tasks[0]!.id, { userId: 'an' }, ALL);
    await other.completeTask(tasks[1]!.id, { userId: 'binh' }, ALL);
    // `engine` still holds the instance as it was before `other` moved it on; it must notice.
    await engine.completeTask(tasks[2]!.id, { userId: 'chi' }, ALL);
    const left = await engine.listTasks({ processInstanceId: inst.id }, ALL);
    expect(left.map((t) => t.taskDefinitionKey)).toEqual(['inner']);
    const inner = left[0];
    await other.completeTask(inner!.id, { userId: 'x' }, ALL);
    expect(await db.knex('engine_message_sub').where({ instance_id: inst.id })).toHaveLength(1);
    await engine.correlateMessage({ messageName: 'reply', processInstanceId: inst.id });
    expect((await engine.getInstance(inst.id)).state).toBe('COMPLETED');
  });

  test('message start and timer start events start instances', async () => {
    const msgStart = bpmn('byMessage', `<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="Filed"/></bpmn:startEvent>
      <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="receive"/><bpmn:userTask id="receive"/>
      <bpmn:sequenceFlow id="g" sourceRef="receive" targetRef="end"/><bpmn:endEvent id="end"/>`, '<bpmn:message id="Filed" name="dossierFiled"/>');
    const timerStart = bpmn('byTimer', `<bpmn:startEvent id="start"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
      <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="report"/><bpmn:serviceTask id="report" camunda:type="external" camunda:topic="report"/>
      <bpmn:sequenceFlow id="g" sourceRef="report" targetRef="end"/><bpmn:endEvent id="end"/>`);
    await engine.deploy({ name: 'starts', resources: [{ name: 'm.bpmn', content: msgStart }, { name: 't.bpmn', content: timerStart }] });
    await expect(engine.startProcess({ key: 'byMessage' })).rejects.toMatchObject({ kind: 'Unsupported' });
    const [res] = await engine.correlateMessage({ messageName: 'dossierFiled', businessKey: 'HS-M', processVariables: { fee: { value: 1, type: 'Integer' } } });
    expect(res!.resultType).toBe('ProcessDefinition');
    expect((await engine.listTasks({ processInstanceId: res!.processInstanceId }, ALL)).map((t) => t.taskDefinitionKey)).toEqual(['receive']);
    expect((await engine.getInstance(res!.processInstanceId)).businessKey).toBe('HS-M');
    const [timer] = await db.knex('engine_timer').whereNull('instance_id').where('definition_id', 'like', 'byTimer:%');
    expect(new Date(timer.due_at).getTime()).toBeGreaterThan(Date.now() + 59 * 60 * 1000);
    await db.knex('engine_timer').where({ id: timer.id }).update({ due_at: new Date(Date.now() - 1000) });
    await engine.fireDueTimers();
    const started = await engine.listInstances({ processDefinitionKey: 'byTimer' });
    expect(started).toHaveLength(1);
    expect((await engine.listExternalTasks({ processInstanceId: started[0]!.id })).map((t) => t.topicName)).toEqual(['report']);
    // The cycle is rescheduled, not dropped.
    const [next] = await db.knex('engine_timer').whereNull('instance_id').where('definition_id', 'like', 'byTimer:%');
    expect(new Date(next.due_at).getTime()).toBeGreaterThan(Date.now() + 59 * 60 * 1000);
  });

  test('parallel, embedded subprocess, multi-instance and event-based gateway', async () => {
    const inst = await engine.startProcess({ key: 'shapes', businessKey: 'S-1', variables: { signers: { value: JSON.stringify(['an', 'binh']), type: 'Json' } } });
    let tasks = await engine.listTasks({ processInstanceId: inst.id, sortBy: 'assignee' }, ALL);
    expect(tasks.map((t) => [t.taskDefinitionKey, t.assignee])).toEqual([['sign', 'an'], ['sign', 'binh'], ['inner', null]]);
    for (const t of tasks) await engine.completeTask(t.id, { userId: 'x' }, ALL);
    tasks = await engine.listTasks({ processInstanceId: inst.id }, ALL);
    expect(tasks).toHaveLength(0);
    const subs = await db.knex('engine_message_sub').where({ instance_id: inst.id });
    expect(subs.map((s) => s.message_name)).toEqual(['reply']);
    expect(await db.knex('engine_timer').where({ instance_id: inst.id })).toHaveLength(1);
    await engine.correlateMessage({ messageName: 'reply', processInstanceId: inst.id });
    expect((await engine.getInstance(inst.id)).state).toBe('COMPLETED');
    expect(await db.knex('engine_timer').where({ instance_id: inst.id })).toHaveLength(0);
    const ends = (await engine.history({ instanceId: inst.id })).filter((h) => h.kind === 'activity-end').map((h) => h.activityId);
    expect(ends).toContain('end');
    expect(ends).not.toContain('late');
  });
});
