import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { specialistCheck } from '../engine/fixtures.js';

/**
 * Reading dossiers' process data is scoped by unit like acting on tasks: instance variables
 * carry citizens' personal data, so another commune must not read them through any route.
 * Leaders read their units and every sub-unit; inspectors read everything, act on nothing.
 */
const CHECK = specialistCheck('scoped');

const ADMIN = basicAuthHeader('admin');
let platform: TestPlatform;
const clients: Record<string, AuthedClient> = {};
const ids: Record<string, { instanceId: string; taskId: string }> = {};

async function startIn(unitId: string): Promise<{ instanceId: string; taskId: string }> {
  const started = await request(platform.app).post('/engine-rest/process-definition/key/scoped/start').set('Authorization', ADMIN)
    .send({ businessKey: `HS-${unitId}`, variables: { unitId: { value: unitId, type: 'String' }, idNumber: { value: '079123456789', type: 'String' } } })
    .expect(200);
  const tasks = (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: started.body.id }).set('Authorization', ADMIN).expect(200)).body;
  return { instanceId: started.body.id, taskId: tasks[0].id };
}

beforeAll(async () => {
  platform = await createTestPlatform();
  await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'scoped').attach('file', Buffer.from(CHECK), 'scoped.bpmn').expect(200);
  ids.commune = await startIn('xa-phu-long');
  ids.division = await startIn('stp-hctp');
  for (const u of ['chuyenvien.xa', 'chuyenvien.xa2', 'lanhdao.xa', 'lanhdao.stp', 'thanhtra']) clients[u] = await loginAs(platform.app, u);
});
afterAll(async () => { await platform.close(); });

const listedIds = (body: Array<{ id: string }>) => body.map((x) => x.id);

describe('instance data is read only within the caller\'s units', () => {
  it('another commune cannot read the instance, its variables or its history', async () => {
    const other = clients['chuyenvien.xa2']!;
    const { instanceId, taskId } = ids.commune!;
    await other.get(`/engine-rest/process-instance/${instanceId}`).expect(404);
    await other.get(`/engine-rest/process-instance/${instanceId}/variables`).expect(404);
    expect(listedIds((await other.get('/engine-rest/process-instance').expect(200)).body)).not.toContain(instanceId);
    expect((await other.get('/engine-rest/process-instance/count').expect(200)).body).toEqual({ count: 0 });
    expect(listedIds((await other.get('/engine-rest/history/process-instance').expect(200)).body)).not.toContain(instanceId);
    await other.get('/engine-rest/history/activity-instance').query({ processInstanceId: instanceId }).expect(404);
    expect((await other.get('/engine-rest/history/task').query({ taskId }).expect(200)).body).toEqual([]);
    expect((await other.get('/engine-rest/history/task').query({ processInstanceId: instanceId }).expect(200)).body).toEqual([]);
  });

  it('the commune\'s own specialist reads the instance and its variables', async () => {
    const own = clients['chuyenvien.xa']!;
    const { instanceId } = ids.commune!;
    expect((await own.get(`/engine-rest/process-instance/${instanceId}`).expect(200)).body.id).toBe(instanceId);
    expect((await own.get(`/engine-rest/process-instance/${instanceId}/variables`).expect(200)).body.unitId.value).toBe('xa-phu-long');
    expect(listedIds((await own.get('/engine-rest/process-instance').expect(200)).body)).toEqual([instanceId]);
  });

  it('every read of process variables (personal data) is in the audit trail, refused reads are not', async () => {
    const { instanceId, taskId } = ids.commune!;
    await clients['chuyenvien.xa']!.get(`/engine-rest/task/${taskId}/variables`).expect(200);
    await clients['chuyenvien.xa2']!.get(`/engine-rest/task/${taskId}/variables`).expect(404);
    await platform.background.find((b) => b.name === 'audit-trail')!.stop();
    const reads = await platform.db.knex('audit_log').where({ action: 'access:read-variables' }).orderBy('seq')
      .select('username', 'unit_id', 'target_type', 'target_id');
    expect(reads).toEqual([
      { username: 'chuyenvien.xa', unit_id: 'xa-phu-long', target_type: 'process-instance', target_id: instanceId },
      { username: 'chuyenvien.xa', unit_id: 'xa-phu-long', target_type: 'task', target_id: taskId },
    ]);
  });

  it('a leader reads the tasks of their unit and of its sub-units, not of other units', async () => {
    const communeLeader = clients['lanhdao.xa']!;
    expect(listedIds((await communeLeader.get('/engine-rest/task').expect(200)).body)).toEqual([ids.commune!.taskId]);
    const stpLeader = clients['lanhdao.stp']!;
    expect(listedIds((await stpLeader.get('/engine-rest/task').expect(200)).body)).toEqual([ids.division!.taskId]);
    await stpLeader.get(`/engine-rest/task/${ids.division!.taskId}`).expect(200);
    await stpLeader.get(`/engine-rest/process-instance/${ids.division!.instanceId}/variables`).expect(200);
    await stpLeader.get(`/engine-rest/task/${ids.commune!.taskId}`).expect(404);
    // Reading is not acting: the specialist step is not the leader's to complete.
    expect([403, 404]).toContain((await stpLeader.post(`/engine-rest/task/${ids.division!.taskId}/complete`).send({})).status);
  });

  it('the inspector reads every unit\'s tasks and instances', async () => {
    const inspector = clients.thanhtra!;
    const tasks = listedIds((await inspector.get('/engine-rest/task').expect(200)).body);
    expect(tasks.sort()).toEqual([ids.commune!.taskId, ids.division!.taskId].sort());
    await inspector.get(`/engine-rest/process-instance/${ids.commune!.instanceId}/variables`).expect(200);
  });
});
