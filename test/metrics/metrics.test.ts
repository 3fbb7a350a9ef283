import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { pendingMigrations } from '../../server/db/migrate.js';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { bpmn, WORK } from '../engine/fixtures.js';

const ADMIN = basicAuthHeader('admin');
const WORKER = basicAuthHeader('worker');

/** start → wait (timer, 1 h) → end */
const WAIT = bpmn('wait', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause"/>
  <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

/** The value of one series in Prometheus text (labels as written, in order). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

describe('metrics and health (demo mode)', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await createTestPlatform();
    await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
      .field('deployment-name', 'metrics').attach('work.bpmn', Buffer.from(WORK), 'work.bpmn').attach('wait.bpmn', Buffer.from(WAIT), 'wait.bpmn').expect(200);
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it('shows requests by route template and status, engine commands, open tasks, due timers and their lag, the external-task queue by topic, the audit writer and the pool', async () => {
    for (let i = 0; i < 2; i++) {
      await request(platform.app).post('/engine-rest/process-definition/key/work/start').set('Authorization', WORKER).send({}).expect(200);
    }
    const wait = await request(platform.app).post('/engine-rest/process-definition/key/wait/start').set('Authorization', WORKER).send({}).expect(200);
    // The timer is due an hour from now; the schedulers are not running here, so make it 2 minutes late.
    await platform.db.knex('engine_timer').where({ instance_id: wait.body.id }).update({ due_at: platform.db.knex.raw("now() - interval '2 minutes'") });
    const fetched = await request(platform.app).post('/engine-rest/external-task/fetchAndLock').set('Authorization', WORKER)
      .send({ workerId: 'w1', maxTasks: 1, topics: [{ topicName: 'work', lockDuration: 60_000 }] }).expect(200);
    await request(platform.app).post(`/engine-rest/external-task/${fetched.body[0].id as string}/complete`).set('Authorization', WORKER).send({ workerId: 'w1' }).expect(204);
    await request(platform.app).get('/engine-rest/process-instance/00000000-0000-4000-8000-000000000000').set('Authorization', ADMIN).expect(404);

    const res = await request(platform.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = res.text;
    expect(value(m, 'tthc_http_request_duration_seconds_count{method="POST",route="/engine-rest/process-definition/key/:key/start",status="200"}')).toBe(3);
    expect(value(m, 'tthc_http_request_duration_seconds_count{method="GET",route="/engine-rest/process-instance/:id",status="404"}')).toBe(1);
    expect(m).not.toContain('00000000-0000-4000-8000-000000000000');
    expect(value(m, 'tthc_engine_command_duration_seconds_count{command="startProcess",outcome="ok"}')).toBe(3);
    expect(value(m, 'tthc_engine_command_duration_seconds_count{command="completeExternalTask",outcome="ok"}')).toBe(1);
    expect(value(m, 'tthc_engine_command_duration_seconds_count{command="getInstance",outcome="error"}')).toBe(1);
    expect(value(m, 'tthc_engine_open_user_tasks')).toBe(1);
    expect(value(m, 'tthc_engine_timers_due')).toBe(1);
    expect(value(m, 'tthc_engine_timer_lag_seconds')).toBeGreaterThanOrEqual(119);
    expect(value(m, 'tthc_engine_external_tasks{topic="work",state="available"}')).toBe(1);
    expect(value(m, 'tthc_engine_external_tasks{topic="work",state="locked"}')).toBe(0);
    expect(value(m, 'tthc_audit_queue_length')).toBeGreaterThanOrEqual(0);
    expect(value(m, 'tthc_audit_writer_up')).toBe(1);
    expect(m).toContain('tthc_audit_last_write_timestamp_seconds ');
    expect(value(m, 'tthc_db_pool_connections{state="max"}')).toBeGreaterThanOrEqual(1);
    expect(m).toContain('tthc_process_resident_memory_bytes');
  });

  it('answers liveness and readiness; /api/health keeps its summary', async () => {
    expect((await request(platform.app).get('/api/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await request(platform.app).get('/api/health/ready').expect(200)).body).toEqual({ status: 'ready', checks: { database: true, migrations: true, audit: true } });
    expect((await request(platform.app).get('/api/health').expect(200)).body).toMatchObject({ status: 'ok', audit: { status: 'ok' } });
  });

  it('counts a migration the database has not run as pending', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tthc-mig-'));
    fs.writeFileSync(path.join(dir, '0200_identity.ts'), '');
    fs.writeFileSync(path.join(dir, '9999_future.ts'), '');
    expect(await pendingMigrations(platform.db.knex, dir)).toEqual(['9999_future']);
    expect((await pendingMigrations(platform.db.knex)).length).toBe(0);
  });

  it('is not ready once the audit writer has stopped', async () => {
    await platform.background.find((b) => b.name === 'audit-trail')!.stop();
    const res = await request(platform.app).get('/api/health/ready').expect(503);
    expect(res.body).toMatchObject({ status: 'not-ready', checks: { database: true, migrations: true, audit: false }, detail: { audit: { status: 'stopped' } } });
    expect(value((await request(platform.app).get('/metrics').expect(200)).text, 'tthc_audit_writer_up')).toBe(0);
  });
});

describe('/metrics outside demo mode', () => {
  let platform: TestPlatform;
  const TOKEN = 'metrics-token-0123456789';
  beforeAll(async () => {
    platform = await createTestPlatform({ DEMO_MODE: 'false', METRICS_TOKEN: TOKEN, ADMIN_USERNAME: 'opsadmin', ADMIN_PASSWORD: 'Kiem#Tra-2026-metrics' });
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it('needs the METRICS_TOKEN bearer or a system administrator', async () => {
    expect((await request(platform.app).get('/metrics').expect(401)).body.type).toBeDefined();
    await request(platform.app).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
    const ok = await request(platform.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(ok.text).toContain('tthc_http_request_duration_seconds_bucket{');
    expect(ok.text).toContain('status="401"');
    await request(platform.app).get('/metrics').set('Authorization', basicAuthHeader('opsadmin', 'Kiem#Tra-2026-metrics')).expect(200);
  });
});
