import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { BasicAuthInterceptor, Client, Variables } from 'camunda-external-task-client-js';
import { basicAuthHeader, DEMO_PASSWORD } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { APPROVAL, WORK } from '../engine/fixtures.js';

let platform: TestPlatform;
let server: Server;
let baseUrl: string;
const WORKER = basicAuthHeader('worker');
const ADMIN = basicAuthHeader('admin');

beforeAll(async () => {
  platform = await createTestPlatform();
  server = platform.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/engine-rest`;
  const res = await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'client-js').field('deployment-source', 'Camunda Modeler').field('deploy-changed-only', 'true')
    .attach('approval.bpmn', Buffer.from(APPROVAL), 'approval.bpmn')
    .attach('work.bpmn', Buffer.from(WORK), 'work.bpmn');
  expect(res.status).toBe(200);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await platform.close();
});

function newClient(extra: Record<string, unknown> = {}) {
  return new Client({
    baseUrl, use: () => undefined, asyncResponseTimeout: 2000, interval: 50, autoPoll: false,
    interceptors: new BasicAuthInterceptor({ username: 'worker', password: DEMO_PASSWORD }), ...extra,
  });
}

async function start(key: string, businessKey: string, variables: Record<string, unknown> = {}) {
  const res = await request(platform.app).post(`/engine-rest/process-definition/key/${key}/start`).set('Authorization', WORKER)
    .send({ businessKey, variables });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 15000): Promise<T> {
  return new Promise((resolve, reject) => {
    const stopAt = Date.now() + ms;
    const loop = async () => {
      const v = await fn().catch(() => undefined);
      if (v !== undefined) return resolve(v);
      if (Date.now() > stopAt) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(loop, 50);
    };
    void loop();
  });
}

describe('camunda-external-task-client-js against /engine-rest', () => {
  test('a worker reads typed variables and completes with variables', async () => {
    const id = await start('work', 'HS-CJ-1', { fee: { value: 120000, type: 'Integer' }, applicant: { value: '{"name":"Nguyễn Văn A"}', type: 'Json' } });
    const client = newClient();
    const seen: Array<Record<string, unknown>> = [];
    client.subscribe('work', { processDefinitionKey: 'work', businessKey: 'HS-CJ-1' }, async ({ task, taskService }) => {
      seen.push({ fee: task.variables.get('fee'), applicant: task.variables.get('applicant'), businessKey: task.businessKey });
      const out = new Variables().set('result', 'ok').setTyped('score', { value: 9.5, type: 'Double', valueInfo: {} });
      await taskService.complete(task, out);
    });
    client.start();
    const tasks = await until(async () => {
      const r = await request(platform.app).get('/engine-rest/task').query({ processInstanceId: id }).set('Authorization', ADMIN);
      return r.body.length ? r.body : undefined;
    }, 'the user task after the worker');
    client.stop();
    expect(seen[0]).toEqual({ fee: 120000, applicant: { name: 'Nguyễn Văn A' }, businessKey: 'HS-CJ-1' });
    expect(tasks[0].taskDefinitionKey).toBe('check');
    const vars = await request(platform.app).get(`/engine-rest/process-instance/${id}/variables`).set('Authorization', ADMIN);
    expect(vars.body.result).toEqual({ type: 'String', value: 'ok', valueInfo: {} });
    expect(vars.body.score).toEqual({ type: 'Double', value: 9.5, valueInfo: {} });
    expect(vars.headers['content-type']).toBe('application/json');
  });

  test('failure with retries, then extendLock and complete; retries 0 raises an incident', async () => {
    const id = await start('work', 'HS-CJ-2');
    const client = newClient();
    let attempts = 0;
    client.subscribe('work', { businessKey: 'HS-CJ-2' }, async ({ task, taskService }) => {
      attempts++;
      if (attempts === 1) {
        await taskService.handleFailure(task, { errorMessage: 'tạm lỗi', errorDetails: 'stack', retries: 1, retryTimeout: 10 });
      } else {
        await taskService.extendLock(task, 60000);
        await taskService.complete(task);
      }
    });
    client.start();
    await until(async () => {
      const r = await request(platform.app).get('/engine-rest/task').query({ processInstanceId: id }).set('Authorization', ADMIN);
      return r.body.length ? true : undefined;
    }, 'completion after a retry');
    client.stop();
    expect(attempts).toBe(2);

    const id2 = await start('work', 'HS-CJ-3');
    const c2 = newClient();
    let failedTaskId = '';
    c2.subscribe('work', { businessKey: 'HS-CJ-3' }, async ({ task, taskService }) => {
      // A poll still in flight after stop() may fetch it again: fail only once.
      if (failedTaskId) return;
      failedTaskId = task.id!;
      await taskService.handleFailure(task, { errorMessage: 'hỏng hẳn', retries: 0 });
    });
    c2.start();
    const incidents = await until(async () => {
      const r = await request(platform.app).get('/engine-rest/incident').query({ processInstanceId: id2 }).set('Authorization', ADMIN);
      return r.body.length ? r.body : undefined;
    }, 'an incident');
    c2.stop();
    expect(incidents[0]).toMatchObject({ incidentType: 'failedExternalTask', configuration: failedTaskId, incidentMessage: 'hỏng hẳn' });
    const put = await request(platform.app).put(`/engine-rest/external-task/${failedTaskId}/retries`).set('Authorization', ADMIN).send({ retries: 3 });
    expect(put.status).toBe(204);
    const after = await request(platform.app).get('/engine-rest/incident').query({ processInstanceId: id2 }).set('Authorization', ADMIN);
    expect(after.body).toEqual([]);
  });

  test('bpmnError from the client is caught by the boundary event', async () => {
    const res = await request(platform.app).post('/engine-rest/process-definition/key/approval/start').set('Authorization', WORKER)
      .send({ businessKey: 'HS-CJ-4', variables: { starter: { value: 'admin', type: 'String' } } });
    const id = res.body.id;
    const [task] = (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: id }).set('Authorization', ADMIN)).body;
    const done = await request(platform.app).post(`/engine-rest/task/${task.id}/complete`).set('Authorization', ADMIN)
      .send({ variables: { approved: { value: true, type: 'Boolean' }, fee: { value: 500000, type: 'Long' } } });
    expect(done.status).toBe(204);
    const client = newClient();
    client.subscribe('notify', { businessKey: 'HS-CJ-4' }, async ({ task: t, taskService }) => {
      await taskService.handleBpmnError(t, 'REJECTED', 'Hồ sơ bị từ chối', new Variables().set('reason', 'thiếu giấy tờ'));
    });
    client.start();
    const tasks = await until(async () => {
      const r = await request(platform.app).get('/engine-rest/task').query({ processInstanceId: id }).set('Authorization', ADMIN);
      return r.body.length ? r.body : undefined;
    }, 'the fix task');
    client.stop();
    expect(tasks.map((t: { taskDefinitionKey: string }) => t.taskDefinitionKey)).toEqual(['fix']);
  });

  test('long polling is woken as soon as a task is created', async () => {
    const poll = request(platform.app).post('/engine-rest/external-task/fetchAndLock').set('Authorization', WORKER)
      .send({ workerId: 'lp', maxTasks: 1, asyncResponseTimeout: 20000, topics: [{ topicName: 'work', lockDuration: 10000, businessKey: 'HS-LP' }] });
    const pending = poll.then((r) => r);
    await new Promise((r) => setTimeout(r, 200));
    await start('work', 'HS-LP');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({ topicName: 'work', businessKey: 'HS-LP', workerId: 'lp' });
    expect(res.body[0].lockExpirationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0700$/);
  });
});
