import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { createEngine, type EngineService } from '../../server/engine/index.js';
import { engineWith } from './engine-with.js';
import { bpmn } from './fixtures.js';

/**
 * Timers due at one instant (issue 12's storm) are fired side by side and, on PostgreSQL, written
 * several to a statement. Two nodes firing at once still fire each timer once; an instance that a
 * command moved on after the claim is fired under its lock from its latest state, not from the claim.
 */
const REMIND = bpmn('batchremind', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="wait"/>
  <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="work"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="remind"/>
  <bpmn:serviceTask id="remind" camunda:type="external" camunda:topic="batchremind"/>
  <bpmn:sequenceFlow id="f5" sourceRef="remind" targetRef="end1"/>
  <bpmn:endEvent id="end1"/>
  <bpmn:userTask id="work"/>
  <bpmn:sequenceFlow id="f6" sourceRef="work" targetRef="end2"/>
  <bpmn:endEvent id="end2"/>`);

let db: Database;
let nodeA: EngineService;
let nodeB: EngineService;

beforeAll(async () => {
  ({ db, engine: nodeA } = await engineWith({ 'remind.bpmn': REMIND }, { nodeId: 'a' }));
  nodeB = createEngine({ db, log: createLogger('silent'), nodeId: 'b' });
});
afterAll(async () => { await db.close(); });

async function startMany(prefix: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await nodeA.startProcess({ key: 'batchremind', businessKey: `${prefix}-${i}` })).id);
  return ids;
}

/** Until the instances' one-second timers are due (their due time as the model says: a command keeps it so). */
const dueNow = async () => { await new Promise((r) => setTimeout(r, 1100)); };

async function drain(engine: EngineService): Promise<number> {
  let total = 0;
  for (let n = await engine.fireDueTimers(200); n > 0; n = await engine.fireDueTimers(200)) total += n;
  return total;
}

describe('a storm of due timers', () => {
  test('two nodes fire 60 timers due at one instant: each once, each instance moved on once', async () => {
    const ids = await startMany('STORM', 60);
    await dueNow();
    const [a, b] = await Promise.all([drain(nodeA), drain(nodeB)]);
    expect(a + b).toBe(60);
    expect(await db.knex('engine_timer').whereIn('instance_id', ids)).toHaveLength(0);
    const external = await db.knex('engine_external_task').whereIn('instance_id', ids).select('instance_id');
    expect(new Set(external.map((r: { instance_id: string }) => r.instance_id)).size).toBe(60);
    expect(external).toHaveLength(60);
    const fired = await db.knex('engine_history').whereIn('instance_id', ids).where({ kind: 'activity-end', activity_id: 'wait' }).count({ n: '*' });
    expect(Number(fired[0]!.n)).toBe(60);
    // The fired instances go on as usual: their reminders fetched and completed side by side (their writes
    // batched too), a completion by a worker that does not hold the lock refused among them.
    const locked = await nodeB.fetchAndLock({ workerId: 'w', maxTasks: 100, topics: [{ topicName: 'batchremind', lockDuration: 60000 }] });
    const mine = locked.filter((t) => ids.includes(t.processInstanceId));
    expect(mine).toHaveLength(60);
    const outcomes = await Promise.allSettled(mine.map((t, i) => nodeA.completeExternalTask(t.id, { workerId: i < 3 ? 'intruder' : 'w' })));
    expect(outcomes.slice(0, 3).map((o) => o.status === 'rejected' && (o.reason as { kind?: string }).kind)).toEqual(['HeldByOther', 'HeldByOther', 'HeldByOther']);
    expect(outcomes.slice(3).every((o) => o.status === 'fulfilled')).toBe(true);
    expect((await db.knex('engine_external_task').whereIn('instance_id', ids)).map((r: { id: string }) => r.id).sort()).toEqual(mine.slice(0, 3).map((t) => t.id).sort());
    // Then the user tasks of ten instances, side by side: those whose reminder was done end, the others wait for it.
    const refused = new Set(mine.slice(0, 3).map((t) => t.processInstanceId));
    const ten = [...refused, ...ids.filter((id) => !refused.has(id)).slice(0, 7)];
    await Promise.all(ten.map(async (id) => {
      const [work] = await nodeB.listTasks({ processInstanceId: id }, { all: true });
      await nodeB.completeTask(work!.id, { userId: 'u' }, { all: true });
    }));
    for (const id of ten) expect((await nodeA.getInstance(id)).state).toBe(refused.has(id) ? 'ACTIVE' : 'COMPLETED');
    const completed = await db.knex('engine_history').whereIn('instance_id', ten).where({ kind: 'task-completed' }).count({ n: '*' });
    expect(Number(completed[0]!.n)).toBe(10);
  });

  test('instances moved on by a command after the timers fell due are fired from their latest state', async () => {
    const ids = await startMany('MOVED', 20);
    await dueNow();
    // Node B completes the user task of every other instance (revision bumped) while node A fires all timers.
    const moved = ids.filter((_, i) => i % 2 === 0);
    await Promise.all([
      drain(nodeA),
      (async () => {
        for (const id of moved) {
          const [work] = await nodeB.listTasks({ processInstanceId: id }, { all: true });
          await nodeB.completeTask(work!.id, { userId: 'u' }, { all: true });
        }
      })(),
    ]);
    await drain(nodeA);
    expect(await db.knex('engine_timer').whereIn('instance_id', ids)).toHaveLength(0);
    expect(await db.knex('engine_external_task').whereIn('instance_id', ids)).toHaveLength(20);
    expect(await db.knex('engine_task').whereIn('instance_id', moved)).toHaveLength(0);
    const hist = await db.knex('engine_history').whereIn('instance_id', moved).whereIn('activity_id', ['wait', 'work']).where({ kind: 'activity-end' });
    expect(hist).toHaveLength(20);
  });
});
