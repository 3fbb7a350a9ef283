import crypto from 'node:crypto';
import request from 'supertest';
import { loadConfig } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { runMigrations } from '../server/db/migrate.js';
import { createLogger } from '../server/log.js';
import { createPlatform } from '../server/platform.js';
import { reviewLoopProcess } from '../test/tasks/fixtures.js';
const ADMIN = `Basic ${Buffer.from('admin:Demo@2026').toString('base64')}`;
const TASKS = Number(process.env.BENCH_TASKS ?? 100000), UNITS = 1000;
const admin = await openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/postgres', poolMax: 1 });
await admin.knex.raw('drop database if exists tl_probe with (force)'); await admin.knex.raw('create database tl_probe'); await admin.close();
const db = await openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/tl_probe', poolMax: 20 });
await runMigrations(db.knex);
const platform = await createPlatform({ config: loadConfig({ DEMO_MODE: 'true' }), db, log: createLogger('silent') });
const app = platform.app;
await request(app).post('/engine-rest/deployment/create').set('Authorization', ADMIN).field('deployment-name', 'bench').attach('file', Buffer.from(reviewLoopProcess()), 'bench.bpmn').expect(200);
const def = await db.knex('engine_definition').where('key', 'tasklist_demo').first('id');
const units = Array.from({ length: UNITS }, (_, i) => (i === 0 ? 'xa-phu-long' : `bench-u${i}`));
await db.knex.batchInsert('org_unit', units.slice(1).map((id) => ({ id, parent_id: 'tinh', name: `Xã ${id}`, name_folded: `xa ${id}`, kind: 'commune', level: 1 })), 1000);
const roles = ['one-stop-officer', 'division-head', 'specialist', 'leader', 'clerical'];
for (let done = 0; done < TASKS; done += 5000) {
  const inst: any[] = [], tasks: any[] = [];
  for (let k = 0; k < 5000; k++) { const i = done + k; const id = crypto.randomUUID(); const unit = units[i % UNITS]!; const created = new Date(Date.now() - (i % 500) * 3_600_000);
    inst.push({ id, definition_id: def.id, definition_key: 'tasklist_demo', business_key: `B-${i}`, unit_id: unit, state: 'ACTIVE', start_time: created });
    tasks.push({ id: crypto.randomUUID(), instance_id: id, execution_id: `bench-${i}`, definition_id: def.id, task_definition_key: 'B3', name: 'Thẩm định hồ sơ', candidate_groups: `{${roles[i % roles.length]}}`, unit_id: unit, business_key: `B-${i}`, created, due: new Date(created.getTime() + 2 * 86_400_000), assignee: i % 7 === 0 ? 'chuyenvien.xa' : null }); }
  await db.knex('engine_instance').insert(inst); await db.knex('engine_task').insert(tasks);
}
await db.knex.raw('analyze');
const login = await request(app).post('/api/auth/login').send({ username: 'chuyenvien.xa', password: 'Demo@2026' });
const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
for (let i = 0; i < 5; i++) await request(app).get('/api/tasks').query({ tab: 'group' }).set('Cookie', cookie);
const t0 = new Map<string, number>(); const times: Array<[number, string]> = [];
db.knex.on('query', (q: any) => { t0.set(q.__knexQueryUid, performance.now()); });
db.knex.on('query-response', (_r: any, q: any) => { const s = t0.get(q.__knexQueryUid); if (s) times.push([performance.now() - s, q.sql]); });
for (const tab of ['group', 'mine']) {
  times.length = 0;
  const s = performance.now();
  const r = await request(app).get('/api/tasks').query({ tab }).set('Cookie', cookie);
  console.log(tab, r.status, (performance.now() - s).toFixed(1), 'ms', times.length, 'queries', 'total', r.body.total, JSON.stringify(r.body.counts));
  for (const [ms, sql] of times.sort((a, b) => b[0] - a[0]).slice(0, 6)) console.log('  ', ms.toFixed(1), sql.slice(0, 300));
}
// one completion, with its queries
const st = await request(app).post('/engine-rest/process-definition/key/tasklist_demo/start').set('Authorization', ADMIN).send({ businessKey: 'C-1', variables: { unitId: { value: 'xa-phu-long', type: 'String' } } });
const task = await db.knex('engine_task').where('instance_id', st.body.id).first('id');
const al = await request(app).post('/api/auth/login').send({ username: 'admin', password: 'Demo@2026' });
const ac = ([] as string[]).concat(al.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
times.length = 0;
const s2 = performance.now();
const r2 = await request(app).post(`/api/tasks/${task.id}/complete`).set('Cookie', ac).set('X-CSRF-Token', al.body.csrfToken).send({ comment: 'ok' });
console.log('complete', r2.status, (performance.now() - s2).toFixed(1), 'ms', times.length, 'queries');
for (const [ms, sql] of times.slice(0, 60)) console.log('  ', ms.toFixed(1), sql.replace(/\s+/g, ' ').slice(0, 160));
process.exit(0);
