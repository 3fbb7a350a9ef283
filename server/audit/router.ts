import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { localDateTime, localDayStart } from '../calendar/index.js';
import { csvLine } from '../text/csv.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseQuery } from '../http/validate.js';
import type { AuditService } from './service.js';
import type { AuditFilter, StoredRow } from './store.js';

const text = z.string().trim().min(1).max(200);
/** A date (YYYY-MM-DD, a Vietnamese calendar day) or a full ISO timestamp with offset. */
const when = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const Filter = z.object({
  username: text.optional(),
  unitId: text.optional(),
  targetType: text.optional(),
  targetId: text.optional(),
  action: text.optional(),
  outcome: z.string().regex(/^\d{3}$|^ok$|^error$/).optional(),
  from: when.optional(),
  to: when.optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
}).strict();

const dayStart = (d: string) => localDayStart(d) ?? new Date(Number.NaN);

function toFilter(q: Omit<z.infer<typeof Filter>, 'limit'>): AuditFilter {
  const from = q.from ? (q.from.length === 10 ? dayStart(q.from) : new Date(q.from)) : undefined;
  const to = q.to ? (q.to.length === 10 ? new Date(dayStart(q.to).getTime() + 86_400_000) : new Date(q.to)) : undefined;
  return { username: q.username, unitId: q.unitId, targetType: q.targetType, targetId: q.targetId, action: q.action, outcome: q.outcome, from, to, before: q.before };
}

const CSV_HEAD = ['seq', 'thoi_gian (Asia/Ho_Chi_Minh)', 'nguoi_dung', 'don_vi', 'vai_tro', 'hanh_dong', 'loai_doi_tuong', 'ma_doi_tuong', 'ket_qua', 'request_id', 'ip', 'hash'];

function exportLine(r: StoredRow): string {
  return csvLine([r.seq, localDateTime(new Date(r.at)), r.username, r.unitId, r.role, r.action, r.targetType, r.targetId, r.outcome, r.requestId, r.ip, r.hash]) + '\r\n';
}

function view(r: StoredRow) {
  return {
    seq: Number(r.seq), at: new Date(r.at).toISOString(), username: r.username, unitId: r.unitId, role: r.role,
    action: r.action, targetType: r.targetType, targetId: r.targetId, outcome: r.outcome,
    requestId: r.requestId, ip: r.ip, details: r.details ? (JSON.parse(r.details) as unknown) : null, hash: r.hash,
  };
}

export function createAuditRouter(deps: { audit: AuditService; knex: Knex }): Router {
  const { audit } = deps;
  const r = Router();

  r.get('/', guard('audit:read'), doc({ summary: 'Audit trail (filtered, paged)', query: Filter }), async (req, res) => {
    const q = parseQuery(Filter, req);
    const page = await audit.query(toFilter(q), q.limit);
    sendJson(res, 200, { items: page.items.map(view), nextBefore: page.nextBefore });
  });

  r.get('/export.csv', guard('audit:read'), doc({ summary: 'Audit trail as CSV', query: Filter }), async (req, res) => {
    const q = parseQuery(Filter.omit({ limit: true }), req);
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="nhat-ky-kiem-toan.csv"',
    });
    // The BOM makes Excel read the file as UTF-8, so Vietnamese names survive.
    res.write('\uFEFF' + csvLine(CSV_HEAD) + '\r\n');
    for await (const page of audit.scan(toFilter(q))) {
      if (!res.write(page.map(exportLine).join(''))) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  r.get('/verify', guard('audit:read'), doc({ summary: 'Verify the hash chain; says whether the audit writer is writing' }), async (_req, res) => {
    // The chain's integrity, and whether rows are still being written (a chain can be intact
    // while nothing new reaches it).
    sendJson(res, 200, { ...(await audit.verify()), writer: audit.health() });
  });

  return r;
}
