import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader, loginAs } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { WORK } from '../engine/fixtures.js';

/**
 * Every answer carrying process variables (citizens' personal data) leaves an audit row:
 * the variables read routes (unit-scope.test.ts), a completion with withVariablesInReturn,
 * a start with withVariablesInReturn, and each external task fetchAndLock hands out with variables.
 */
const ADMIN = basicAuthHeader('admin');
const WORKER = basicAuthHeader('worker');
let platform: TestPlatform;
const api = () => request(platform.app);
const reads = async () => {
  await platform.background.find((b) => b.name === 'audit-trail')!.stop();
  return platform.db.knex('audit_log').where({ action: 'access:read-variables' }).orderBy('seq').select('username', 'target_type', 'target_id');
};
const citizen = { unitId: { value: 'xa-phu-long', type: 'String' }, idNumber: { value: '079123456789', type: 'String' } };

beforeAll(async () => {
  platform = await createTestPlatform();
  await api().post('/engine-rest/deployment/create').set('Authorization', ADMIN).field('deployment-name', 'work')
    .attach('file', Buffer.from(WORK), 'work.bpmn').expect(200);
});
afterAll(async () => { await platform.close(); });

describe('personal data handed out by engine writes is audited', () => {
  it('start and fetchAndLock with variables, and complete withVariablesInReturn, each leave one row; answers without variables none', async () => {
    const started = await api().post('/engine-rest/process-definition/key/work/start').set('Authorization', WORKER)
      .send({ businessKey: 'HS-PD-1', variables: citizen, withVariablesInReturn: true }).expect(200);
    expect(started.body.variables.idNumber.value).toBe('079123456789');
    await api().post('/engine-rest/process-definition/key/work/start').set('Authorization', WORKER)
      .send({ businessKey: 'HS-PD-2', variables: citizen }).expect(200);

    // Fetched with its variables: audited. Fetched asking for none: nothing personal handed out.
    const [withVars] = (await api().post('/engine-rest/external-task/fetchAndLock').set('Authorization', WORKER)
      .send({ workerId: 'w1', maxTasks: 1, topics: [{ topicName: 'work', lockDuration: 60_000, businessKey: 'HS-PD-1' }] }).expect(200)).body;
    expect(withVars.variables.idNumber.value).toBe('079123456789');
    const [noVars] = (await api().post('/engine-rest/external-task/fetchAndLock').set('Authorization', WORKER)
      .send({ workerId: 'w1', maxTasks: 1, topics: [{ topicName: 'work', lockDuration: 60_000, businessKey: 'HS-PD-2', variables: [] }] }).expect(200)).body;
    expect(noVars.variables).toEqual({});
    await api().post(`/engine-rest/external-task/${withVars.id}/complete`).set('Authorization', WORKER).send({ workerId: 'w1' }).expect(204);

    const [task] = (await api().get('/engine-rest/task').query({ processInstanceId: started.body.id }).set('Authorization', ADMIN).expect(200)).body;
    const cv = await loginAs(platform.app, 'chuyenvien.xa');
    const done = await cv.post(`/engine-rest/task/${task.id}/complete`).send({ withVariablesInReturn: true }).expect(200);
    expect(done.body.idNumber.value).toBe('079123456789');

    expect(await reads()).toEqual([
      { username: 'worker', target_type: 'process-instance', target_id: started.body.id },
      { username: 'worker', target_type: 'external-task', target_id: withVars.id },
      { username: 'chuyenvien.xa', target_type: 'task', target_id: task.id },
    ]);
  });
});
