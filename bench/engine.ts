import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Engine } from 'bpmn-engine';
import { BasicAuthInterceptor, Client } from 'camunda-external-task-client-js';
import { openDatabase, type Database } from '../server/db/connect.js';
import { runMigrations } from '../server/db/migrate.js';
import { createEngine, type EngineService } from '../server/engine/index.js';
import { moddleOptions } from '../server/engine/model.js';
import { createEngineRestRouter } from '../server/engine-rest/router.js';
import { createApp } from '../server/http/app.js';
import type { Principal } from '../server/http/policy.js';
import { PERMISSIONS } from '../server/identity/permissions.js';
import { createLogger } from '../server/log.js';
import { chain, WORK } from '../test/engine/fixtures.js';
import { percentile, type BenchRow } from './table.js';

/**
 * Engine figures (issue 2): (a) bare bpmn-engine recover→resume→signal→getState per step;
 * (b) our engine through /engine-rest with N concurrent clients; (c) external tasks through
 * camunda-external-task-client-js and the fetchAndLock wake-up latency; (d) RSS with 1,000 vs
 * 100,000 waiting instances. REST here skips authentication (argon2 basic auth is the identity
 * area's figure) so the numbers are the engine's own.
 */
const STEPS = 10;
const CLIENTS = Number(process.env.BENCH_ENGINE_CLIENTS ?? 8);
const BIG = Number(process.env.BENCH_ENGINE_WAITING ?? 100_000);

const ADMIN: Principal = {
  kind: 'service', userId: 'bench', username: 'bench', displayName: 'bench', roles: [{ role: 'system-admin', unitId: 'tinh' }],
  permissions: new Set(PERMISSIONS),
};

async function bare(): Promise<number> {
  const xml = chain(STEPS, 'bare');
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const timers = { executing: [], register: () => ({ setTimeout: () => ({}), clearTimeout: () => undefined }), setTimeout: () => ({}), clearTimeout: () => undefined };
  const instances = 30;
  const t0 = performance.now();
  for (let i = 0; i < instances; i++) {
    const e: any = new Engine({ name: 'bare', source: xml, moddleOptions, timers } as any);
    await e.execute();
    let state = await e.getState();
    for (let s = 1; s <= STEPS; s++) {
      const r: any = new Engine({ name: 'bare', moddleOptions, timers } as any).recover(JSON.parse(JSON.stringify(state)));
      const x = await r.resume();
      x.signal({ id: `t${s}` });
      await new Promise((res) => setImmediate(res));
      state = JSON.parse(JSON.stringify(await r.getState()));
    }
  }
  return (instances * STEPS) / ((performance.now() - t0) / 1000);
}

async function open(): Promise<Database> {
  const db = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { dataDir: 'memory' });
  await runMigrations(db.knex);
  return db;
}

async function serve(engine: EngineService): Promise<{ server: Server; base: string }> {
  const app = createApp({
    log: createLogger('silent'),
    authenticate: (req, _res, next) => { req.principal = ADMIN; next(); },
    mounts: [{ path: '/engine-rest', router: createEngineRestRouter({ engine }) }],
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/engine-rest` };
}

async function call(base: string, method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${url}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function rest(engine: EngineService, base: string): Promise<{ rate: number; p95: number }> {
  await engine.deploy({ name: 'bench', resources: [{ name: 'chain.bpmn', content: chain(STEPS, 'chain') }], duplicateFiltering: true });
  const latencies: number[] = [];
  const perClient = 5;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; i < perClient; i++) {
      const inst = await call(base, 'POST', '/process-definition/key/chain/start', { businessKey: `B-${c}-${i}` });
      for (let s = 0; s < STEPS; s++) {
        const t = performance.now();
        const [task] = await call(base, 'GET', `/task?processInstanceId=${inst.id}`);
        await call(base, 'POST', `/task/${task.id}/complete`, {});
        latencies.push(performance.now() - t);
      }
    }
  }));
  return { rate: (CLIENTS * perClient * STEPS) / ((performance.now() - t0) / 1000), p95: percentile(latencies, 95) };
}

async function external(engine: EngineService, base: string): Promise<{ rate: number; wakeP50: number }> {
  const xml = WORK.replace('<bpmn:userTask id="check" camunda:candidateGroups="specialist"/>', '<bpmn:task id="check"/>');
  await engine.deploy({ name: 'bench-ext', resources: [{ name: 'work.bpmn', content: xml }], duplicateFiltering: true });
  const total = 400;
  for (let i = 0; i < total; i++) await engine.startProcess({ key: 'work', businessKey: `E-${i}` });
  let done = 0;
  const client = new Client({ baseUrl: base, use: () => undefined, maxTasks: 50, maxParallelExecutions: 50, asyncResponseTimeout: 1000, interval: 0, interceptors: new BasicAuthInterceptor({ username: 'x', password: 'y' }) });
  const finished = new Promise<void>((resolve) => {
    client.subscribe('work', { lockDuration: 30000 }, async ({ task, taskService }) => {
      await taskService.complete(task);
      if (++done === total) resolve();
    });
  });
  const t0 = performance.now();
  await finished;
  const rate = total / ((performance.now() - t0) / 1000);
  client.stop();
  await new Promise((r) => setTimeout(r, 1200));
  // Wake-up: a long poll is waiting; a task is created; how long until the poll answers?
  const wakes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const poll = call(base, 'POST', '/external-task/fetchAndLock', { workerId: 'wake', maxTasks: 1, asyncResponseTimeout: 10000, topics: [{ topicName: 'work', lockDuration: 1000, businessKey: `W-${i}` }] });
    await new Promise((r) => setTimeout(r, 50));
    let created = 0;
    await engine.startProcess({ key: 'work', businessKey: `W-${i}` }).then(() => { created = performance.now(); });
    await poll;
    wakes.push(performance.now() - created);
  }
  return { rate, wakeP50: percentile(wakes, 50) };
}

async function rss(db: Database, engine: EngineService, base: string): Promise<{ small: number; big: number }> {
  await engine.deploy({ name: 'bench-wait', resources: [{ name: 'chain.bpmn', content: chain(STEPS, 'chain') }], duplicateFiltering: true });
  const seed = await engine.startProcess({ key: 'chain', businessKey: 'RSS-seed' });
  const clone = async (n: number) => {
    // Waiting instances are rows: copy the seed instance (state + its user task) n times in SQL.
    await db.knex.raw(`
      with ids as (select gen_random_uuid() as id from generate_series(1, ?)),
      i as (insert into engine_instance (id, definition_id, definition_key, business_key, unit_id, state, engine_state, revision, start_time)
            select ids.id, s.definition_id, s.definition_key, 'RSS', null, 'ACTIVE', s.engine_state, 1, now() from ids, engine_instance s where s.id = ? returning id)
      insert into engine_task (id, instance_id, execution_id, definition_id, task_definition_key, name, created, priority)
      select gen_random_uuid(), i.id, 'x' || i.id, t.definition_id, t.task_definition_key, t.name, now(), 50 from i, engine_task t where t.instance_id = ?`, [n, seed.id, seed.id]);
  };
  const measure = async () => {
    // Exercise the server: queries and a few commands across the waiting instances.
    for (let i = 0; i < 50; i++) await call(base, 'GET', '/task?maxResults=50&firstResult=' + i * 10);
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().rss / 1024 / 1024;
  };
  await clone(1000 - 1);
  const small = await measure();
  await clone(BIG - 1000);
  const big = await measure();
  return { small, big };
}

export default async function engineBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const a = await bare();
  rows.push({ area: 'engine', metric: '(a) bare bpmn-engine, recover→resume→signal→getState', value: `${a.toFixed(0)} steps/s` });
  const db = await open();
  const engine = createEngine({ db, log: createLogger('silent') });
  await engine.start();
  const { server, base } = await serve(engine);
  try {
    const b = await rest(engine, base);
    rows.push({ area: 'engine', metric: `(b) REST user-task steps, ${CLIENTS} clients, ${db.kind}`, value: `${b.rate.toFixed(0)} steps/s`, target: '≥ 400 and ≥ 1.0×(a)', ok: b.rate >= 400 && b.rate >= a });
    rows.push({ area: 'engine', metric: '(b) step latency p95 (GET task + complete)', value: `${b.p95.toFixed(0)} ms` });
    const c = await external(engine, base);
    rows.push({ area: 'engine', metric: '(c) external tasks via client-js', value: `${c.rate.toFixed(0)} tasks/s`, target: '≥ 500', ok: c.rate >= 500 });
    rows.push({ area: 'engine', metric: '(c) fetchAndLock wake-up p50', value: `${c.wakeP50.toFixed(1)} ms`, target: '< 20 ms', ok: c.wakeP50 < 20 });
    const d = await rss(db, engine, base);
    rows.push({ area: 'engine', metric: '(d) RSS, 1,000 waiting instances', value: `${d.small.toFixed(0)} MB` });
    rows.push({ area: 'engine', metric: `(d) RSS, ${BIG.toLocaleString('en')} waiting instances`, value: `${d.big.toFixed(0)} MB`, target: 'no growth', ok: d.big <= d.small * 1.2 });
  } finally {
    server.closeAllConnections();
    server.close();
    await engine.stop();
    if (process.env.DATABASE_URL) {
      for (const t of ['engine_history', 'engine_incident', 'engine_message_sub', 'engine_timer', 'engine_external_task', 'engine_task', 'engine_variable']) await db.knex(t).whereIn('instance_id', db.knex('engine_instance').select('id').whereIn('definition_key', ['chain', 'work'])).delete();
    }
    await db.close();
  }
  return rows;
}
