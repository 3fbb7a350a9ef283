import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { notifyCitizen } from '../../workers/handlers/notify.js';
import type { Workers } from '../../workers/runner.js';
import { startSmtpSink } from '../notifications/sinks.js';
import { ADMIN, WORKER, runWorkers, startListening, until } from './helpers.js';

const NOTIFY = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="notify-accepted" isExecutable="true">
    <bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="N" />
    <bpmn:serviceTask id="N" camunda:type="external" camunda:topic="tthc.notify-citizen" />
    <bpmn:sequenceFlow id="f2" sourceRef="N" targetRef="E" /><bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>`;

let env: Awaited<ReturnType<typeof startListening>>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const running: Workers[] = [];

beforeAll(async () => {
  smtp = await startSmtpSink();
  env = await startListening({ SMTP_URL: smtp.url });
  const res = await request(env.platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'notify').attach('notify.bpmn', Buffer.from(NOTIFY), 'notify.bpmn');
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await Promise.all(running.map((w) => w.stop()));
  await env.close();
  await smtp.close();
});

async function accept(code: string): Promise<string> {
  const res = await request(env.platform.app).post('/engine-rest/process-definition/key/notify-accepted/start').set('Authorization', WORKER).send({
    businessKey: code, variables: {
      notifyTemplate: { value: 'accepted' }, dossierCode: { value: code }, procedureName: { value: 'Đăng ký khai sinh' },
      dueAt: { value: '2026-12-04T17:00:00.000+0700', type: 'Date' }, applicantEmail: { value: `${code.toLowerCase()}@example.vn` },
    },
  });
  expect(res.status).toBe(200);
  return res.body.id as string;
}
const ended = async (id: string) => {
  const r = await request(env.platform.app).get('/engine-rest/history/process-instance').query({ processInstanceId: id }).set('Authorization', ADMIN);
  return r.body[0]?.state === 'COMPLETED';
};
const mailsFor = (code: string) => smtp.mails.filter((m) => m.subject.includes(`${code} `));

describe('effects happen once, whatever happens to the workers', () => {
  test('a worker that dies after its effect and before completing: the task comes back, no second email', async () => {
    let died = false;
    // This worker sends the email, then never completes (as if killed): its lock (1 s) expires.
    running.push(runWorkers(env.baseUrl, { WORKER_LOCK_MS: '1000', WORKER_SHUTDOWN_MS: '50', WORKER_ID: 'dying' }, {
      'tthc.notify-citizen': async (ctx) => { await notifyCitizen(ctx); died = true; return new Promise(() => undefined); },
    }));
    const id = await accept('HS-K-1');
    await until(async () => died, 'the first worker to send and die');
    // Its lock (1 s) may run out while it sends on a loaded machine: a redelivery finds the effect taken and
    // returns while the first delivery's email is still on its way, so wait for that one email.
    await until(async () => mailsFor('HS-K-1').length === 1, 'the email of the first delivery');
    await running[0]!.stop();
    running.push(runWorkers(env.baseUrl, { WORKER_ID: 'restarted' }));
    await until(() => ended(id), 'the restarted worker to complete the task');
    expect(mailsFor('HS-K-1')).toHaveLength(1);
    const effects = await env.platform.db.knex('worker_effect').where({ key: 'HS-K-1:citizen:accepted' });
    expect(effects).toHaveLength(1);
  });

  test('two worker processes on the same topics: each dossier told exactly once', async () => {
    running.push(runWorkers(env.baseUrl, { WORKER_ID: 'second', WORKER_LOCK_MS: '2000' }));
    const codes = Array.from({ length: 12 }, (_, i) => `HS-T-${i + 1}`);
    const ids = await Promise.all(codes.map(accept));
    await until(async () => (await Promise.all(ids.map(ended))).every(Boolean), 'every dossier notified');
    for (const c of codes) expect(mailsFor(c)).toHaveLength(1);
  });
});
