import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { MAX_TIMER_ATTEMPTS, type EngineService } from '../../server/engine/index.js';
import { engineWith, fireDueJobs } from './engine-with.js';
import { asyncReview } from './fixtures.js';

/**
 * An administrator repairing a dossier whose async continuation failed as often as allowed (parked
 * with a failedJob incident): the job is listed with no retries left and its error; new retries
 * resolve the incident and the scheduler tries again that many times, then parks it again.
 */
let db: Database;
let engine: EngineService;
beforeAll(async () => { ({ db, engine } = await engineWith({ 'plain.bpmn': asyncReview('jobAdmin') })); });
afterAll(async () => { await db.close(); });

async function parkedJob(): Promise<{ instanceId: string; jobId: string }> {
  const inst = await engine.startProcess({ key: 'jobAdmin' });
  const [task] = await engine.listTasks({ processInstanceId: inst.id }, { all: true });
  await engine.completeTask(task!.id, { userId: 'u' }, { all: true });
  for (let k = 0; k < MAX_TIMER_ATTEMPTS; k++) await fireDueJobs(db, engine, inst.id);
  const [job] = await engine.listJobs({ processInstanceId: inst.id });
  return { instanceId: inst.id, jobId: job!.id };
}

describe('jobs for administrators (Camunda GET /job, PUT /job/{id}/retries)', () => {
  test('a parked job has no retries left and carries its incident\'s error; new retries give it that many attempts', async () => {
    const { instanceId, jobId } = await parkedJob();
    const parked = await engine.getJob(jobId);
    expect(parked).toMatchObject({ instanceId, activityId: 'review', parked: true, retries: 0 });
    expect(parked.exceptionMessage).toMatch(/boss/);
    expect((await engine.listJobs({ noRetriesLeft: true })).map((j) => j.id)).toContain(jobId);
    const [incident] = await engine.listIncidents({ processInstanceId: instanceId });
    // The administrator reads why in Vietnamese, the step by its name; Camunda's tools keep the English.
    expect(incident).toMatchObject({ incident_type: 'failedJob', message: expect.stringMatching(/^Cannot evaluate expression/) });
    expect(incident!.message_vi).toMatch(/^Quy trình không thể tiếp tục: Không tính được biểu thức '\$\{boss\.name\}'/);

    await engine.setJobRetries(jobId, 2);
    expect(await engine.getJob(jobId)).toMatchObject({ parked: false, retries: 2, exceptionMessage: null });
    expect(await engine.listIncidents({ processInstanceId: instanceId })).toEqual([]);
    const resolved = await engine.history({ instanceId, kinds: ['incident-resolved'] });
    expect(resolved).toHaveLength(1);

    // The model still cannot go on: two more attempts, then parked again with a new incident.
    await fireDueJobs(db, engine, instanceId);
    expect(await engine.getJob(jobId)).toMatchObject({ parked: false, retries: 1 });
    await fireDueJobs(db, engine, instanceId);
    expect(await engine.getJob(jobId)).toMatchObject({ parked: true, retries: 0 });
    expect(await engine.listIncidents({ processInstanceId: instanceId })).toEqual([expect.objectContaining({ incident_type: 'failedJob' })]);
    expect((await engine.getInstance(instanceId)).state).toBe('ACTIVE');
  });

  test('bad input: retries below 1 and an unknown job are refused by key, and change nothing', async () => {
    const { jobId } = await parkedJob();
    for (const retries of [0, -1, 1.5]) await expect(engine.setJobRetries(jobId, retries)).rejects.toMatchObject({ text: { key: 'engine.jobRetriesInvalid' } });
    expect(await engine.getJob(jobId)).toMatchObject({ parked: true, retries: 0 });
    await expect(engine.setJobRetries('00000000-0000-0000-0000-000000000000', 1)).rejects.toMatchObject({ text: { key: 'engine.jobNotFound' } });
  });
});
