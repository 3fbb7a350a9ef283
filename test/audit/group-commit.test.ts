import type { Database } from '../../server/db/connect.js';
import { createAuditService, type AuditEntry } from '../../server/audit/service.js';
import { createTestDatabase } from '../helpers/db.js';

describe('audit group commit, database-side verify and the chain head', () => {
  let db: Database;
  beforeAll(async () => { db = await createTestDatabase(); });
  afterAll(async () => { await db.close(); });

  it('appends queued rows in batches from several writers without forking the chain; flush drains the queue', async () => {
    // Two services stand for two nodes: only the head row lock orders them.
    const a = createAuditService({ knex: db.knex, maxBatch: 37 });
    const b = createAuditService({ knex: db.knex, maxBatch: 50 });
    for (let i = 0; i < 300; i++) (i % 2 ? a : b).enqueue({ action: `test:q${i}`, outcome: 'ok', requestId: `q-${i}` });
    const direct = Promise.all(Array.from({ length: 20 }, (_, i) => a.record(db.knex, { action: `test:d${i}`, outcome: 'ok' })));
    expect(a.pending() + b.pending()).toBeGreaterThan(0);
    await Promise.all([a.flush(), b.flush(), direct]);
    expect(a.pending() + b.pending()).toBe(0);
    const seqs = (await db.knex('audit_log').select('seq').orderBy('seq')).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: 320 }, (_, i) => i + 1));
    // Each writer keeps its own queue order.
    const order = (await db.knex('audit_log').select('request_id').whereLike('request_id', 'q-%').orderBy('seq')).map((r) => Number(r.request_id.slice(2)));
    expect(order.filter((n) => n % 2 === 1)).toEqual([...order.filter((n) => n % 2 === 1)].sort((x, y) => x - y));
    const head = await db.knex('audit_chain_head').first();
    const last = await db.knex('audit_log').orderBy('seq', 'desc').first();
    expect([Number(head.seq), head.hash]).toEqual([320, last.hash]);
    expect(await a.verify({ batchSize: 64 })).toEqual({ ok: true, checked: 320, headSeq: 320 });
  });

  it('hashes in the database exactly as in JavaScript, whatever the text holds', async () => {
    const audit = createAuditService({ knex: db.knex });
    const awkward: AuditEntry[] = [
      { action: 'POST /api/dossiers/:id', outcome: '200', username: 'Nguyễn.Văn', unitId: 'xa-phu-long', target: { type: 'dossiers', id: 'HS-"1"\\2' } },
      { action: 'tab\there\nnew line\r\u0001\u001f\u007f\u2028', outcome: 'ok', details: { note: 'Đăng ký kết hôn 😀', q: '"\\/', n: 1.5, nested: { a: [null, true] } } },
      { action: "' or 1=1 --", outcome: 'error', ip: '::ffff:127.0.0.1', requestId: 'r\u00e9q', at: new Date(Date.UTC(2026, 0, 1, 23, 59, 59, 7)) },
      { action: 'x', outcome: 'ok', at: new Date(Date.UTC(1999, 11, 31, 17, 0, 0, 0)) },
    ];
    for (const e of awkward) await audit.record(db.knex, e);
    const rechecks: number[] = [];
    const inDb = await audit.verify({ batchSize: 3, onRecheck: (s) => rechecks.push(s) });
    expect(rechecks).toEqual([]);
    expect(inDb).toEqual({ ok: true, checked: 324, headSeq: 324 });
    expect(await audit.verify({ inDatabase: false, batchSize: 100 })).toEqual(inDb);
  });

  it('detects deleted newest rows against the chain head, and the head cannot be moved back', async () => {
    const audit = createAuditService({ knex: db.knex });
    await expect(db.knex('audit_chain_head').update({ seq: 1 })).rejects.toThrow(/only moves forward/);
    await expect(db.knex('audit_chain_head').delete()).rejects.toThrow(/only moves forward/);
    await expect(db.knex.raw('truncate audit_chain_head')).rejects.toThrow(/only moves forward/);

    // An owner who bypasses the log's trigger and removes the last three rows: no gap remains…
    await db.knex.raw('alter table audit_log disable trigger audit_log_no_update');
    await db.knex('audit_log').where('seq', '>', 321).delete();
    await db.knex.raw('alter table audit_log enable trigger audit_log_no_update');
    // …but the log now ends before the head.
    const v = await audit.verify();
    expect(v).toMatchObject({ ok: false, checked: 321, firstBroken: { seq: 322, reason: 'truncated' } });
    expect(await audit.verify({ inDatabase: false })).toEqual(v);
  });
});
