import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { createEngine, MAX_TIMER_ATTEMPTS, type EngineService } from '../../server/engine/index.js';
import { createTestDatabase } from '../helpers/db.js';
import { bpmn } from './fixtures.js';

/**
 * camunda:asyncAfter through the service: the user's completion commits on its own; the
 * continuation is a job the scheduler runs; when it keeps failing it is retried, then parked with
 * a failedJob incident — the user's completion is never rolled back.
 */
const MODEL = bpmn('asyncJob', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
  <bpmn:userTask id="review" camunda:asyncAfter="true"/>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="sign"/>
  <bpmn:userTask id="sign" camunda:assignee="\${boss.name}"/>
  <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

let db: Database;
let engine: EngineService;
beforeAll(async () => {
  db = await createTestDatabase();
  engine = createEngine({ db, log: createLogger('silent') });
  await engine.deploy({ name: 'async', resources: [{ name: 'async.bpmn', content: MODEL }] });
});
afterAll(async () => { await db.close(); });

async function runJobs(instanceId: string): Promise<void> {
  await db.knex('engine_timer').where({ instance_id: instanceId }).whereNot({ locked_by: 'incident' }).update({ locked_until: null, due_at: new Date(Date.now() - 1000) });
  await engine.fireDueTimers();
}

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
