import { Router } from 'express';
import { z } from 'zod';
import { inputKey } from '../http/messages.js';
import { midnightOf, ordinalOfDate } from '../calendar/index.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard, type Principal } from '../http/policy.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import type { PortalSyncService } from './service.js';
import { portalSyncError, portalSyncKey } from './messages.js';

interface Units { visibleUnitIds(p: Pick<Principal, 'roles'>): Promise<string[] | 'all'> }

const RecordId = z.object({ id: z.string().regex(/^\d{1,18}$/, portalSyncKey('portalSync.recordId')) });
const ClaimBody = z.object({
  workerId: z.string().min(1).max(200),
  limit: z.number().int().min(1).max(500).default(50),
  leaseMs: z.number().int().min(1_000).max(600_000).default(60_000),
  /** Only this dossier's records (the `tthc.sync-national-portal` step of a drawing syncs its dossier at once). */
  dossierCode: z.string().min(1).max(64).optional(),
}).strict();
const ReportBody = z.object({
  workerId: z.string().min(1).max(200),
  outcome: z.enum(['acked', 'rejected', 'failed']),
  httpStatus: z.number().int().min(0).max(999).optional(),
  error: z.string().max(4000).optional(),
  receipt: z.string().max(200).optional(),
  durationMs: z.number().int().min(0).max(3_600_000).optional(),
}).strict();
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, inputKey('input.date'));
const StatsQuery = z.object({ from: Day.optional(), to: Day.optional() }).strict();
const ListQuery = z.object({
  state: z.enum(['pending', 'acked', 'rejected', 'attention']).optional(),
  dossierCode: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
}).strict();

function dayStart(day: string): Date {
  const ord = ordinalOfDate(day);
  if (ord === undefined) throw portalSyncError(400, 'InvalidRequestException', 'portalSync.notADate', { day });
  return new Date(midnightOf(ord));
}

/**
 * `/api/portal-sync`: the workers' side (claim records, report the portal's answer; service accounts
 * only) and the administrators' and inspectors' side (records needing attention, the on-time share
 * for the scorecard, send a rejected record again), unit-scoped.
 */
export function createPortalSyncRouter(deps: { sync: PortalSyncService; units: Units }): Router {
  const r = Router();
  r.post('/claim', guard('engine:external-task'), doc({ summary: 'Worker: nhận các bản ghi cần gửi Cổng DVCQG (theo thứ tự từng hồ sơ) / worker: lease records to push', body: ClaimBody }), async (req, res) => {
    sendJson(res, 200, await deps.sync.claim(parseBody(ClaimBody, req)));
  });
  r.post('/records/:id/result', guard('engine:external-task'), doc({ summary: 'Worker: kết quả gửi (xác nhận / từ chối / lỗi) / worker: what the portal answered', params: RecordId, body: ReportBody }), async (req, res) => {
    sendJson(res, 200, await deps.sync.report(parseParams(RecordId, req).id, parseBody(ReportBody, req)));
  });
  r.get('/records', guard('audit:read'), doc({ summary: 'Bản ghi đồng bộ Cổng DVCQG (mới nhất trước) / sync records, newest first', query: ListQuery }), async (req, res) => {
    const q = parseQuery(ListQuery, req);
    sendJson(res, 200, await deps.sync.list(await deps.units.visibleUnitIds(req.principal!), q));
  });
  r.post('/records/:id/retry', guard('engine:admin'), doc({ summary: 'Gửi lại bản ghi bị Cổng từ chối / send a rejected record again', params: RecordId }), async (req, res) => {
    sendJson(res, 200, await deps.sync.requeue(await deps.units.visibleUnitIds(req.principal!), parseParams(RecordId, req).id));
  });
  r.get('/stats', guard('audit:read'), doc({ summary: 'Tỉ lệ hồ sơ đồng bộ Cổng DVCQG đúng hạn (≤ 10 phút) — đầu vào Bộ chỉ số 766 / share synced on time (scorecard)', query: StatsQuery }), async (req, res) => {
    const q = parseQuery(StatsQuery, req);
    const to = q.to ? new Date(dayStart(q.to).getTime() + 86_400_000) : new Date();
    const from = q.from ? dayStart(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw portalSyncError(400, 'InvalidRequestException', 'portalSync.fromAfterTo');
    sendJson(res, 200, await deps.sync.stats(await deps.units.visibleUnitIds(req.principal!), from, to));
  });
  return r;
}

/** `GET /api/dossiers/:id/portal-sync`: one dossier's sync log (records and attempts), read like the dossier. */
export function createDossierSyncLogRouter(deps: { sync: PortalSyncService; dossiers: { get(id: string, p: Principal): Promise<{ id: string }> } }): Router {
  const r = Router();
  r.get('/:id/portal-sync', guard('dossier:read'), doc({ summary: 'Nhật ký đồng bộ Cổng DVCQG của hồ sơ / the dossier\'s national-portal sync log', params: z.object({ id: z.string() }) }), async (req, res) => {
    const d = await deps.dossiers.get(String(req.params.id), req.principal!);
    sendJson(res, 200, await deps.sync.logOf(d.id));
  });
  return r;
}
