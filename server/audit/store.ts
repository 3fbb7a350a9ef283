import type { Knex } from 'knex';
import type { AuditRow } from './chain.js';

export type Db = Knex | Knex.Transaction;

const COLS = [
  'seq', 'at', 'user_id as userId', 'username', 'unit_id as unitId', 'role', 'action', 'target_type as targetType',
  'target_id as targetId', 'outcome', 'request_id as requestId', 'ip', 'details', 'prev_hash as prevHash', 'hash',
];

export type StoredRow = AuditRow & { hash: string };

/**
 * Locks the chain head row until the transaction ends and returns it: concurrent writers
 * (on any node) queue here, so the chain cannot fork.
 */
export async function lockHead(trx: Knex.Transaction): Promise<{ seq: number; hash: string }> {
  const { rows } = await trx.raw<{ rows: Array<{ seq: number; hash: string }> }>('select seq, hash from audit_chain_head where id = 1 for update');
  return { seq: Number(rows[0]!.seq), hash: rows[0]!.hash };
}

export async function readHead(db: Db): Promise<{ seq: number; hash: string }> {
  const row = (await db('audit_chain_head').select('seq', 'hash').where({ id: 1 }).first()) as { seq: number; hash: string };
  return { seq: Number(row.seq), hash: row.hash };
}

export async function setHead(trx: Knex.Transaction, seq: number, hash: string): Promise<void> {
  await trx('audit_chain_head').where({ id: 1 }).update({ seq, hash, updated_at: trx.fn.now() });
}

export async function insertMany(db: Db, rows: StoredRow[]): Promise<void> {
  await db('audit_log').insert(rows.map((r) => ({
    seq: r.seq, at: r.at, user_id: r.userId, username: r.username, unit_id: r.unitId, role: r.role, action: r.action,
    target_type: r.targetType, target_id: r.targetId, outcome: r.outcome, request_id: r.requestId, ip: r.ip,
    details: r.details, prev_hash: r.prevHash, hash: r.hash,
  })));
}

const APPEND_SQL = `with h as (
    update audit_chain_head set seq = $1, hash = $2, updated_at = now() where id = 1 and seq = $3 and hash = $4 returning 1
  )
  insert into audit_log (seq, at, user_id, username, unit_id, role, action, target_type, target_id, outcome, request_id, ip, details, prev_hash, hash)
  select * from unnest($5::bigint[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[])
  where exists (select 1 from h)
  returning seq`;

type PgConn = { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> };
type Pool = { config: { client: unknown }; acquireConnection(): Promise<PgConn>; releaseConnection(c: PgConn): Promise<void> };

/**
 * Appends rows in ONE statement if the head is still `expected` (optimistic group commit):
 * the conditional UPDATE takes the head row lock, and a writer that lost the race updates
 * nothing, so inserts nothing, and retries from the new head. Returns whether it appended.
 * On PostgreSQL a named prepared statement on a pooled connection (parsed and planned once per
 * connection, no query building: the writer runs it for every few writes the API answers);
 * in a transaction or on the embedded database, knex.raw.
 */
export async function appendIfHead(db: Db, expected: { seq: number; hash: string }, rows: StoredRow[]): Promise<boolean> {
  const last = rows[rows.length - 1]!;
  const col = <K extends keyof StoredRow>(k: K) => rows.map((r) => r[k]);
  const values = [last.seq, last.hash, expected.seq, expected.hash,
    col('seq'), rows.map((r) => new Date(r.at).toISOString()), col('userId'), col('username'), col('unitId'), col('role'), col('action'),
    col('targetType'), col('targetId'), col('outcome'), col('requestId'), col('ip'), col('details'), col('prevHash'), col('hash')];
  const pool = (db as Knex).client as unknown as Pool;
  if ((db as Knex.Transaction).isTransaction || pool.config.client !== 'pg') {
    const { rows: out } = await db.raw<{ rows: unknown[] }>(APPEND_SQL.replace(/\$\d+/g, '?'), values as unknown as Knex.RawBinding[]);
    return out.length === rows.length;
  }
  const conn = await pool.acquireConnection();
  try {
    return (await conn.query({ name: 'tthc_audit_append', text: APPEND_SQL, values })).rows.length === rows.length;
  } finally {
    await pool.releaseConnection(conn);
  }
}

/**
 * The canonical serialization of server/audit/chain.ts written in SQL, so the database hashes
 * (built-in sha256) and only a verdict per batch crosses the wire: array_to_json writes the
 * same compact array as JSON.stringify, and to_json escapes strings the same way. Verify still
 * re-checks any flagged batch in JavaScript, which stays the authority.
 */
const CANONICAL_SQL = `array_to_json(array[to_json(seq), to_json(to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), ${
  ['user_id', 'username', 'unit_id', 'role', 'action', 'target_type', 'target_id', 'outcome', 'request_id', 'ip', 'details', 'prev_hash'].map((c) => `to_json(${c})`).join(', ')
}])::text`;

export interface BatchVerdict { n: number; lastSeq: number | null; lastHash: string | null; intact: boolean }

/**
 * Checks the rows with afterSeq < seq <= upTo in the database: every hash,
 * density (seq is unique, so count = max - min + 1 from afterSeq + 1), and every link (each
 * prev_hash equals the hash before it), as aggregates over the batch.
 */
export async function verifyBatch(db: Db, afterSeq: number, prevHash: string, upTo: number): Promise<BatchVerdict> {
  const { rows } = await db.raw<{ rows: Array<{ n: number; mn: number | null; mx: number | null; bad: number; linked: boolean | null; first_prev: string | null; last_hash: string | null }> }>(
    `select count(*)::int as n, min(seq) as mn, max(seq) as mx,
            count(*) filter (where encode(sha256(convert_to(${CANONICAL_SQL}, 'UTF8')), 'hex') <> hash)::int as bad,
            (array_agg(prev_hash order by seq))[2:] = (array_agg(hash order by seq))[:count(*) - 1] as linked,
            (array_agg(prev_hash order by seq))[1] as first_prev,
            (array_agg(hash order by seq))[count(*)] as last_hash
     from audit_log where seq > ? and seq <= ?`,
    [afterSeq, upTo],
  );
  const r = rows[0]!;
  const n = Number(r.n);
  const intact = n > 0 && Number(r.bad) === 0 && r.linked === true && r.first_prev === prevHash
    && Number(r.mn) === afterSeq + 1 && Number(r.mx) === afterSeq + n;
  return { n, lastSeq: r.mx === null ? null : Number(r.mx), lastHash: r.last_hash, intact };
}

export async function batchAfter(db: Db, afterSeq: number, limit: number): Promise<StoredRow[]> {
  return db('audit_log').select(COLS).where('seq', '>', afterSeq).orderBy('seq').limit(limit);
}

export interface AuditFilter {
  username?: string;
  unitId?: string;
  targetType?: string;
  targetId?: string;
  action?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  /** Paging: rows with seq below this (newest first). */
  before?: number;
}

export function filtered(db: Db, f: AuditFilter): Knex.QueryBuilder {
  const q = db('audit_log').select(COLS);
  if (f.username) q.where('username', f.username.toLowerCase());
  if (f.unitId) q.where('unit_id', f.unitId);
  if (f.targetType) q.where('target_type', f.targetType);
  if (f.targetId) q.where('target_id', f.targetId);
  if (f.action) q.where('action', f.action);
  if (f.outcome) q.where('outcome', f.outcome);
  if (f.from) q.where('at', '>=', f.from);
  if (f.to) q.where('at', '<', f.to);
  if (f.before !== undefined) q.where('seq', '<', f.before);
  return q.orderBy('seq', 'desc');
}
