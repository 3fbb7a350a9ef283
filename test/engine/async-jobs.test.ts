import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { MAX_TIMER_ATTEMPTS, type EngineService } from '../../server/engine/index.js';
import { engineWith, fireDueJobs } from './engine-with.js';
import { asyncReview } from './fixtures.js';

/**
 * camunda:asyncAfter through the service: the user's completion commits on its own; the
 * continuation is a job the scheduler runs; when it keeps failing it is retried, then parked with
 * a failedJob incident — the user's completion is never rolled back.
 */
const MODEL = asyncReview('asyncJob');

let db: Database;
let engine: EngineService;
beforeAll(async () => { ({ db, engine } = await engineWith({ 'async.bpmn': MODEL })); });
afterAll(async () => { await db.close(); });

const runJobs = async (instanceId: string) => { await fireDueJobs(db, engine, instanceId); };

describe('async continuations as jobs', () => {
  test('asyncAfter: completing the task commits; the job continues; a job that keeps failing is retried, then parked with a failedJob incident', async () => {
    const ok = await engine.startProcess({ key: 'asyncJob', variables: { boss: { value: JSON.stringify({ name: 'lanhdao.xa' }), type: 'Json' } } });
    const [t1] = await engine.listTasks({ processInstanceId: ok.id }, { all: true });
    await engine.completeTask(t1!.id, { userId: 'u' }, { all: true });
    expect(await engine.listTasks({ processInstanceId: ok.id }, { all: true })).toEqual([]);
    await runJobs(ok.id);
    expect((await engine.listTasks({ processInstanceId: ok.id }, { all: true })).map((t) => t.assignee)).toEqual(['lanhdao.xa']);

    const bad = await engine.startProcess({ key: 'asyncJob' });
    const [t2] = await engine.listTasks({ processInstanceId: bad.id }, { all: true });
    await engine.completeTask(t2!.id, { userId: 'u' }, { all: true });
    const hist = await engine.history({ instanceId: bad.id, kinds: ['task-completed'] });
    expect(hist).toHaveLength(1);
    for (let k = 0; k < MAX_TIMER_ATTEMPTS + 1; k++) await runJobs(bad.id);
    const inc = await engine.listIncidents({ processInstanceId: bad.id });
    expect(inc).toEqual([expect.objectContaining({ incident_type: 'failedJob', activity_id: 'review' })]);
    expect((await engine.getInstance(bad.id)).state).toBe('ACTIVE');
    expect(await engine.history({ instanceId: bad.id, kinds: ['task-completed'] })).toHaveLength(1);
  });
});
