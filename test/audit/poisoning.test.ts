import request from 'supertest';
import { createAuditService } from '../../server/audit/service.js';
import { childDatabase, startServer, stopServer } from '../engine/cluster-helpers.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

async function rowsFor(platform: TestPlatform, requestId: string) {
  for (let i = 0; i < 200; i++) {
    const rows = await platform.db.knex('audit_log').where({ request_id: requestId });
    if (rows.length) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no audit row for ${requestId}`);
}

const MB = 'x'.repeat(900_000);

/** Hostile values for every audited text: NUL, lone surrogates (both halves), megabytes. */
const HOSTILE = ['ad\u0000min', '\u0000', 'a\uD800b', '\uDC00tail', `ends\uD83D`, MB, `${MB}\u0000\uD800`];

describe('audit trail: no input makes a row unwritable', () => {
  let platform: TestPlatform;
  let inspector: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    inspector = await loginAs(platform.app, 'thanhtra');
  });
  afterAll(async () => { await platform.close(); });

  it('records anonymous hostile requests, and every later row still lands; verify stays ok', async () => {
    const app = platform.app;
    const ids: string[] = [];
    let n = 0;
    const rid = () => { const id = `poison-${n++}`; ids.push(id); return id; };
    await request(app).post('/engine-rest/task/%00/claim').set('X-Request-Id', rid()).send({ userId: 'x' });
    await request(app).post('/engine-rest/task/%ED%A0%80/claim').set('X-Request-Id', rid()).send({});
    for (const bad of HOSTILE) {
      const res = await request(app).post('/api/auth/login').set('X-Request-Id', rid()).send({ username: bad, password: 'whatever1' });
      expect(res.status).toBeLessThan(500);
      const basic = await request(app).post('/engine-rest/message').set('X-Request-Id', rid())
        .set('Authorization', `Basic ${Buffer.from(`${bad.slice(0, 2000)}:pw`).toString('base64')}`).send({ messageName: bad.slice(0, 1000) });
      expect(basic.status).toBeLessThan(500);
    }
    // Every one of them is in the trail, readable, and bounded in size.
    for (const id of ids) {
      const [row] = await rowsFor(platform, id);
      for (const col of ['username', 'action', 'target_id', 'target_type']) {
        const v = row[col] as string | null;
        if (v === null) continue;
        expect(v).not.toMatch(/\u0000/);
        expect(v.length).toBeLessThanOrEqual(300);
      }
    }
    const [nul] = await rowsFor(platform, 'poison-0');
    expect(nul).toMatchObject({ action: 'POST /engine-rest/task/%00/claim', outcome: '400' });
    // A normal request afterwards is still recorded.
    await request(app).post('/api/auth/login').set('X-Request-Id', 'after-poison').send({ username: 'vanthu.xa', password: 'Demo@2026' }).expect(200);
    expect(await rowsFor(platform, 'after-poison')).toHaveLength(1);

    const verify = await inspector.get('/api/audit/verify').expect(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.writer).toMatchObject({ status: 'ok', queueLength: 0, refusedRows: 0 });
    expect(verify.body.writer.lastWrittenAt).toEqual(expect.any(String));
    const health = await request(app).get('/api/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', audit: { status: 'ok' } });
  });

  it('normalises every audited text of an entry: NUL, lone surrogates, megabytes (direct writes too)', async () => {
    const knex = platform.db.knex;
    const audit = createAuditService({ knex });
    for (const [i, bad] of HOSTILE.entries()) {
      const e = {
        action: bad, outcome: bad, userId: bad, username: bad, unitId: bad, role: bad, requestId: `norm-${i}`, ip: bad,
        target: { type: bad, id: bad }, details: { [bad.slice(0, 50)]: bad },
      };
      audit.enqueue(e);
      await audit.record(knex, { ...e, requestId: `norm-direct-${i}` });
    }
    expect(await audit.flush(10_000)).toBe(0);
    const rows = await knex('audit_log').where('request_id', 'like', 'norm-%');
    expect(rows).toHaveLength(HOSTILE.length * 2);
    for (const r of rows) {
      for (const col of ['action', 'outcome', 'user_id', 'username', 'unit_id', 'role', 'ip', 'target_type', 'target_id']) {
        expect(r[col]).not.toMatch(/\u0000|[\uD800-\uDFFF]/);
        expect(r[col].length).toBeLessThanOrEqual(300);
      }
      expect(r.details.length).toBeLessThanOrEqual(4000);
      expect(() => JSON.parse(r.details)).not.toThrow();
    }
    const big = rows.find((r) => r.request_id === 'norm-5')!;
    expect(big.username.endsWith('…[truncated]')).toBe(true);
    expect(rows.find((r) => r.request_id === 'norm-0')!.username).toBe('ad\\0min');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('a row the database refuses is replaced by a record of the refusal; the others are written', async () => {
    const knex = platform.db.knex;
    // A constraint no normalisation can satisfy, standing for any row-level refusal.
    await knex.raw(`alter table audit_log add constraint test_refuse_poison check (action <> 'poison')`);
    try {
      const audit = createAuditService({ knex, onWriteError: () => undefined });
      audit.enqueue({ action: 'before', outcome: 'ok', requestId: 'iso-1' });
      audit.enqueue({ action: 'poison', outcome: 'ok', requestId: 'iso-2' });
      audit.enqueue({ action: 'after', outcome: 'ok', requestId: 'iso-3' });
      expect(await audit.flush(10_000)).toBe(0);
      const rows = await knex('audit_log').whereIn('request_id', ['iso-1', 'iso-2', 'iso-3']).orderBy('seq');
      expect(rows.map((r) => [r.request_id, r.action])).toEqual([['iso-1', 'before'], ['iso-2', 'audit:row-refused'], ['iso-3', 'after']]);
      expect(JSON.parse(rows[1].details)).toMatchObject({ code: '23514', action: 'poison' });
      expect(audit.health()).toMatchObject({ status: 'ok', refusedRows: 1, failedBatches: 1, queueLength: 0 });
      // Later rows keep flowing.
      audit.enqueue({ action: 'later', outcome: 'ok', requestId: 'iso-4' });
      expect(await audit.flush(10_000)).toBe(0);
      expect(await knex('audit_log').where({ request_id: 'iso-4' })).toHaveLength(1);
      expect((await audit.verify()).ok).toBe(true);
    } finally {
      await knex.raw('alter table audit_log drop constraint test_refuse_poison');
    }
  });

  it('stop() gives up after its deadline when the database keeps failing, and says how many rows are left', async () => {
    const knex = platform.db.knex;
    const audit = createAuditService({ knex, onWriteError: () => undefined });
    // A missing table is not a row problem: the rows stay queued for a retry.
    await knex.raw('alter table audit_chain_head rename to audit_chain_head_away');
    try {
      audit.enqueue({ action: 'stuck', outcome: 'ok' });
      const t0 = Date.now();
      const left = await audit.stop(500);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(left).toBe(1);
      expect(audit.health()).toMatchObject({ status: 'stopped', queueLength: 1 });
      expect(audit.health().lastError?.code).toBe('42P01');
    } finally {
      await knex.raw('alter table audit_chain_head_away rename to audit_chain_head');
    }
  });
});

describe('shutdown', () => {
  it('the server process exits on SIGTERM after hostile audited requests', async () => {
    const db = await childDatabase();
    try {
      const child = await startServer(db, 'sigterm');
      const root = child.base.replace(/\/engine-rest$/, '');
      for (let i = 0; i < 5; i++) {
        await fetch(`${root}/engine-rest/task/%00/claim`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        await fetch(`${root}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'ad\u0000min', password: 'x' }) });
      }
      const t0 = Date.now();
      await stopServer(child, 'SIGTERM');
      expect(child.proc.exitCode).toBe(0);
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      await db.close();
    }
  }, 90_000);
});
