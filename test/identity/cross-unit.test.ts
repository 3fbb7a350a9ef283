import request from 'supertest';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { specialistCheck } from '../engine/fixtures.js';

const CHECK = specialistCheck('crossunit');

const ADMIN = basicAuthHeader('admin');

describe('cross-unit authorization on real engine routes', () => {
  let platform: TestPlatform;
  let taskId: string;
  let instanceId: string;
  let own: AuthedClient;
  let other: AuthedClient;
  let inspector: AuthedClient;

  const asAdmin = (url: string) => request(platform.app).get(url).set('Authorization', ADMIN);
  const flushAudit = () => platform.background.find((b) => b.name === 'audit-trail')!.stop();

  beforeAll(async () => {
    platform = await createTestPlatform();
    await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
      .field('deployment-name', 'cross-unit').attach('file', Buffer.from(CHECK), 'crossunit.bpmn').expect(200);
    const started = await request(platform.app).post('/engine-rest/process-definition/key/crossunit/start').set('Authorization', ADMIN)
      .send({ businessKey: 'HS-XU-1', variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).expect(200);
    instanceId = started.body.id;
    const tasks = (await asAdmin('/engine-rest/task').query({ processInstanceId: instanceId }).expect(200)).body;
    expect(tasks).toHaveLength(1);
    taskId = tasks[0].id;
    own = await loginAs(platform.app, 'chuyenvien.xa');
    other = await loginAs(platform.app, 'chuyenvien.xa2');
    inspector = await loginAs(platform.app, 'thanhtra');
  });
  afterAll(async () => { await platform.close(); });

  it('without a login every task route answers 401', async () => {
    await request(platform.app).get('/engine-rest/task').expect(401);
    await request(platform.app).get(`/engine-rest/task/${taskId}`).expect(401);
    await request(platform.app).post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'chuyenvien.xa' }).expect(401);
    await request(platform.app).post(`/engine-rest/task/${taskId}/complete`).send({}).expect(401);
  });

  it('a specialist of another commune neither lists, reads, claims nor completes it, and nothing changes', async () => {
    const listed = (await other.get('/engine-rest/task').expect(200)).body.map((t: { id: string }) => t.id);
    expect(listed).not.toContain(taskId);
    expect((await other.get('/engine-rest/task').query({ candidateGroup: 'specialist' }).expect(200)).body).toEqual([]);
    expect((await other.get('/engine-rest/task/count').expect(200)).body).toEqual({ count: 0 });
    await other.get(`/engine-rest/task/${taskId}`).expect(404);
    await other.get(`/engine-rest/task/${taskId}/variables`).expect(404);
    expect([403, 404]).toContain((await other.post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'chuyenvien.xa2' })).status);
    expect([403, 404]).toContain((await other.post(`/engine-rest/task/${taskId}/assignee`).send({ userId: 'chuyenvien.xa2' })).status);
    expect([403, 404]).toContain((await other.post(`/engine-rest/task/${taskId}/complete`).send({})).status);
    // Claiming on the rightful holder's behalf is refused too.
    await other.post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'chuyenvien.xa' }).expect(403);

    const task = (await asAdmin(`/engine-rest/task/${taskId}`).expect(200)).body;
    expect(task.assignee).toBeNull();
    expect(task.processInstanceId).toBe(instanceId);

    // Every refused attempt is in the audit trail, with who and in which unit.
    await flushAudit();
    const refused = await platform.db.knex('audit_log').where({ username: 'chuyenvien.xa2' }).andWhereLike('action', 'POST /engine-rest/task/%').orderBy('seq');
    expect(refused.map((r) => r.action)).toEqual([
      'POST /engine-rest/task/:id/claim', 'POST /engine-rest/task/:id/assignee', 'POST /engine-rest/task/:id/complete', 'POST /engine-rest/task/:id/claim',
    ]);
    expect(refused.every((r) => r.unit_id === 'xa-ham-tien' && r.target_id === taskId && ['403', '404'].includes(r.outcome))).toBe(true);
  });

  it('the inspector reads the task (history) but cannot claim or complete it', async () => {
    const hist = (await inspector.get('/engine-rest/history/task').query({ taskId }).expect(200)).body;
    expect(hist).toHaveLength(1);
    expect(hist[0]).toMatchObject({ id: taskId, taskDefinitionKey: 'check' });
    await inspector.post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'thanhtra' }).expect(403);
    await inspector.post(`/engine-rest/task/${taskId}/complete`).send({}).expect(403);
    expect((await asAdmin(`/engine-rest/task/${taskId}`).expect(200)).body.assignee).toBeNull();
  });

  it('the specialist of the task\'s commune sees, claims and completes it', async () => {
    const listed = (await own.get('/engine-rest/task').query({ candidateGroup: 'specialist' }).expect(200)).body;
    expect(listed.map((t: { id: string }) => t.id)).toEqual([taskId]);
    expect((await own.get(`/engine-rest/task/${taskId}`).expect(200)).body.name).toBe('Thẩm định hồ sơ');
    await own.post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'chuyenvien.xa' }).expect(204);
    // Once claimed, the other commune still cannot complete it.
    expect([403, 404]).toContain((await other.post(`/engine-rest/task/${taskId}/complete`).send({})).status);
    await own.post(`/engine-rest/task/${taskId}/complete`).send({}).expect(204);
    await asAdmin(`/engine-rest/task/${taskId}`).expect(404);
    const hist = (await asAdmin('/engine-rest/history/task').query({ taskId }).expect(200)).body;
    expect(hist[0]).toMatchObject({ assignee: 'chuyenvien.xa', deleteReason: 'completed' });
  });
});
