import type { Knex } from 'knex';
import type { AuditRow } from './chain.js';

export type Db = Knex | Knex.Transaction;

/** Any constant works; it only has to be the same for every writer of the chain. */
const CHAIN_LOCK = 0x7a0d17;

export const COLS = [
  'seq', 'at', 'user_id as userId', 'username', 'unit_id as unitId', 'role', 'action', 'target_type as targetType',
  'target_id as targetId', 'outcome', 'request_id as requestId', 'ip', 'details', 'prev_hash as prevHash', 'hash',
];

export type StoredRow = AuditRow & { hash: string };

/** Serialises appends until the transaction ends, so concurrent writers cannot fork the chain. */
export async function lockChain(trx: Knex.Transaction): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(?)', [CHAIN_LOCK]);
}

export async function head(db: Db): Promise<{ seq: number; hash: string } | undefined> {
  return db('audit_log').select('seq', 'hash').orderBy('seq', 'desc').first();
}

export async function insert(db: Db, r: StoredRow): Promise<void> {
  await db('audit_log').insert({
    seq: r.seq, at: r.at, user_id: r.userId, username: r.username, unit_id: r.unitId, role: r.role, action: r.action,
    target_type: r.targetType, target_id: r.targetId, outcome: r.outcome, request_id: r.requestId, ip: r.ip,
    details: r.details, prev_hash: r.prevHash, hash: r.hash,
  });
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
