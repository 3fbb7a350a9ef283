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
  /**
   * gap / prev-hash / hash: a row was removed, relinked or edited; truncated: the newest rows
   * are gone (the log ends before the recorded chain head); head: the last row is not the one
   * the chain head recorded.
   */
  firstBroken?: { seq: number; reason: 'gap' | 'prev-hash' | 'hash' | 'truncated' | 'head'; expected?: string; found?: string };
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

export interface AuditServiceOptions {
  knex: Knex;
  /** Where a failed group commit is reported (it is retried, never dropped silently). */
  onWriteError?: (err: unknown, queued: number) => void;
  /** Rows per group-commit statement. */
  maxBatch?: number;
  /** How long a queued row may wait for others to share its commit (default 5 ms). */
  groupWindowMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createAuditService(opts: AuditServiceOptions) {
  const { knex } = opts;
  const maxBatch = opts.maxBatch ?? 500;
  const groupWindowMs = opts.groupWindowMs ?? 5;

  function toRow(e: AuditEntry, seq: number, prevHash: string): AuditRow {
    return {
      seq,
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
      prevHash,
    };
  }

  function chain(entries: AuditEntry[], head: { seq: number; hash: string }): store.StoredRow[] {
    let { seq, hash } = head;
    return entries.map((e) => {
      const row = toRow(e, seq + 1, hash);
      seq = row.seq;
      hash = hashRow(row);
      return { ...row, hash };
    });
  }

  /** One head lock, many rows, the head moved forward: all in the caller's transaction. */
  async function appendMany(trx: Knex.Transaction, entries: AuditEntry[]): Promise<Array<{ seq: number; hash: string }>> {
    const rows = chain(entries, await store.lockHead(trx));
    for (let i = 0; i < rows.length; i += 500) await store.insertMany(trx, rows.slice(i, i + 500));
    const last = rows[rows.length - 1]!;
    await store.setHead(trx, last.seq, last.hash);
    return rows.map((r) => ({ seq: r.seq, hash: r.hash }));
  }

  // The head this process last wrote: usually still current, so a batch is one statement.
  let knownHead: { seq: number; hash: string } | null = null;

  async function appendBatch(entries: AuditEntry[]): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = knownHead ?? (await store.readHead(knex));
      const rows = chain(entries, head);
      if (await store.appendIfHead(knex, head, rows)) {
        const last = rows[rows.length - 1]!;
        knownHead = { seq: last.seq, hash: last.hash };
        return;
      }
      knownHead = null; // another writer moved the head
    }
    // Heavy contention: queue on the head lock instead.
    await knex.transaction((trx) => appendMany(trx, entries));
  }

  // ---- group commit: requests queue rows; one writer appends them in batches ----
  const queue: AuditEntry[] = [];
  let writer: Promise<void> | null = null;
  let failures = 0;

  async function drain(): Promise<void> {
    while (queue.length) {
      const batch = queue.slice(0, maxBatch);
      try {
        await appendBatch(batch);
        queue.splice(0, batch.length);
        failures = 0;
      } catch (err) {
        failures++;
        knownHead = null;
        opts.onWriteError?.(err, queue.length);
        if (!opts.onWriteError) console.error(`audit: group commit failed, ${queue.length} rows kept for retry`, err);
        await sleep(Math.min(50 * 2 ** failures, 5_000));
      }
    }
  }

  function startWriter(): void {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    writer ??= drain().finally(() => {
      writer = null;
      if (queue.length) startWriter();
    });
  }

  // Rows wait up to groupWindowMs so that one statement carries several requests' rows.
  let timer: NodeJS.Timeout | null = null;
  function schedule(): void {
    if (writer || timer) return;
    if (groupWindowMs <= 0 || queue.length >= maxBatch) return startWriter();
    timer = setTimeout(startWriter, groupWindowMs);
  }

  const service = {
    /**
     * Appends one record. Pass the transaction of the change being recorded so the record
     * commits (or not) with it; with a plain knex handle it gets its own transaction.
     */
    async record(db: Knex | Knex.Transaction, e: AuditEntry): Promise<{ seq: number; hash: string }> {
      const [out] = db.isTransaction ? await appendMany(db as Knex.Transaction, [e]) : await db.transaction((trx) => appendMany(trx, [e]));
      return out!;
    },

    /**
     * Queues a record for the group-commit writer and returns at once (request middleware).
     * Rows are appended in order, many per transaction; a failed batch is retried, not dropped.
     */
    enqueue(e: AuditEntry): void {
      queue.push({ ...e, at: e.at ?? new Date() });
      schedule();
    },

    /** Resolves once every queued record is committed (shutdown, tests). */
    async flush(): Promise<void> {
      while (writer || queue.length) {
        startWriter();
        await writer;
      }
    },

    /** Rows queued and not yet committed. */
    pending: () => queue.length,

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

    /**
     * Re-walks the chain in keyset batches and reports the first broken link. The database
     * hashes each batch and returns a verdict (nothing but flagged rows crosses the wire); a
     * flagged batch is re-checked row by row here, which names the break. The walk stops at
     * the chain head read first, then compares the last row with it (tail truncation).
     */
    async verify(opts: { batchSize?: number; onProgress?: (checked: number) => void; inDatabase?: boolean; onRecheck?: (afterSeq: number) => void } = {}): Promise<VerifyResult> {
      const batchSize = opts.batchSize ?? 10_000;
      const anchor = await store.readHead(knex);
      let prevHash = GENESIS_HASH;
      let lastSeq = 0;
      let checked = 0;
      for (;;) {
        if (opts.inDatabase !== false) {
          // A seq range, not LIMIT: the plan stays an index range scan even without table statistics.
          const v = await store.verifyBatch(knex, lastSeq, prevHash, Math.min(anchor.seq, lastSeq + batchSize));
          if (!v.n && lastSeq >= anchor.seq) break;
          if (v.intact) {
            lastSeq = v.lastSeq!;
            prevHash = v.lastHash!;
            checked += v.n;
            opts.onProgress?.(checked);
            continue;
          }
          opts.onRecheck?.(lastSeq);
        }
        const rows = await store.batchAfter(knex, lastSeq, batchSize);
        const inRange = rows.filter((r) => Number(r.seq) <= anchor.seq);
        if (!inRange.length) break;
        for (const r of inRange) {
          const seq = Number(r.seq);
          if (seq !== lastSeq + 1) return { ok: false, checked, headSeq: seq, firstBroken: { seq: lastSeq + 1, reason: 'gap', found: String(seq) } };
          if (r.prevHash !== prevHash) return { ok: false, checked, headSeq: seq, firstBroken: { seq, reason: 'prev-hash', expected: prevHash, found: r.prevHash } };
          const h = hashRow({ ...r, seq });
          if (h !== r.hash) return { ok: false, checked, headSeq: seq, firstBroken: { seq, reason: 'hash', expected: h, found: r.hash } };
          prevHash = r.hash;
          lastSeq = seq;
          checked++;
        }
        opts.onProgress?.(checked);
      }
      if (lastSeq < anchor.seq) {
        return { ok: false, checked, headSeq: lastSeq, firstBroken: { seq: lastSeq + 1, reason: 'truncated', expected: `head seq ${anchor.seq}`, found: `log ends at ${lastSeq}` } };
      }
      if (prevHash !== anchor.hash) {
        return { ok: false, checked, headSeq: lastSeq, firstBroken: { seq: lastSeq, reason: 'head', expected: anchor.hash, found: prevHash } };
      }
      return { ok: true, checked, headSeq: lastSeq };
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
