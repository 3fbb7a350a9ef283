import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { createEngine, type EngineService } from '../../server/engine/index.js';
import { createTestDatabase } from '../helpers/db.js';
import { bpmn } from './fixtures.js';

/**
 * A command on a task of an instance that is hot on this node is written by one guarded
 * statement without a transaction. These tests make what it relied on go stale in every way
 * the guard checks, and expect the locked path's answer: the right outcome, or a 4xx with
 * nothing written.
 */
const ALL = { all: true } as const;
const PAIR = bpmn('pair', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="x"/>
  <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="y"/>
  <bpmn:userTask id="x" camunda:candidateGroups="specialist"/>
  <bpmn:serviceTask id="y" camunda:type="external" camunda:topic="pair"/>
  <bpmn:sequenceFlow id="f4" sourceRef="x" targetRef="join"/>
  <bpmn:sequenceFlow id="f5" sourceRef="y" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="last"/>
  <bpmn:userTask id="last"/>
  <bpmn:sequenceFlow id="f7" sourceRef="last" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

let db: Database;
let nodeA: EngineService;
let nodeB: EngineService;

beforeAll(async () => {
  db = await createTestDatabase();
  nodeA = createEngine({ db, log: createLogger('silent'), nodeId: 'a' });
  nodeB = createEngine({ db, log: createLogger('silent'), nodeId: 'b' });
  await nodeA.deploy({ name: 'test', resources: [{ name: 'pair.bpmn', content: PAIR }] });
});
afterAll(async () => { await db.close(); });

async function fetch(engine: EngineService, businessKey: string, workerId: string, lockDuration = 60000) {
  const [t] = await engine.fetchAndLock({ workerId, maxTasks: 1, topics: [{ topicName: 'pair', businessKey, lockDuration }] });
  return t!;
}

async function startPair(businessKey: string) {
  const inst = await nodeA.startProcess({ key: 'pair', businessKey, variables: { unitId: { value: 'u1', type: 'String' } } });
  const [x] = await nodeA.listTasks({ processInstanceId: inst.id }, ALL);
  return { inst, x: x! };
}

describe('optimistic commands on hot instances', () => {
  test('a node whose hot instance went stale on another node redoes the command under the lock', async () => {
    const { inst, x } = await startPair('OPT-1');
    // Node B moves the instance on (revision 2); node A still holds revision 1 hot.
    const y = await fetch(nodeB, 'OPT-1', 'wb');
    await nodeB.completeExternalTask(y.id, { workerId: 'wb' });
    await nodeA.completeTask(x.id, { userId: 'a' }, ALL);
    const tasks = await nodeA.listTasks({ processInstanceId: inst.id }, ALL);
    expect(tasks.map((t) => t.taskDefinitionKey)).toEqual(['last']);
    const hist = await nodeA.history({ instanceId: inst.id });
    expect(hist.filter((h) => h.kind === 'activity-end' && h.activityId === 'join')).toHaveLength(1);
    expect(hist.filter((h) => h.kind === 'task-created' && h.activityId === 'last')).toHaveLength(1);
    // And node A's redo left it hot and correct for the next command.
    await nodeA.completeTask(tasks[0]!.id, { userId: 'a' }, ALL);
    expect((await nodeA.getInstance(inst.id)).state).toBe('COMPLETED');
  });

  test('a task claimed by someone else after the instance went hot is refused, and nothing is written', async () => {
    const { inst, x } = await startPair('OPT-2');
    await nodeB.claimTask(x.id, 'other', ALL);
    const scope = { username: 'me', unitRoles: [{ unitId: 'u1', role: 'specialist' }] };
    await expect(nodeA.completeTask(x.id, { userId: 'me' }, scope)).rejects.toMatchObject({ kind: 'HeldByOther', message: expect.stringContaining('assigned to other') });
    expect((await nodeA.listTasks({ processInstanceId: inst.id }, ALL)).map((t) => t.id)).toEqual([x.id]);
    expect((await nodeA.history({ instanceId: inst.id })).some((h) => h.kind === 'task-completed')).toBe(false);
  });

  test('a user outside the task scope cannot complete it through the hot path', async () => {
    const { inst, x } = await startPair('OPT-3');
    const stranger = { username: 'stranger', unitRoles: [{ unitId: 'u1', role: 'leader' }] };
    await expect(nodeA.completeTask(x.id, { userId: 'stranger' }, stranger)).rejects.toMatchObject({ kind: 'NotFound' });
    expect(await nodeA.listTasks({ processInstanceId: inst.id }, ALL)).toHaveLength(1);
  });

  test('an external task whose lock expired or passed to another worker is refused on a hot instance', async () => {
    const { inst } = await startPair('OPT-4');
    const first = await fetch(nodeA, 'OPT-4', 'w1', 1);
    await new Promise((r) => setTimeout(r, 20));
    await expect(nodeA.completeExternalTask(first.id, { workerId: 'w1' })).rejects.toMatchObject({ kind: 'HeldByOther', message: expect.stringContaining('expired') });
    const second = await fetch(nodeA, 'OPT-4', 'w2');
    expect(second.id).toBe(first.id);
    await expect(nodeA.completeExternalTask(first.id, { workerId: 'w1' })).rejects.toMatchObject({ kind: 'HeldByOther', message: expect.stringContaining("locked by worker 'w2'") });
    await nodeA.completeExternalTask(second.id, { workerId: 'w2' });
    expect(await nodeA.listExternalTasks({ processInstanceId: inst.id })).toHaveLength(0);
  });

  test('a suspended definition starts nothing, whichever node cached it', async () => {
    const def = await nodeA.getDefinitionByKey('pair');
    const before = (await nodeA.listInstances({ processDefinitionKey: 'pair' })).length;
    await nodeB.setDefinitionSuspended(def.id, true);
    await expect(nodeA.startProcess({ key: 'pair' })).rejects.toMatchObject({ kind: 'Suspended', message: expect.stringContaining('suspended') });
    expect(await nodeA.listInstances({ processDefinitionKey: 'pair' })).toHaveLength(before);
    await nodeB.setDefinitionSuspended(def.id, false);
    await nodeA.startProcess({ key: 'pair' });
  });
});
