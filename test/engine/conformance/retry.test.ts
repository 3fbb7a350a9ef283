import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../../server/db/connect.js';
import { createLogger } from '../../../server/log.js';
import { createEngine, MAX_TIMER_ATTEMPTS, type EngineService } from '../../../server/engine/index.js';
import { createTestDatabase } from '../../helpers/db.js';
import { bpmn } from '../fixtures.js';

/**
 * camunda:failedJobRetryTimeCycle (Camunda 7: how a failing job is retried) on an async
 * continuation: `R3/PT5M` = three attempts, five minutes apart, then a failedJob incident; the
 * user's completion before the job is never rolled back. Without it: MAX_TIMER_ATTEMPTS attempts.
 */
const model = (key: string, cycle?: string) => bpmn(key, `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
  <bpmn:userTask id="review" camunda:asyncAfter="true">${cycle ? `<bpmn:extensionElements><camunda:failedJobRetryTimeCycle>${cycle}</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>` : ''}</bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="sign"/>
  <bpmn:userTask id="sign" camunda:assignee="\${boss.name}"/>
  <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

let db: Database;
let engine: EngineService;
beforeAll(async () => {
  db = await createTestDatabase();
  engine = createEngine({ db, log: createLogger('silent') });
  await engine.deploy({ name: 'retry', resources: [{ name: 'retry.bpmn', content: model('retryCycle', 'R3/PT5M') }, { name: 'plain.bpmn', content: model('retryDefault') }] });
});
afterAll(async () => { await db.close(); });

const job = async (instanceId: string) => db.knex('engine_timer').where({ instance_id: instanceId }).first();
/** The job's wait is over (its due time and any retry wait are in the past); the scheduler's pass runs. */
async function timePasses(instanceId: string): Promise<number> {
  await db.knex('engine_timer').where({ instance_id: instanceId }).whereNot({ locked_by: 'incident' }).update({ locked_until: null, due_at: new Date(Date.now() - 1000) });
  return engine.fireDueTimers();
}

async function failingJob(key: string): Promise<string> {
  const inst = await engine.startProcess({ key });
  const [task] = await engine.listTasks({ processInstanceId: inst.id }, { all: true });
  await engine.completeTask(task!.id, { userId: 'u' }, { all: true });
  return inst.id;
}

describe('camunda:failedJobRetryTimeCycle on an async continuation', () => {
  test('R3/PT5M: a failing job waits five minutes between attempts, and after the third a failedJob incident is raised; the completion stays', async () => {
    const id = await failingJob('retryCycle');
    await timePasses(id);
    const after1 = await job(id);
    expect(Number(after1.attempts)).toBe(1);
    // Not claimable again before its five minutes are over.
    expect(new Date(after1.locked_until).getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
    await engine.fireDueTimers();
    expect(Number((await job(id)).attempts)).toBe(1);
    await timePasses(id);
    expect(await engine.listIncidents({ processInstanceId: id })).toEqual([]);
    await timePasses(id);
    const inc = await engine.listIncidents({ processInstanceId: id });
    expect(inc).toEqual([expect.objectContaining({ incident_type: 'failedJob', activity_id: 'review' })]);
    expect((await job(id)).locked_by).toBe('incident');
    expect((await engine.getInstance(id)).state).toBe('ACTIVE');
    expect(await engine.history({ instanceId: id, kinds: ['task-completed'] })).toHaveLength(1);
  });

  test(`without it a failing job gets ${MAX_TIMER_ATTEMPTS} attempts before its incident`, async () => {
    const id = await failingJob('retryDefault');
    for (let k = 1; k < MAX_TIMER_ATTEMPTS; k++) await timePasses(id);
    expect(await engine.listIncidents({ processInstanceId: id })).toEqual([]);
    await timePasses(id);
    expect(await engine.listIncidents({ processInstanceId: id })).toEqual([expect.objectContaining({ incident_type: 'failedJob' })]);
  });
});
