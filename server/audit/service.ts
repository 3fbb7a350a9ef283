import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Principal } from '../http/policy.js';
import { ROLE_PERMISSIONS } from '../identity/index.js';
import { storableText } from '../http/input-text.js';
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
export function actorOf(principal: Principal | undefined, permission?: string): Pick<AuditEntry, 'userId' | 'username' | 'unitId' | 'role'> {
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

/**
 * Every audited text goes through here: whatever a request carried (NUL, lone surrogates,
 * megabytes), the row stays storable and indexable (indexed columns stay far below the
 * 2,700-byte btree limit), and a cut value says it was cut.
 */
function auditText(v: string | null | undefined, max = 200): string | null {
  if (v === null || v === undefined) return null;
  return storableText(String(v), max);
}

const DETAILS_MAX = 4000;

/** JSON.stringify escapes NUL and lone surrogates as ASCII; an oversized object is replaced by a note. */
function auditDetails(d: Record<string, unknown> | null | undefined): string | null {
  if (!d) return null;
  let json: string;
  try {
    json = JSON.stringify(d);
  } catch {
    return JSON.stringify({ unserializable: true });
  }
  if (json.length <= DETAILS_MAX) return storableText(json, Number.MAX_SAFE_INTEGER);
  return JSON.stringify({ truncated: true, length: json.length, head: storableText(json, 1000) });
}

/** SQLSTATE classes that mean "this row", not "the database": data exception, integrity, program limit. */
function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

export interface AuditWriterHealth {
  /** ok: nothing failing; retrying: the last batch failed and is being retried; stopped: shut down. */
  status: 'ok' | 'retrying' | 'stopped';
  /** When the writer last committed rows (ISO), null if not yet in this process. */
  lastWrittenAt: string | null;
  queueLength: number;
  rowsWritten: number;
  failedBatches: number;
  /** Rows the database refused even alone; each was replaced by an `audit:row-refused` row. */
  refusedRows: number;
  lastError: { at: string; code: string | null; message: string } | null;
}

export function createAuditService(opts: AuditServiceOptions) {
  const { knex } = opts;
  const maxBatch = opts.maxBatch ?? 500;
  const groupWindowMs = opts.groupWindowMs ?? 5;

  function toRow(e: AuditEntry, seq: number, prevHash: string): AuditRow {
    return {
      seq,
      at: e.at instanceof Date && !Number.isNaN(e.at.getTime()) ? e.at : new Date(),
      userId: auditText(e.userId),
      username: auditText(e.username?.toLowerCase()),
      unitId: auditText(e.unitId),
      role: auditText(e.role),
      action: auditText(e.action, 300) ?? '',
      targetType: auditText(e.target?.type),
      targetId: auditText(e.target?.id, 300),
      outcome: auditText(e.outcome) ?? '',
      requestId: auditText(e.requestId),
      ip: auditText(e.ip),
      details: auditDetails(e.details),
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
  let stopped = false;
  const health: Omit<AuditWriterHealth, 'status' | 'queueLength'> = {
    lastWrittenAt: null, rowsWritten: 0, failedBatches: 0, refusedRows: 0, lastError: null,
  };

  function noteError(err: unknown): void {
    const e = err as { code?: unknown; message?: unknown };
    health.lastError = {
      at: new Date().toISOString(),
      code: typeof e?.code === 'string' ? e.code : null,
      message: storableText(String(e?.message ?? err), 300),
    };
  }

  function written(n: number): void {
    health.rowsWritten += n;
    health.lastWrittenAt = new Date().toISOString();
  }

  /** What is recorded instead of a row the database refused: the failure itself, with only safe facts. */
  function refusal(e: AuditEntry, err: unknown): AuditEntry {
    return {
      action: 'audit:row-refused',
      outcome: 'error',
      at: e.at,
      requestId: e.requestId,
      target: { type: 'audit', id: null },
      details: {
        code: (err as { code?: unknown })?.code ?? null,
        action: storableText(String(e.action ?? ''), 100),
        outcome: storableText(String(e.outcome ?? ''), 20),
      },
    };
  }

  /**
   * A batch the database refused: write its rows one by one so one bad row cannot hold back
   * the others; a row refused alone is replaced by a record of the refusal. A failure that is
   * not about the row (connection lost…) stops here; the rest stays queued for the retry.
   */
  async function isolate(batch: AuditEntry[]): Promise<void> {
    for (const e of batch) {
      try {
        await appendBatch([e]);
        written(1);
      } catch (err) {
        knownHead = null;
        if (!isRowError(err)) throw err;
        noteError(err);
        health.refusedRows++;
        opts.onWriteError?.(err, queue.length);
        await appendBatch([refusal(e, err)]);
        written(1);
      }
      queue.shift();
    }
  }

  async function drain(): Promise<void> {
    while (queue.length && !stopped) {
      const batch = queue.slice(0, maxBatch);
      try {
        await appendBatch(batch);
        queue.splice(0, batch.length);
        written(batch.length);
        failures = 0;
      } catch (err) {
        knownHead = null;
        health.failedBatches++;
        noteError(err);
        try {
          await isolate(batch);
          failures = 0;
          continue;
        } catch (again) {
          noteError(again);
        }
        failures++;
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
    if (stopped) return;
    writer ??= drain().finally(() => {
      writer = null;
      if (queue.length && !stopped) startWriter();
    });
  }

  // Rows wait up to groupWindowMs so that one statement carries several requests' rows.
  let timer: NodeJS.Timeout | null = null;
  function schedule(): void {
    if (writer || timer || stopped) return;
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

    /**
     * Resolves once every queued record is committed (tests), or after `timeoutMs` with the
     * number of rows still queued (shutdown must not wait for ever on a failing database).
     */
    async flush(timeoutMs = Infinity): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      while ((writer || queue.length) && !stopped) {
        startWriter();
        const left = deadline - Date.now();
        if (left <= 0) break;
        if (left === Infinity) await writer;
        else {
          let t: NodeJS.Timeout | undefined;
          await Promise.race([writer, new Promise((r) => { t = setTimeout(r, left); })]);
          clearTimeout(t);
        }
      }
      return queue.length;
    },

    /** Flushes for at most `timeoutMs`, then stops the writer; returns the rows left unwritten. */
    async stop(timeoutMs = 5_000): Promise<number> {
      const left = await service.flush(timeoutMs);
      stopped = true;
      if (timer) clearTimeout(timer);
      return left;
    },

    /** Rows queued and not yet committed. */
    pending: () => queue.length,

    /** The writer's health, for /api/health and verify. */
    health(): AuditWriterHealth {
      const status = stopped ? 'stopped' : failures > 0 ? 'retrying' : 'ok';
      return { status, queueLength: queue.length, ...health };
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
