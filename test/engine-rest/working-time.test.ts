import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { bpmn } from '../engine/fixtures.js';

const ADMIN = basicAuthHeader('admin');
let platform: TestPlatform;

const BUDGETED = bpmn('budgeted', `
  <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="appraise"/>
  <bpmn:userTask id="appraise" tthc:budget="2d" camunda:candidateGroups="specialist"/>
  <bpmn:sequenceFlow id="f2" sourceRef="appraise" targetRef="sign"/>
  <bpmn:userTask id="sign" tthc:budget="4h" camunda:dueDate="\${signBy}"/>
  <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/><bpmn:endEvent id="end"/>`);

beforeAll(async () => {
  platform = await createTestPlatform();
  const res = await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .attach('budgeted.bpmn', Buffer.from(BUDGETED), 'budgeted.bpmn');
  expect(res.status).toBe(200);
});
afterAll(async () => { await platform.close(); });

describe('due dates in working time (calendar wired through platform.ts)', () => {
  test('tthc:budget sets the due date in working days; camunda:dueDate wins when given', async () => {
    const start = await request(platform.app).post('/engine-rest/process-definition/key/budgeted/start').set('Authorization', ADMIN)
      .send({ variables: { unitId: { value: 'xa-phu-long', type: 'String' }, signBy: { value: '2030-01-15T16:00:00.000+0700', type: 'Date' } } });
    expect(start.status).toBe(200);
    const [task] = (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: start.body.id }).set('Authorization', ADMIN)).body;
    const created = new Date(task.created.replace('+0700', '+07:00')).getTime();
    const due = new Date(task.due.replace('+0700', '+07:00')).getTime();
    // Two working days: at least 2 calendar days later, and no more than a long holiday away.
    expect(due - created).toBeGreaterThanOrEqual(16 * 3600 * 1000);
    expect(due - created).toBeLessThan(14 * 86400 * 1000);
    await request(platform.app).post(`/engine-rest/task/${task.id}/complete`).set('Authorization', ADMIN).send({}).expect(204);
    const [sign] = (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: start.body.id }).set('Authorization', ADMIN)).body;
    expect(sign.due).toBe('2030-01-15T16:00:00.000+0700');
  });
});
