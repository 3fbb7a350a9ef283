import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Principal } from '../http/policy.js';
import { ROLE_PERMISSIONS, type Permission } from '../identity/permissions.js';
import { GENESIS_HASH, hashRow, type AuditRow } from './chain.js';
import * as store from './store.js';

export interface AuditEntry {
  action: string;
  outcome: string;
  target?: { type: string; id?: string | null } | null;
  userId?: string | null;
  username?: string | null;
  unitId?: string | null;
  role?: string | null;
  requestId?: string | null;
  ip?: string | null;
  /** Small, non-personal facts only (ids, counts, status codes): it is hashed and kept forever. */
  details?: Record<string, unknown> | null;
  at?: Date;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  firstBroken?: { seq: number; reason: 'gap' | 'prev-hash' | 'hash'; expected?: string; found?: string };
}

/**
 * The actor fields of an entry from a principal: the unit and role that grant `permission`
 * (the capacity in which they acted), else their first role.
 */
export function actorOf(principal: Principal | undefined, permission?: Permission | string): Pick<AuditEntry, 'userId' | 'username' | 'unitId' | 'role'> {
  if (!principal) return {};
  const acting = principal.roles.find((r) => permission && (ROLE_PERMISSIONS[r.role] as readonly string[]).includes(permission))
    ?? principal.roles[0];
  return { userId: principal.userId, username: principal.username, unitId: acting?.unitId ?? null, role: acting?.role ?? null };
}

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService(opts: { knex: Knex }) {
  const { knex } = opts;

  async function append(trx: Knex.Transaction, e: AuditEntry): Promise<{ seq: number; hash: string }> {
    await store.lockChain(trx);
    const last = await store.head(trx);
    const row: AuditRow = {
      seq: (last?.seq ?? 0) + 1,
      at: e.at ?? new Date(),
      userId: e.userId ?? null,
      username: e.username?.toLowerCase() ?? null,
      unitId: e.unitId ?? null,
      role: e.role ?? null,
      action: e.action.slice(0, 300),
      targetType: e.target?.type ?? null,
      targetId: e.target?.id ?? null,
      outcome: e.outcome,
      requestId: e.requestId ?? null,
      ip: e.ip ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = hashRow(row);
    await store.insert(trx, { ...row, hash });
    return { seq: row.seq, hash };
  }

  const service = {
    /**
     * Appends one record. Pass the transaction of the change being recorded so the record
     * commits (or not) with it; with a plain knex handle it gets its own transaction.
     */
    async record(db: Knex | Knex.Transaction, e: AuditEntry): Promise<{ seq: number; hash: string }> {
      return db.isTransaction ? append(db as Knex.Transaction, e) : db.transaction((trx) => append(trx, e));
    },

    /** Records that someone read a citizen's personal data (dossier, applicant record…). */
    async recordAccess(db: Knex | Knex.Transaction, req: Request, target: { type: string; id: string }, what = 'read'): Promise<void> {
      await service.record(db, {
        ...actorOf(req.principal),
        action: `access:${what}`,
        target,
        outcome: 'ok',
        requestId: req.requestId,
        ip: req.ip ?? null,
      });
    },

    /** Re-walks the chain in batches (never all in memory) and reports the first broken link. */
    async verify(opts: { batchSize?: number; onProgress?: (checked: number) => void } = {}): Promise<VerifyResult> {
      const batchSize = opts.batchSize ?? 10_000;
      let prevHash = GENESIS_HASH;
      let expectedSeq = 1;
      let checked = 0;
      for (;;) {
        const rows = await store.batchAfter(knex, expectedSeq - 1, batchSize);
        if (!rows.length) break;
        for (const r of rows) {
          const seq = Number(r.seq);
          if (seq !== expectedSeq) return { ok: false, checked, headSeq: seq, firstBroken: { seq: expectedSeq, reason: 'gap', found: String(seq) } };
          if (r.prevHash !== prevHash) return { ok: false, checked, headSeq: seq, firstBroken: { seq, reason: 'prev-hash', expected: prevHash, found: r.prevHash } };
          const h = hashRow({ ...r, seq });
          if (h !== r.hash) return { ok: false, checked, headSeq: seq, firstBroken: { seq, reason: 'hash', expected: h, found: r.hash } };
          prevHash = r.hash;
          expectedSeq++;
          checked++;
        }
        opts.onProgress?.(checked);
      }
      return { ok: true, checked, headSeq: expectedSeq - 1 };
    },

    async query(f: store.AuditFilter, limit: number): Promise<{ items: store.StoredRow[]; nextBefore: number | null }> {
      const rows = (await store.filtered(knex, f).limit(limit + 1)) as store.StoredRow[];
      const items = rows.slice(0, limit).map((r) => ({ ...r, seq: Number(r.seq) }));
      return { items, nextBefore: rows.length > limit ? items[items.length - 1]!.seq : null };
    },

    /** Streams matching rows newest first, in pages, for the CSV export. */
    async *scan(f: store.AuditFilter, pageSize = 5000): AsyncGenerator<store.StoredRow[]> {
      let before = f.before;
      for (;;) {
        const page = await service.query({ ...f, before }, pageSize);
        if (page.items.length) yield page.items;
        if (page.nextBefore === null) return;
        before = page.nextBefore;
      }
    },
  };
  return service;
}
