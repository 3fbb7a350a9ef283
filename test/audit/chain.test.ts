import type { Database } from '../../server/db/connect.js';
import { createAuditService, type AuditService } from '../../server/audit/service.js';
import { createTestDatabase } from '../helpers/db.js';

describe('audit hash chain', () => {
  let db: Database;
  let audit: AuditService;
  beforeAll(async () => {
    db = await createTestDatabase();
    audit = createAuditService({ knex: db.knex });
  });
  afterAll(async () => { await db.close(); });

  it('chains records and verifies an intact chain', async () => {
    const a = await audit.record(db.knex, { action: 'test:a', outcome: 'ok', username: 'Admin', target: { type: 'dossier', id: 'HS-1' }, details: { n: 1, 'ý': 'Đăng ký' } });
    const b = await audit.record(db.knex, { action: 'test:b', outcome: 'ok' });
    expect(b.seq).toBe(a.seq + 1);
    const rows = await db.knex('audit_log').orderBy('seq');
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[0].username).toBe('admin');
    expect(await audit.verify()).toEqual({ ok: true, checked: 2, headSeq: 2 });
  });

  it('does not fork the chain under concurrent writers', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.record(db.knex, { action: `test:c${i}`, outcome: 'ok' })));
    const seqs = (await db.knex('audit_log').select('seq').orderBy('seq')).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    const v = await audit.verify({ batchSize: 7 });
    expect(v).toEqual({ ok: true, checked: 42, headSeq: 42 });
  });

  it('commits a record with the caller\'s transaction, or not at all', async () => {
    await expect(db.knex.transaction(async (trx) => {
      await audit.record(trx, { action: 'test:rolled-back', outcome: 'ok' });
      throw new Error('business rule failed');
    })).rejects.toThrow('business rule failed');
    expect(await db.knex('audit_log').where({ action: 'test:rolled-back' }).first()).toBeUndefined();
    expect((await audit.verify()).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on audit rows', async () => {
    await expect(db.knex('audit_log').where({ seq: 1 }).update({ outcome: 'forged' })).rejects.toThrow(/append-only/);
    await expect(db.knex('audit_log').where({ seq: 1 }).delete()).rejects.toThrow(/append-only/);
    await expect(db.knex.raw('truncate audit_log')).rejects.toThrow(/append-only/);
    expect(await db.knex('audit_log').count({ n: '*' })).toEqual([{ n: 42 }]);
  });

  it('reports the first broken link when an owner bypasses the trigger', async () => {
    await db.knex.raw('alter table audit_log disable trigger audit_log_no_update');
    await db.knex('audit_log').where({ seq: 10 }).update({ outcome: 'forged' });
    let v = await audit.verify({ batchSize: 4 });
    expect(v.ok).toBe(false);
    expect(v.checked).toBe(9);
    expect(v.firstBroken).toMatchObject({ seq: 10, reason: 'hash' });

    await db.knex('audit_log').where({ seq: 5 }).delete();
    v = await audit.verify();
    expect(v.firstBroken).toMatchObject({ seq: 5, reason: 'gap' });
    await db.knex.raw('alter table audit_log enable trigger audit_log_no_update');
  });
});
