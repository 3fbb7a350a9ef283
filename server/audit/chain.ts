import crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** One audit row as stored; every field here is covered by the hash. */
export interface AuditRow {
  seq: number;
  at: Date;
  userId: string | null;
  username: string | null;
  unitId: string | null;
  role: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  requestId: string | null;
  ip: string | null;
  details: string | null;
  prevHash: string;
}

/**
 * The canonical serialization: a JSON array in a fixed field order. Timestamps are ISO UTC
 * with milliseconds (what JavaScript writes and PostgreSQL returns), details are the stored text.
 */
function canonical(r: AuditRow): string {
  return JSON.stringify([
    r.seq, new Date(r.at).toISOString(), r.userId, r.username, r.unitId, r.role, r.action,
    r.targetType, r.targetId, r.outcome, r.requestId, r.ip, r.details, r.prevHash,
  ]);
}

export function hashRow(r: AuditRow): string {
  return crypto.createHash('sha256').update(canonical(r)).digest('hex');
}
