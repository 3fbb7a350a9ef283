import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Router, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { GENESIS_HASH, hashRow, type AuditRow } from '../server/audit/chain.js';
import { createAuditMiddleware } from '../server/audit/middleware.js';
import { createAuditService } from '../server/audit/service.js';
import { openDatabase, type Database } from '../server/db/connect.js';
import { runMigrations } from '../server/db/migrate.js';
import { createApp } from '../server/http/app.js';
import { sendJson } from '../server/http/json.js';
import { guard } from '../server/http/policy.js';
import { createAuthenticate, createCsrfCheck } from '../server/identity/authenticate.js';
import { seedDemo } from '../server/identity/demo.js';
import { createIdentityService } from '../server/identity/service.js';
import { createLogger } from '../server/log.js';
import { percentile, type BenchRow } from './table.js';

const REQUESTS = 2000;
const AUDIT_ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);

async function fresh(inMemory = false): Promise<{ db: Database; cleanup(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const db = await openDatabase({ url: process.env.DATABASE_URL });
    // The bench needs an empty chain; use a scratch schema on the server.
    const schema = `bench_identity_${process.pid}`;
    await db.knex.raw(`create schema ${schema}`);
    await db.close();
    const url = new URL(process.env.DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema},public`);
    const scoped = await openDatabase({ url: url.toString() });
    await runMigrations(scoped.knex);
    return {
      db: scoped,
      async cleanup() {
        await scoped.knex.raw(`drop schema ${schema} cascade`);
        await scoped.close();
      },
    };
  }
  if (inMemory) {
    const db = await openDatabase({ dataDir: 'memory' });
    await runMigrations(db.knex);
    return { db, cleanup: () => db.close() };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tthc-bench-identity-'));
  const db = await openDatabase({ dataDir: dir });
  await runMigrations(db.knex);
  return { db, async cleanup() { await db.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

async function listen(app: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/bench/items/HS-1` };
}

/**
 * Alternates requests to the bare and the full app, so both see the same machine load (other
 * processes, GC, the audit writer's batches) and the difference is the middleware's own cost.
 */
async function timePair(bare: http.RequestListener, full: http.RequestListener, headers: Record<string, string>, after?: () => Promise<void>): Promise<[number[], number[]]> {
  const a = await listen(bare);
  const b = await listen(full);
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < REQUESTS + 200; i++) {
    for (const [k, target, h] of [[0, a.url, {}], [1, b.url, headers]] as const) {
      const t0 = performance.now();
      const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: '{"n":1}' });
      await res.arrayBuffer();
      if (k === 1 && after) await after();
      if (i >= 200) times[k].push(performance.now() - t0); // first 200 warm up the JIT and pools
      if (res.status !== 200) throw new Error(`bench request failed: ${res.status}`);
    }
  }
  a.server.close();
  b.server.close();
  return times;
}

async function overhead(db: Database): Promise<BenchRow[]> {
  const log = createLogger('silent');
  await seedDemo(db.knex);
  const identity = createIdentityService({ knex: db.knex });
  const audit = createAuditService({ knex: db.knex });
  const route = (guarded: boolean) => {
    const r = Router();
    const handler: RequestHandler = (_req, res) => sendJson(res, 200, { ok: true });
    if (guarded) r.post('/items/:id', guard('identity:admin'), handler);
    else r.post('/items/:id', handler);
    return r;
  };
  const bare = createApp({ log, authenticate: (_q, _s, next) => next(), mounts: [{ path: '/api/bench', router: route(false) }] });
  const trail = createAuditMiddleware(audit, db.knex, log);
  const full = createApp({
    log, authenticate: createAuthenticate(identity), middleware: [trail, createCsrfCheck()],
    mounts: [{ path: '/api/bench', router: route(true) }],
  });
  const login = await identity.login('admin', 'Demo@2026');
  const headers = { cookie: `tthc_session=${login.token}`, 'x-csrf-token': login.csrfToken };

  const [base, withAuth] = await timePair(bare, full, headers);
  await trail.flush();
  // Waits for the group commit of the request's audit row before the next request.
  const [base2, withWrite] = await timePair(bare, full, headers, async () => { await trail.flush(); });
  const p95 = (xs: number[]) => percentile(xs, 95);
  const over = p95(withAuth) - p95(base);
  const overWrite = p95(withWrite) - p95(base2);
  return [
    { area: 'identity', metric: `guarded write, bare p95 (${REQUESTS} req, ${db.kind}${db.kind === 'pglite' ? ' in memory' : ''})`, value: `${p95(base).toFixed(2)} ms` },
    { area: 'identity', metric: 'authn + CSRF + authz + audit (group commit) p95 overhead', value: `${over.toFixed(2)} ms`, target: '< 2 ms', ok: over < 2 },
    { area: 'identity', metric: 'same, median overhead', value: `${(percentile(withAuth, 50) - percentile(base, 50)).toFixed(2)} ms` },
    { area: 'identity', metric: 'same if each response waited for its audit row commit (not the design)', value: `${overWrite.toFixed(2)} ms` },
  ];
}

/** Bulk-writes a valid chain (hashes computed here, rows sent as arrays through unnest). */
async function generateChain(knex: Knex, n: number): Promise<void> {
  const BATCH = 20_000;
  let prev = GENESIS_HASH;
  const start = Date.UTC(2025, 0, 1);
  for (let from = 1; from <= n; from += BATCH) {
    const cols: unknown[][] = Array.from({ length: 15 }, () => []);
    for (let seq = from; seq < Math.min(from + BATCH, n + 1); seq++) {
      const row: AuditRow = {
        seq, at: new Date(start + seq * 1000), userId: null, username: `user${seq % 500}`, unitId: seq % 2 ? 'xa-phu-long' : 'stp',
        role: 'specialist', action: 'POST /api/dossiers/:id/complete', targetType: 'dossiers', targetId: `HS-${seq}`,
        outcome: '200', requestId: `r-${seq}`, ip: '10.0.0.1', details: null, prevHash: prev,
      };
      const hash = hashRow(row);
      [row.seq, row.at, row.userId, row.username, row.unitId, row.role, row.action, row.targetType, row.targetId,
        row.outcome, row.requestId, row.ip, row.details, row.prevHash, hash].forEach((v, i) => cols[i]!.push(v));
      prev = hash;
    }
    await knex.raw(
      `insert into audit_log (seq, at, user_id, username, unit_id, role, action, target_type, target_id, outcome, request_id, ip, details, prev_hash, hash)
       select * from unnest(?::bigint[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])`,
      cols.map((c, i) => (i === 1 ? (c as Date[]).map((d) => d.toISOString()) : c)) as unknown as Knex.RawBinding[],
    );
  }
  // The chain head moves with the rows, as the audit service's appends do.
  await knex('audit_chain_head').where({ id: 1 }).update({ seq: n, hash: prev });
  await knex.raw('analyze audit_log'); // as autovacuum would have done on a real table
}

async function verifyWalk(db: Database): Promise<BenchRow[]> {
  const t0 = performance.now();
  await generateChain(db.knex, AUDIT_ROWS);
  const gen = (performance.now() - t0) / 1000;
  const audit = createAuditService({ knex: db.knex });
  const t1 = performance.now();
  const v = await audit.verify();
  const secs = (performance.now() - t1) / 1000;
  if (!v.ok || v.checked !== AUDIT_ROWS) throw new Error(`verify bench: ${JSON.stringify(v)}`);
  return [
    { area: 'identity', metric: `audit chain generated (${AUDIT_ROWS.toLocaleString('en')} rows, not a target)`, value: `${gen.toFixed(1)} s` },
    { area: 'identity', metric: `audit:verify walk of ${AUDIT_ROWS.toLocaleString('en')} records (${db.kind})`, value: `${secs.toFixed(1)} s`, target: '< 30 s', ok: secs < 30 },
  ];
}

export default async function bench(): Promise<BenchRow[]> {
  // The embedded database has one connection and fsyncs each commit on disk, so the
  // overhead row is measured in memory there (on a server: the real thing, with a pool).
  const a = await fresh(true);
  let rows: BenchRow[];
  try {
    rows = await overhead(a.db);
  } finally {
    await a.cleanup();
  }
  const b = await fresh();
  try {
    rows.push(...(await verifyWalk(b.db)));
  } finally {
    await b.cleanup();
  }
  return rows;
}
