import type { Knex } from 'knex';
import type { AuditRow } from './chain.js';

export type Db = Knex | Knex.Transaction;

export const COLS = [
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

const json = (col: string) => `coalesce(to_json(${col})::text, 'null')`;
/**
 * The canonical serialization of server/audit/chain.ts written in SQL, so the database hashes
 * (built-in sha256) and only a verdict per batch crosses the wire. JSON.stringify and to_json
 * escape strings the same way; verify still re-checks any flagged batch in JavaScript, which
 * stays the authority.
 */
const CANONICAL_SQL = `'[' || seq::text || ',' || to_json(to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text || ',' || ${
  ['user_id', 'username', 'unit_id', 'role', 'action', 'target_type', 'target_id', 'outcome', 'request_id', 'ip', 'details', 'prev_hash'].map(json).join(" || ',' || ")
} || ']'`;

export interface BatchVerdict { n: number; lastSeq: number | null; lastHash: string | null; firstBad: number | null }

/** Checks up to `limit` rows after `afterSeq` (and at most `upTo`) in the database: hashes, links, density. */
export async function verifyBatch(db: Db, afterSeq: number, prevHash: string, upTo: number, limit: number): Promise<BatchVerdict> {
  const { rows } = await db.raw<{ rows: Array<{ n: number; last_seq: number | null; last_hash: string | null; first_bad: number | null }> }>(
    `with b as (
       select seq, prev_hash, hash,
              encode(sha256(convert_to(${CANONICAL_SQL}, 'UTF8')), 'hex') as computed,
              lag(seq) over (order by seq) as p_seq, lag(hash) over (order by seq) as p_hash
       from (select * from audit_log where seq > ? and seq <= ? order by seq limit ?) x
     )
     select count(*)::int as n, max(seq) as last_seq,
            (select hash from b order by seq desc limit 1) as last_hash,
            min(seq) filter (where computed <> hash
              or (p_seq is null and (seq <> ? + 1 or prev_hash <> ?))
              or (p_seq is not null and (seq <> p_seq + 1 or prev_hash <> p_hash))) as first_bad
     from b`,
    [afterSeq, upTo, limit, afterSeq, prevHash],
  );
  const r = rows[0]!;
  return { n: Number(r.n), lastSeq: r.last_seq === null ? null : Number(r.last_seq), lastHash: r.last_hash, firstBad: r.first_bad === null ? null : Number(r.first_bad) };
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
