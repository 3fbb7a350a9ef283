import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { asyncReview } from '../engine/fixtures.js';

/**
 * /job over REST: timers and async continuations read within the caller's units; an administrator gives a
 * parked job new retries (Camunda's PUT /job/{id}/retries). The parking itself (the scheduler, after the
 * model's attempts) is tested in test/engine/job-admin.test.ts; here the row is parked as the scheduler does.
 */
const ADMIN = basicAuthHeader('admin');
let platform: TestPlatform;
let jobId: string;
let instanceId: string;
const clients: Record<string, AuthedClient> = {};

beforeAll(async () => {
  platform = await createTestPlatform();
  await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'jobs').attach('file', Buffer.from(asyncReview('jobsRest')), 'jobs.bpmn').expect(200);
  instanceId = (await request(platform.app).post('/engine-rest/process-definition/key/jobsRest/start').set('Authorization', ADMIN)
    .send({ businessKey: 'HS-JOB', variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).expect(200)).body.id;
  const [task] = (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: instanceId }).set('Authorization', ADMIN).expect(200)).body;
  await request(platform.app).post(`/engine-rest/task/${task.id}/complete`).set('Authorization', ADMIN).send({}).expect(204);
  const timer = await platform.db.knex('engine_timer').where({ instance_id: instanceId }).first();
  jobId = timer.id;
  // Parked as the scheduler parks a job that failed as often as allowed (server/engine/service/jobs.ts).
  await platform.db.knex('engine_timer').where({ id: jobId }).update({ attempts: 3, locked_by: 'incident', locked_until: new Date('9999-12-31T00:00:00Z') });
  await platform.db.knex('engine_incident').insert({ id: crypto.randomUUID(), instance_id: instanceId, definition_id: timer.definition_id, activity_id: 'review',
    incident_type: 'failedJob', configuration: jobId, message: "Unknown property 'boss'", message_vi: 'Không có biến boss', created: new Date() });
  for (const u of ['chuyenvien.xa', 'chuyenvien.stp']) clients[u] = await loginAs(platform.app, u);
});
afterAll(async () => { await platform.close(); });

const api = () => request(platform.app);

describe('GET /job and PUT /job/{id}/retries', () => {
  it('lists the parked job in Camunda\'s shape, for its unit and administrators only', async () => {
    const all = (await api().get('/engine-rest/job').query({ noRetriesLeft: 'true' }).set('Authorization', ADMIN).expect(200)).body;
    expect(all).toEqual([expect.objectContaining({ id: jobId, processInstanceId: instanceId, processDefinitionKey: 'jobsRest', retries: 0,
      exceptionMessage: "Unknown property 'boss'", failedActivityId: 'review', suspended: false })]);
    expect((await clients['chuyenvien.xa']!.get(`/engine-rest/job/${jobId}`).expect(200)).body).toMatchObject({ id: jobId, retries: 0 });
    // Another unit's job answers like an unknown one, and is not listed.
    const other = await clients['chuyenvien.stp']!.get(`/engine-rest/job/${jobId}`).expect(404);
    const unknown = await clients['chuyenvien.stp']!.get('/engine-rest/job/00000000-0000-0000-0000-000000000000').expect(404);
    expect(other.body.type).toBe(unknown.body.type);
    expect(other.body.message).toContain(jobId);
    expect((await clients['chuyenvien.stp']!.get('/engine-rest/job').expect(200)).body).toEqual([]);
  });

  it('says the engine\'s own incident in Vietnamese to a reader who asks for it, in English otherwise', async () => {
    const read = async (lang?: string) => {
      const r = api().get('/engine-rest/incident').query({ processInstanceId: instanceId }).set('Authorization', ADMIN);
      return (await (lang ? r.set('Accept-Language', lang) : r).expect(200)).body.map((i: { incidentMessage: string }) => i.incidentMessage);
    };
    expect(await read()).toEqual(["Unknown property 'boss'"]);
    expect(await read('en')).toEqual(["Unknown property 'boss'"]);
    expect(await read('vi-VN,vi;q=0.9')).toEqual(['Không có biến boss']);
  });

  it('refuses bad input and callers who may not repair, changing nothing', async () => {
    for (const body of [{ retries: 0 }, { retries: -2 }, { retries: 'ba' }, {}, { retries: 1, extra: true }]) {
      const res = await api().put(`/engine-rest/job/${jobId}/retries`).set('Authorization', ADMIN).send(body);
      expect(res.status).toBe(400);
      expect(typeof res.body.message).toBe('string');
    }
    await clients['chuyenvien.xa']!.put(`/engine-rest/job/${jobId}/retries`).send({ retries: 1 }).expect(403);
    await api().put('/engine-rest/job/00000000-0000-0000-0000-000000000000/retries').set('Authorization', ADMIN).send({ retries: 1 }).expect(404);
    await api().get('/engine-rest/job').query({ maxResults: 'many' }).set('Authorization', ADMIN).expect(400);
    expect((await api().get(`/engine-rest/job/${jobId}`).set('Authorization', ADMIN).expect(200)).body.retries).toBe(0);
  });

  it('new retries unpark the job and resolve its incident', async () => {
    await api().put(`/engine-rest/job/${jobId}/retries`).set('Authorization', ADMIN).send({ retries: 2 }).expect(204);
    expect((await api().get(`/engine-rest/job/${jobId}`).set('Authorization', ADMIN).expect(200)).body).toMatchObject({ retries: 2, exceptionMessage: null, failedActivityId: null });
    expect((await api().get('/engine-rest/incident').query({ processInstanceId: instanceId }).set('Authorization', ADMIN).expect(200)).body).toEqual([]);
    const row = await platform.db.knex('engine_timer').where({ id: jobId }).first();
    expect(row).toMatchObject({ locked_by: null, locked_until: null });
    // Due already: the scheduler fires it at its next poll.
    expect(new Date(row.due_at).getTime()).toBeLessThanOrEqual(Date.now());
  });
});
