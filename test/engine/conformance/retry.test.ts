import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../../server/db/connect.js';
import { MAX_TIMER_ATTEMPTS, type EngineService } from '../../../server/engine/index.js';
import { engineWith, fireDueJobs } from '../engine-with.js';
import { asyncReview } from '../fixtures.js';

/**
 * camunda:failedJobRetryTimeCycle (Camunda 7: how a failing job is retried) on an async
 * continuation: `R3/PT5M` = three attempts, five minutes apart, then a failedJob incident; the
 * user's completion before the job is never rolled back. Without it: MAX_TIMER_ATTEMPTS attempts.
 */

let db: Database;
let engine: EngineService;
beforeAll(async () => { ({ db, engine } = await engineWith({ 'retry.bpmn': asyncReview('retryCycle', 'R3/PT5M'), 'plain.bpmn': asyncReview('retryDefault') })); });
afterAll(async () => { await db.close(); });

const job = async (instanceId: string) => db.knex('engine_timer').where({ instance_id: instanceId }).first();
const timePasses = (instanceId: string) => fireDueJobs(db, engine, instanceId);

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
