import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { createEngine, type EngineService } from '../../server/engine/index.js';
import { createTestDatabase } from '../helpers/db.js';
import { bpmn } from './fixtures.js';

/**
 * A command on a task of an instance that is NOT hot on this node (another node ran it last, or it
 * left the cache) reads the task, the instance's state, variables and projections in one statement
 * without a lock, and writes under a guard on the instance's revision: no transaction. Whatever the
 * guard finds changed, the command is redone under the instance lock, which answers as before.
 */
const ALL = { all: true } as const;
const PAIR = bpmn('coldpair', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="x"/>
  <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="y"/>
  <bpmn:userTask id="x" camunda:candidateGroups="specialist"/>
  <bpmn:serviceTask id="y" camunda:type="external" camunda:topic="coldpair"/>
  <bpmn:sequenceFlow id="f4" sourceRef="x" targetRef="join"/>
  <bpmn:sequenceFlow id="f5" sourceRef="y" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="last"/>
  <bpmn:userTask id="last"/>
  <bpmn:sequenceFlow id="f7" sourceRef="last" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);
const GUARDED = bpmn('coldtimer', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
  <bpmn:userTask id="review"/>
  <bpmn:boundaryEvent id="late" attachedToRef="review"><bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done"/>
  <bpmn:userTask id="done"/>
  <bpmn:sequenceFlow id="f3" sourceRef="done" targetRef="end"/>
  <bpmn:endEvent id="end"/>
  <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="escalated"/>
  <bpmn:endEvent id="escalated"/>`);

let db: Database;
let nodeA: EngineService;
let nodeB: EngineService;
let nodeC: EngineService;

beforeAll(async () => {
  db = await createTestDatabase();
  const log = createLogger('silent');
  nodeA = createEngine({ db, log, nodeId: 'a' });
  nodeB = createEngine({ db, log, nodeId: 'b' });
  nodeC = createEngine({ db, log, nodeId: 'c' });
  await nodeA.deploy({ name: 'test', resources: [{ name: 'pair.bpmn', content: PAIR }, { name: 'timer.bpmn', content: GUARDED }] });
});
afterAll(async () => { await db.close(); });

async function startPair(businessKey: string) {
  const inst = await nodeA.startProcess({ key: 'coldpair', businessKey, variables: { unitId: { value: 'u1', type: 'String' } } });
  const [x] = await nodeA.listTasks({ processInstanceId: inst.id }, ALL);
  return { inst, x: x! };
}

async function fetchY(engine: EngineService, businessKey: string, workerId: string) {
  const [t] = await engine.fetchAndLock({ workerId, maxTasks: 1, topics: [{ topicName: 'coldpair', businessKey, lockDuration: 60000 }] });
  return t!;
}

/** Counts transactions begun on the shared database while `fn` runs. */
async function transactionsDuring(fn: () => Promise<unknown>): Promise<number> {
  let begun = 0;
  const onQuery = (q: { sql: string }) => { if (/^begin/i.test(q.sql)) begun++; };
  db.knex.on('query', onQuery);
  try {
    await fn();
    return begun;
  } finally {
    db.knex.off('query', onQuery);
  }
}

describe('commands on instances not hot on this node', () => {
  test('a user task and an external task are completed without a transaction, and the instance goes on', async () => {
    const { inst, x } = await startPair('COLD-1');
    const y = await fetchY(nodeA, 'COLD-1', 'w1');
    expect(await transactionsDuring(() => nodeB.completeTask(x.id, { userId: 'b', variables: { checked: { value: true, type: 'Boolean' } } }, ALL))).toBe(0);
    // Node B now holds it hot; node C has never seen it.
    expect(await transactionsDuring(() => nodeC.completeExternalTask(y.id, { workerId: 'w1' }))).toBe(0);
    const tasks = await nodeA.listTasks({ processInstanceId: inst.id }, ALL);
    expect(tasks.map((t) => t.taskDefinitionKey)).toEqual(['last']);
    expect((await nodeA.getVariables(inst.id)).checked).toMatchObject({ value: true });
    const hist = await nodeA.history({ instanceId: inst.id });
    expect(hist.filter((h) => h.kind === 'task-completed')).toHaveLength(1);
    expect(hist.filter((h) => h.kind === 'activity-end' && h.activityId === 'join')).toHaveLength(1);
    // Node C kept it hot at the revision it wrote: its next command needs no read either.
    expect(await transactionsDuring(() => nodeC.completeTask(tasks[0]!.id, { userId: 'c' }, ALL))).toBe(0);
    expect((await nodeA.getInstance(inst.id)).state).toBe('COMPLETED');
  });

  test('two nodes completing both branches of one instance at once: both done, the join passed once', async () => {
    const { inst, x } = await startPair('COLD-2');
    const y = await fetchY(nodeA, 'COLD-2', 'w2');
    await Promise.all([nodeB.completeTask(x.id, { userId: 'b' }, ALL), nodeC.completeExternalTask(y.id, { workerId: 'w2' })]);
    expect((await nodeA.listTasks({ processInstanceId: inst.id }, ALL)).map((t) => t.taskDefinitionKey)).toEqual(['last']);
    const hist = await nodeA.history({ instanceId: inst.id });
    expect(hist.filter((h) => h.kind === 'activity-end' && h.activityId === 'join')).toHaveLength(1);
    expect(hist.filter((h) => h.kind === 'task-created' && h.activityId === 'last')).toHaveLength(1);
  });

  test('a caller outside the task scope is told there is no such task and nothing is written', async () => {
    const { inst, x } = await startPair('COLD-3');
    const stranger = { username: 'stranger', unitRoles: [{ unitId: 'u2', role: 'specialist' }] };
    await expect(nodeB.completeTask(x.id, { userId: 'stranger' }, stranger)).rejects.toMatchObject({ kind: 'NotFound' });
    expect((await nodeA.listTasks({ processInstanceId: inst.id }, ALL)).map((t) => t.id)).toEqual([x.id]);
    expect((await nodeA.history({ instanceId: inst.id })).some((h) => h.kind === 'task-completed')).toBe(false);
  });

  test('a task claimed by someone else is refused with the locked path\'s answer', async () => {
    const { inst, x } = await startPair('COLD-4');
    await nodeA.claimTask(x.id, 'other', ALL);
    const me = { username: 'me', unitRoles: [{ unitId: 'u1', role: 'specialist' }] };
    await expect(nodeB.completeTask(x.id, { userId: 'me' }, me)).rejects.toMatchObject({ kind: 'HeldByOther', message: expect.stringContaining('assigned to other') });
    expect((await nodeA.listTasks({ processInstanceId: inst.id }, ALL)).map((t) => t.id)).toEqual([x.id]);
  });

  test('an external task locked by another worker is refused, and its own worker completes it', async () => {
    const { inst } = await startPair('COLD-5');
    const y = await fetchY(nodeA, 'COLD-5', 'owner');
    await expect(nodeB.completeExternalTask(y.id, { workerId: 'intruder' })).rejects.toMatchObject({ kind: 'HeldByOther', message: expect.stringContaining("locked by worker 'owner'") });
    await nodeB.completeExternalTask(y.id, { workerId: 'owner' });
    expect(await nodeA.listExternalTasks({ processInstanceId: inst.id })).toHaveLength(0);
  });

  test('a task guarded by a boundary timer: completed cold, its timer goes with it', async () => {
    const inst = await nodeA.startProcess({ key: 'coldtimer', businessKey: 'COLD-6' });
    const [review] = await nodeA.listTasks({ processInstanceId: inst.id }, ALL);
    expect(await db.knex('engine_timer').where({ instance_id: inst.id })).toHaveLength(1);
    expect(await transactionsDuring(() => nodeB.completeTask(review!.id, { userId: 'b' }, ALL))).toBe(0);
    expect(await db.knex('engine_timer').where({ instance_id: inst.id })).toHaveLength(0);
    expect((await nodeA.listTasks({ processInstanceId: inst.id }, ALL)).map((t) => t.taskDefinitionKey)).toEqual(['done']);
  });
});
