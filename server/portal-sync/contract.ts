import { z } from 'zod';
import { formatLocal } from '../calendar/index.js';

/**
 * The JSON contract of one status record pushed to the national public-service portal (DVCQG),
 * after NĐ 63/2024 Đ.7 and TT 04/2025/TT-VPCP: `POST {NATIONAL_PORTAL_URL}/records`, one record per
 * request, `Content-Type: application/json`. The portal answers `200 {receiptId, receivedAt, duplicate?}`
 * (a record it already has is acknowledged again with the same receipt: `recordId` is the idempotency
 * key), `400 {error, issues}` for a malformed record (not retried: a person must look), anything else
 * (5xx, timeout, refused connection) is retried with backoff. Documented in README ("National portal sync").
 */
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?[+-]\d{2}:\d{2}$/, 'ISO-8601 with an offset, e.g. 2026-12-01T09:04:00+07:00');
const DOSSIER_CODE_RE = /^[A-Z0-9.]{1,20}-\d{6}-\d{1,6}$/;
const OUTCOMES = ['refused', 'withdrawn', 'stopped', 'resolved', 'returned'] as const;

export const PortalRecordSchema = z.object({
  /** `<dossierCode>:<sequence>`: the same record sent twice is the same record. */
  recordId: z.string().regex(/^[A-Z0-9.]{1,20}-\d{6}-\d{1,6}:\d{1,6}$/),
  dossierCode: z.string().regex(DOSSIER_CODE_RE),
  /** 1, 2, 3… per dossier, in the order the changes happened. */
  sequence: z.number().int().min(1),
  /** The receiving agency's code (first part of the dossier code). */
  agencyCode: z.string().min(1).max(20),
  agencyName: z.string().min(1).max(300),
  /** National procedure code from the national procedures database, e.g. 1.001193. */
  procedureCode: z.string().regex(/^\d\.\d{6}$/, 'a national procedure code like 1.001193'),
  procedureName: z.string().min(1).max(500),
  /** National status code 1–10 (TTHC.md §3). */
  statusCode: z.number().int().min(1).max(10),
  statusName: z.string().min(1).max(100),
  changedAt: instant,
  receivedAt: instant.nullable(),
  dueAt: instant.nullable(),
  /** When processing ended: resolved (9) or, for a dossier that ended otherwise, the end (3, 7, 8); else null. */
  endOfProcessingAt: instant.nullable(),
  channel: z.enum(['in-person', 'online', 'post']),
  result: z.object({
    outcome: z.enum(OUTCOMES),
    at: instant,
    /** End of processing no later than the (extended) due date; null when there was no due date. */
    onTime: z.boolean().nullable(),
    collectionMethod: z.enum(['in-person', 'post', 'online']).nullable(),
  }).strict().nullable(),
}).strict().superRefine((r, ctx) => {
  if ([4, 9, 10].includes(r.statusCode) && (!r.receivedAt || !r.dueAt)) {
    ctx.addIssue({ code: 'custom', path: ['dueAt'], message: 'a dossier being processed or resolved has receivedAt and dueAt' });
  }
  if (r.recordId !== `${r.dossierCode}:${r.sequence}`) ctx.addIssue({ code: 'custom', path: ['recordId'], message: 'recordId is <dossierCode>:<sequence>' });
});
export type PortalRecord = z.infer<typeof PortalRecordSchema>;


const STATUS_VI: Record<number, string> = {
  1: 'Mới đăng ký', 2: 'Được tiếp nhận', 3: 'Không được tiếp nhận', 4: 'Đang xử lý', 5: 'Yêu cầu bổ sung',
  6: 'Yêu cầu nghĩa vụ tài chính', 7: 'Công dân yêu cầu rút hồ sơ', 8: 'Dừng xử lý', 9: 'Đã xử lý xong', 10: 'Đã trả kết quả',
};
const OUTCOME_OF: Record<number, (typeof OUTCOMES)[number]> = { 3: 'refused', 7: 'withdrawn', 8: 'stopped', 9: 'resolved', 10: 'returned' };

/** The dossier as the outbox trigger captured it at the change (raw database values). */
export interface Snapshot {
  code: string; agencyCode: string | null; unitId: string; unitName: string | null; procedureCode: string | null; procedureName: string | null;
  status: number; changedAt: string; channel: string; receivedAt: string | null; dueAt: string | null;
  resolvedAt: string | null; returnedAt: string | null; collectionMethod: string | null;
}

const local = (v: string | null | undefined): string | null => (v ? formatLocal(new Date(v)) : null);

/** Shapes a captured change into the contract (no personal data: no applicant, no free text). */
export function toPortalRecord(s: Snapshot, seq: number): PortalRecord {
  const status = Number(s.status);
  const end = status === 9 || status === 10 ? (s.resolvedAt ?? s.changedAt) : [3, 7, 8].includes(status) ? s.changedAt : null;
  const outcome = OUTCOME_OF[status];
  const at = status === 10 ? (s.returnedAt ?? s.changedAt) : end;
  return {
    recordId: `${s.code}:${seq}`,
    dossierCode: s.code,
    sequence: seq,
    agencyCode: s.agencyCode ?? s.code.split('-')[0]!,
    agencyName: s.unitName ?? s.unitId,
    procedureCode: s.procedureCode ?? '',
    procedureName: s.procedureName ?? '',
    statusCode: status,
    statusName: STATUS_VI[status] ?? String(status),
    changedAt: local(s.changedAt)!,
    receivedAt: local(s.receivedAt),
    dueAt: local(s.dueAt),
    endOfProcessingAt: local(end),
    channel: s.channel as PortalRecord['channel'],
    result: outcome && at ? {
      outcome, at: local(at)!,
      onTime: end && s.dueAt ? new Date(end).getTime() <= new Date(s.dueAt).getTime() : null,
      collectionMethod: (s.collectionMethod as 'in-person' | 'post' | 'online' | null) ?? null,
    } : null,
  };
}
