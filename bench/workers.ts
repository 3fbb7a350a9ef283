import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN, WORKER, childDatabase, deployXml, http, startServer, stopServer, type Child } from '../test/engine/cluster-helpers.js';
import { startMockPortal } from '../server/mock-portal/index.js';
import { percentile, type BenchRow } from './table.js';

/**
 * Workers (issue 12), on the database `npm start` would use (DATABASE_URL or embedded), the server a
 * child process and the workers real `workers/index.ts` processes (camunda-external-task-client-js):
 *
 * (a) a due-date storm: N dossiers' watch processes (BENCH_WORKERS_DUE, default 2,000; the issue's
 *     figure is 10,000) whose reminder timers all fall due at the same instant (set in the database
 *     while the server is stopped: the first working day after Tết). Fired = the Remind step started;
 *     handled = the reminder sent (staff notified) and the leader's "write the apology" task created.
 * (b) external tasks handled end to end per second (fetchAndLock → handler → POST /api/notifications
 *     → complete) with 1, 2 and 4 worker processes (BENCH_WORKERS_TASKS each, default 1,000).
 * CPU of the server and of the worker processes (the load generator) is read from /proc.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DUE = Number(process.env.BENCH_WORKERS_DUE ?? 2000);
const TASKS = Number(process.env.BENCH_WORKERS_TASKS ?? 1000);
const STORM_WORKERS = Number(process.env.BENCH_WORKERS_STORM_PROCS ?? 2);
const CONCURRENCY = 16;

function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function call(base: string, method: string, url: string, body?: unknown, auth = WORKER): Promise<any> {
  const r = await http(base, method, url, body, auth);
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Real worker processes (`npm run workers`), on the given topics. */
function startWorkerProcs(base: string, n: number, topics: string, env: Record<string, string> = {}): Array<{ proc: ChildProcess; exited: Promise<void> }> {
  return Array.from({ length: n }, (_, i) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env, ENGINE_REST_URL: base, WORKER_USERNAME: 'worker', WORKER_PASSWORD: 'Demo@2026', WORKER_TOPICS: topics,
        WORKER_ID: `bench-${i}`, WORKER_MAX_TASKS: '50', WORKER_POLL_TIMEOUT_MS: '2000', LOG_LEVEL: 'error', NATIONAL_PORTAL_URL: '', ...env,
      },
    });
    return { proc, exited: new Promise<void>((r) => proc.once('exit', () => r())) };
  });
}
async function stopWorkerProcs(ws: Array<{ proc: ChildProcess; exited: Promise<void> }>): Promise<void> {
  for (const w of ws) w.proc.kill('SIGTERM');
  await Promise.all(ws.map((w) => w.exited));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` calls with `CONCURRENCY` in flight. */
async function pool(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < n) await fn(next++); }));
}

async function storm(db: Awaited<ReturnType<typeof childDatabase>>, first: Child): Promise<{ rows: BenchRow[]; child: Child }> {
  // Watch processes as the dossier service starts them, due far ahead (their timers are moved below).
  const dueAt = new Date(Date.now() + 60 * 86_400_000).toISOString().replace('Z', '+0000');
  const t0 = performance.now();
  await pool(DUE, (i) => call(first.base, 'POST', '/process-definition/key/tthc-watch/start', {
    businessKey: `TET-260223-${String(i).padStart(5, '0')}`, variables: { dueAt: { value: dueAt, type: 'Date' }, unitId: { value: 'xa-phu-long' } },
  }));
  const startRate = DUE / ((performance.now() - t0) / 1000);
  await stopServer(first);
  // The storm: every reminder timer due at the same instant, a few seconds after the server is back.
  const d = await db.open();
  const instant = new Date(Date.now() + 15_000);
  try {
    await d.knex('engine_timer').where({ activity_id: 'RemindTimer' }).update({ due_at: instant });
  } finally {
    await d.close();
  }
  const child = await startServer(db, 'bench-workers');
  const workers = startWorkerProcs(child.base, STORM_WORKERS, 'tthc.remind-before-due');
  const cpu0 = { server: cpuSeconds(child.proc.pid!), workers: workers.reduce((s, w) => s + cpuSeconds(w.proc.pid!), 0) };
  const deadline = instant.getTime() + Number(process.env.BENCH_WORKERS_WAIT_MS ?? 900_000);
  let handled = 0;
  while (Date.now() < deadline) {
    handled = (await call(child.base, 'GET', '/task/count?taskDefinitionKey=WriteApology', undefined, ADMIN)).count;
    if (handled >= DUE) break;
    await sleep(250);
  }
  const cpu = {
    server: cpuSeconds(child.proc.pid!) - cpu0.server,
    workers: workers.reduce((s, w) => s + cpuSeconds(w.proc.pid!), 0) - cpu0.workers,
  };
  await stopWorkerProcs(workers);
  await stopServer(child);
  const r = await db.open();
  let fired: number[];
  let done: number[];
  let notified: number;
  try {
    fired = (await r.knex('engine_history').where({ kind: 'activity-start', activity_id: 'Remind' }).select('at')).map((x: { at: Date }) => new Date(x.at).getTime() - instant.getTime());
    done = (await r.knex('engine_task').where({ task_definition_key: 'WriteApology' }).select('created')).map((x: { created: Date }) => new Date(x.created).getTime() - instant.getTime());
    notified = Number((await r.knex('notification').where({ template: 'remind-before-due' }).whereLike('dossier_code', 'TET-%').countDistinct({ n: 'dossier_code' }))[0]!.n);
  } finally {
    await r.close();
  }
  const within = done.filter((ms) => ms <= 60_000).length;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows: BenchRow[] = [
    { area: 'workers', metric: `(a) watch processes started through REST (load generator, ${CONCURRENCY} clients)`, value: `${DUE.toLocaleString('en')} at ${startRate.toFixed(0)}/s` },
    { area: 'workers', metric: `(a) reminders fired (Remind step started) after the instant: p50 / p95 / max`, value: `${s(percentile(fired, 50))} / ${s(percentile(fired, 95))} / ${s(Math.max(...fired))} (${fired.length})` },
    { area: 'workers', metric: `(a) reminders handled (staff told, apology task created), ${STORM_WORKERS} worker procs: lag p50 / p95 / max`, value: `${s(percentile(done, 50))} / ${s(percentile(done, 95))} / ${s(Math.max(...done))}` },
    { area: 'workers', metric: `(a) ${DUE.toLocaleString('en')} reminders handled within 60 s of falling due`, value: `${within.toLocaleString('en')} (${((within / DUE) * 100).toFixed(1)} %), ${notified.toLocaleString('en')} dossiers notified`, target: '100 %', ok: within === DUE && notified === DUE },
    { area: 'workers', metric: '(a) CPU per reminder: server / worker processes', value: `${((cpu.server * 1000) / DUE).toFixed(1)} ms / ${((cpu.workers * 1000) / DUE).toFixed(1)} ms` },
  ];
  return { rows, child: await startServer(db, 'bench-workers-b') };
}

const NOTIFY = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bench">
  <bpmn:process id="bench-notify" isExecutable="true">
    <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="notify" />
    <bpmn:serviceTask id="notify" camunda:type="external" camunda:topic="tthc.notify-citizen" /><bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="done" />
    <bpmn:userTask id="done" camunda:candidateGroups="specialist" /><bpmn:sequenceFlow id="f3" sourceRef="done" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>`;

/** (b) TASKS external tasks waiting; `procs` worker processes start; time from the first completion to the last. */
async function throughput(child: Child, procs: number, round: number): Promise<{ rate: number; serverMs: number; workerMs: number }> {
  const before = (await call(child.base, 'GET', '/task/count?taskDefinitionKey=done', undefined, ADMIN)).count as number;
  await pool(TASKS, (i) => call(child.base, 'POST', '/process-definition/key/bench-notify/start', {
    businessKey: `NT${round}-${i}`,
    variables: { notifyTemplate: { value: 'accepted' }, procedureName: { value: 'Đăng ký khai sinh' }, dueAt: { value: '2026-03-02T17:00:00+07:00' } },
  }));
  const workers = startWorkerProcs(child.base, procs, 'tthc.notify-citizen');
  let first = 0;
  let last = 0;
  let cpu0 = { server: 0, workers: 0 };
  for (;;) {
    const n = ((await call(child.base, 'GET', '/task/count?taskDefinitionKey=done', undefined, ADMIN)).count as number) - before;
    const now = performance.now();
    if (n > 0 && !first) {
      first = now;
      cpu0 = { server: cpuSeconds(child.proc.pid!), workers: workers.reduce((s, w) => s + cpuSeconds(w.proc.pid!), 0) };
    }
    if (n >= TASKS) { last = now; break; }
    await sleep(50);
  }
  const serverMs = ((cpuSeconds(child.proc.pid!) - cpu0.server) * 1000) / TASKS;
  const workerMs = ((workers.reduce((s, w) => s + cpuSeconds(w.proc.pid!), 0) - cpu0.workers) * 1000) / TASKS;
  await stopWorkerProcs(workers);
  return { rate: TASKS / ((last - first) / 1000), serverMs, workerMs };
}

/**
 * (c) National-portal sync: one pump process pushing to the mock portal (in this process) while
 * BENCH_WORKERS_SYNC dossiers are received through the API (2 status records each): records per
 * second and the delay from the status change to the portal's acknowledgement (NĐ 63/2024: ≤ 10 min).
 */
async function portalSync(child: Child): Promise<BenchRow[]> {
  const n = Number(process.env.BENCH_WORKERS_SYNC ?? 500);
  const mock = await startMockPortal({ mode: 'up' });
  const apiBase = child.base.replace(/\/engine-rest$/, '');
  const procs = await call(apiBase, 'GET', '/api/procedures?q=1.001193', undefined, ADMIN);
  const procedureId = (procs.items as Array<{ id: string; code: string }>).find((p) => p.code === '1.001193')!.id;
  const pump = startWorkerProcs(child.base, 1, 'tthc.sync-national-portal', { NATIONAL_PORTAL_URL: mock.url, PORTAL_POLL_MS: '200' });
  const cpu0 = cpuSeconds(pump[0]!.proc.pid!);
  try {
    await pool(n, (i) => call(apiBase, 'POST', '/api/dossiers', {
      procedureId, unitId: 'xa-phu-long', applicant: { fullName: `Người nộp ${i}`, idNumber: '079190001234' },
      components: [{ name: 'Tờ khai đăng ký khai sinh', quantity: 1 }, { name: 'Giấy chứng sinh', quantity: 1 }],
    }, ADMIN));
    const deadline = Date.now() + 600_000;
    while (mock.state.received.length < 2 * n && Date.now() < deadline) await sleep(200);
    const got = mock.state.received;
    const delays = got.map((r) => new Date(r.at).getTime() - new Date(r.changedAt).getTime());
    const times = got.map((r) => new Date(r.at).getTime());
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    const cpu = cpuSeconds(pump[0]!.proc.pid!) - cpu0;
    const inOrder = [...new Set(got.map((r) => r.dossierCode))].every((c) => got.filter((r) => r.dossierCode === c).every((r, k) => r.sequence === k + 1));
    return [
      { area: 'workers', metric: `(c) portal sync: ${got.length.toLocaleString('en')} status records of ${n.toLocaleString('en')} dossiers, 1 pump process`, value: `${(got.length / Math.max(span, 0.001)).toFixed(0)} records/s, each dossier in order: ${inOrder ? 'yes' : 'NO'}, pump CPU ${((cpu * 1000) / Math.max(1, got.length)).toFixed(1)} ms/record` },
      { area: 'workers', metric: '(c) status change → acknowledged by the portal: p50 / p95 / max', value: `${(percentile(delays, 50) / 1000).toFixed(1)} s / ${(percentile(delays, 95) / 1000).toFixed(1)} s / ${(Math.max(...delays) / 1000).toFixed(1)} s`, target: '≤ 10 min', ok: got.length === 2 * n && Math.max(...delays) <= 600_000 },
    ];
  } finally {
    await stopWorkerProcs(pump);
    await mock.close();
  }
}

export default async function workersBench(): Promise<BenchRow[]> {
  // Only the bench's own dossiers: no demo dossiers (their watches would join the storm).
  process.env.DEMO_DOSSIERS = 'false';
  const db = await childDatabase();
  const kind = db.url ? 'postgres' : 'embedded';
  let child = await startServer(db, 'bench-workers');
  const rows: BenchRow[] = [];
  try {
    const a = await storm(db, child);
    child = a.child;
    rows.push(...a.rows);
    await deployXml(child.base, 'bench-notify.bpmn', NOTIFY);
    for (const [i, procs] of [1, 2, 4].entries()) {
      const b = await throughput(child, procs, i);
      rows.push({ area: 'workers', metric: `(b) external tasks end to end, ${procs} worker process${procs > 1 ? 'es' : ''}, ${kind}`, value: `${b.rate.toFixed(0)} tasks/s (CPU/task: server ${b.serverMs.toFixed(1)} ms, workers ${b.workerMs.toFixed(1)} ms)` });
    }
    rows.push(...(await portalSync(child)));
  } finally {
    await stopServer(child);
    await db.close();
  }
  return rows;
}
