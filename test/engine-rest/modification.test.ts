import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { bpmn } from '../engine/fixtures.js';

let platform: TestPlatform;
const ADMIN = basicAuthHeader('admin');
/** receive → check → sign → end: a dossier stuck at `receive` is repaired by an administrator. */
const FLOW = bpmn('repair', `
  <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="receive"/>
  <bpmn:userTask id="receive"/><bpmn:sequenceFlow id="f2" sourceRef="receive" targetRef="check"/>
  <bpmn:userTask id="check"/><bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="sign"/>
  <bpmn:userTask id="sign"/><bpmn:sequenceFlow id="f4" sourceRef="sign" targetRef="end"/><bpmn:endEvent id="end"/>`);

beforeAll(async () => {
  platform = await createTestPlatform();
  await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'repair').attach('file', Buffer.from(FLOW), 'repair.bpmn').expect(200);
});
afterAll(async () => { await platform.close(); });

const api = () => request(platform.app);
const tasksOf = async (id: string) => (await api().get(`/engine-rest/task?processInstanceId=${id}`).set('Authorization', ADMIN).expect(200)).body
  .map((t: { taskDefinitionKey: string }) => t.taskDefinitionKey).sort();
const modify = (id: string, body: object, auth = ADMIN) => api().post(`/engine-rest/process-instance/${id}/modification`).set('Authorization', auth).send(body);

describe('POST /process-instance/{id}/modification (administrators)', () => {
  test('cancel the current step and start before another: one command, in the history with who and why', async () => {
    const id = (await api().post('/engine-rest/process-definition/key/repair/start').set('Authorization', ADMIN).send({}).expect(200)).body.id;
    expect(await tasksOf(id)).toEqual(['receive']);
    await modify(id, { annotation: 'hồ sơ nhận nhầm bước', instructions: [{ type: 'cancel', activityId: 'receive' }, { type: 'startBeforeActivity', activityId: 'sign' }] }).expect(204);
    expect(await tasksOf(id)).toEqual(['sign']);
    await modify(id, { instructions: [{ type: 'startAfterActivity', activityId: 'receive' }] }).expect(204);
    expect(await tasksOf(id)).toEqual(['check', 'sign']);
    const hist = await platform.db.knex('engine_history').where({ instance_id: id, kind: 'instance-modified' }).orderBy('id');
    expect(hist).toHaveLength(2);
    expect(hist[0]).toMatchObject({ user_id: 'admin' });
    expect(hist[0].data).toMatchObject({ annotation: 'hồ sơ nhận nhầm bước' });
    // Cancelling what remains ends the instance.
    await modify(id, { instructions: [{ type: 'cancel', activityId: 'check' }, { type: 'cancel', activityId: 'sign' }] }).expect(204);
    expect((await api().get(`/engine-rest/process-instance/${id}`).set('Authorization', ADMIN)).status).toBe(404);
  });

  test('bad instructions are refused with a 4xx naming the problem, and change nothing', async () => {
    const id = (await api().post('/engine-rest/process-definition/key/repair/start').set('Authorization', ADMIN).send({}).expect(200)).body.id;
    const bad = await modify(id, { instructions: [{ type: 'startBeforeActivity', activityId: 'sign' }, { type: 'cancel', activityId: 'nowhere' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/no active instance of 'nowhere'/);
    expect(await tasksOf(id)).toEqual(['receive']);
    expect((await modify(id, { instructions: [] })).status).toBe(400);
    expect((await modify(id, { instructions: [{ type: 'jump', activityId: 'sign' }] })).status).toBe(400);
    expect((await modify(id, { instructions: [{ type: 'startBeforeActivity', activityId: 'ghost' }] })).body.message).toMatch(/'ghost' is not in this process/);
    expect((await modify('00000000-0000-0000-0000-000000000000', { instructions: [{ type: 'cancel', activityId: 'x' }] })).status).toBe(404);
    // Not an administrator: refused.
    expect((await modify(id, { instructions: [{ type: 'cancel', activityId: 'receive' }] }, basicAuthHeader('chuyenvien.xa'))).status).toBe(403);
    expect(await tasksOf(id)).toEqual(['receive']);
  });
});
