import type { Request } from 'express';
import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { inputKey } from '../http/messages.js';
import { localDayStart } from '../calendar/index.js';
import { sendDocument } from '../documents/index.js';
import { idempotencyKeyOf } from '../http/idempotency.js';
import { doc } from '../http/openapi.js';
import { sendJson } from '../http/json.js';
import { guard } from '../http/policy.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { buildForm, type FormNo } from './forms.js';
import { ReceiveSchema, type DossierService } from './service.js';
import type { DossierQuery } from './types.js';
import { dossierError, dossierKey } from './messages.js';

export interface DossierRouterDeps {
  dossiers: DossierService;
  /** Records a read of a dossier's personal data in the audit trail (NĐ 13/2023). */
  recordAccess: (db: Knex, req: Request, target: { type: string; id: string }) => Promise<void>;
  knex: Knex;
  formContext: (unitId: string, createdBy: string | null) => Promise<{ unitName: string; parentUnitName?: string; place?: string; officerName?: string }>;
}

const Id = z.object({ id: z.uuid(dossierKey('dossiers.notADossierId')) });
const StatusList = z.string().regex(/^(10|[1-9])(,(10|[1-9]))*$/, 'status: comma-separated codes 1–10').transform((s) => s.split(',').map(Number));
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, inputKey('input.date'));

const ListQuery = z.object({
  status: StatusList.optional(),
  procedureId: z.uuid().optional(),
  unitId: z.string().max(64).optional(),
  dueState: z.enum(['on-time', 'near-due', 'overdue', 'paused']).optional(),
  from: Day.optional(),
  to: Day.optional(),
  code: z.string().max(64).optional(),
  applicant: z.string().max(200).optional(),
  channel: z.enum(['in-person', 'online', 'post']).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}).strict();

const Items = z.array(z.string().trim().min(1).max(500)).min(1, dossierKey('dossiers.listOneItem')).max(50);
const SupplementBody = z.object({ items: Items, reason: z.string().trim().max(2000).default('') }).strict();
const SupplementReceivedBody = z.object({
  components: z.array(z.object({ name: z.string().trim().min(1).max(500), copyType: z.enum(['original', 'copy', 'either']).optional(), quantity: z.number().int().min(1).max(100).optional() }).strict()).max(100).default([]),
}).strict();
const RefuseBody = z.object({ reasons: z.array(z.string().trim().min(1).max(1000)).min(1, dossierKey('dossiers.oneReason')).max(20) }).strict();
const ReasonBody = z.object({ reason: z.string().trim().min(3, dossierKey('dossiers.giveReason')).max(2000) }).strict();
const ReturnBody = z.object({ collectionMethod: z.enum(['in-person', 'post', 'online']) }).strict();
const ExtensionBody = z.object({ newDueAt: z.iso.datetime({ offset: true }), reason: z.string().trim().min(3).max(2000) }).strict();
const FormParams = z.object({ id: z.uuid(), file: z.string().regex(/^(01|02|03|05)\.(pdf|docx)$/, dossierKey('dossiers.formFile')) });
const AgencyBody = z.object({ agencyCode: z.string().trim().toUpperCase().nullable() }).strict();

/** Vietnamese calendar day → the instant of its local midnight (server/calendar/time.ts). */
function dayStart(day: string): Date {
  const d = localDayStart(day);
  if (!d) throw dossierError(400, 'InvalidRequestException', 'dossiers.notADate', { day });
  return d;
}

/**
 * `/api/dossiers`: reception and the dossier's transitions as commands. Every route is guarded and
 * unit-scoped in the service (another unit's dossier answers 404 like an unknown one); every read of
 * a dossier's personal data is audited.
 */
export function createDossierRouter(deps: DossierRouterDeps): Router {
  const { dossiers } = deps;
  const r = Router();

  r.get('/', guard('dossier:read'), doc({ summary: 'Danh sách hồ sơ (lọc, phân trang; số định danh và điện thoại bị che) / dossier list, masked', query: ListQuery }), async (req, res) => {
    const q = parseQuery(ListQuery, req);
    const query: DossierQuery = {
      status: q.status as DossierQuery['status'], procedureId: q.procedureId, unitId: q.unitId, dueState: q.dueState,
      receivedFrom: q.from ? dayStart(q.from) : undefined,
      receivedTo: q.to ? new Date(dayStart(q.to).getTime() + 86_400_000) : undefined,
      code: q.code, applicant: q.applicant, channel: q.channel, page: q.page, pageSize: q.pageSize,
    };
    sendJson(res, 200, await dossiers.list(query, req.principal!));
  });

  r.post('/', guard('dossier:receive'), doc({ summary: 'Tiếp nhận trực tiếp: tiếp nhận (2→4, mẫu 01), yêu cầu bổ sung (5, mẫu 02) hoặc từ chối (3, mẫu 03) / receive in person', body: ReceiveSchema, status: 201 }), async (req, res) => {
    const d = await dossiers.receive(parseBody(ReceiveSchema, req), req.principal!, {
      idempotencyKey: idempotencyKeyOf(req), onReplay: () => res.setHeader('Idempotent-Replayed', 'true'),
    });
    sendJson(res, 201, d);
  });

  r.get('/by-code/:code', guard('dossier:read'), doc({ summary: 'Hồ sơ theo mã (đọc dữ liệu cá nhân được ghi nhật ký) / dossier by code (audited)', params: z.object({ code: z.string() }) }), async (req, res) => {
    const code = String(req.params.code);
    if (!/^[A-Z0-9.]{1,20}-\d{6}-\d{1,6}$/.test(code)) throw dossierError(400, 'InvalidRequestException', 'dossiers.notACode');
    const d = await dossiers.getByCode(code, req.principal!);
    await deps.recordAccess(deps.knex, req, { type: 'dossier', id: d.id });
    sendJson(res, 200, { ...d, dueState: dossiers.dueState(d)?.state ?? null });
  });

  r.get('/:id', guard('dossier:read'), doc({ summary: 'Một hồ sơ (đọc dữ liệu cá nhân được ghi nhật ký) / one dossier (audited)', params: Id }), async (req, res) => {
    const { id } = parseParams(Id, req);
    const d = await dossiers.get(id, req.principal!);
    await deps.recordAccess(deps.knex, req, { type: 'dossier', id });
    sendJson(res, 200, { ...d, dueState: dossiers.dueState(d)?.state ?? null });
  });

  r.get('/:id/timeline', guard('dossier:read'), doc({ summary: 'Lịch sử trạng thái và sự kiện / status history and events', params: Id }), async (req, res) => {
    const { id } = parseParams(Id, req);
    sendJson(res, 200, await dossiers.timeline(id, req.principal!));
  });

  r.get('/:id/forms/:file', guard('dossier:read'), doc({ summary: 'Mẫu 01/02/03/05 (PDF hoặc DOCX) từ dữ liệu đã lưu / forms as PDF or DOCX', params: FormParams, responseType: 'application/pdf' }), async (req, res) => {
    const { id, file } = parseParams(FormParams, req);
    const [no, format] = file.split('.') as [FormNo, 'pdf' | 'docx'];
    const d = await dossiers.get(id, req.principal!);
    await deps.recordAccess(deps.knex, req, { type: 'dossier', id });
    const doc = buildForm(no, d, await deps.formContext(d.unitId, d.createdBy));
    await sendDocument(res, doc, format, `mau-${no}-${d.code}`);
  });

  r.post('/:id/accept', guard('dossier:receive'), doc({ summary: 'Tiếp nhận hồ sơ trực tuyến (1→2→4) / accept an online dossier', params: Id }), async (req, res) => {
    sendJson(res, 200, await dossiers.accept(parseParams(Id, req).id, req.principal!, {
      idempotencyKey: idempotencyKeyOf(req), onReplay: () => res.setHeader('Idempotent-Replayed', 'true'),
    }));
  });
  r.post('/:id/supplement-request', guard('dossier:receive'), doc({ summary: 'Yêu cầu bổ sung một lần (5, mẫu 02; dừng tính thời gian) / request a supplement once', params: Id, body: SupplementBody }), async (req, res) => {
    sendJson(res, 200, await dossiers.requestSupplement(parseParams(Id, req).id, parseBody(SupplementBody, req), req.principal!));
  });
  r.post('/:id/supplement-received', guard('dossier:receive'), doc({ summary: 'Đã nhận bổ sung: tiếp tục xử lý / supplement received', params: Id, body: SupplementReceivedBody }), async (req, res) => {
    sendJson(res, 200, await dossiers.receiveSupplement(parseParams(Id, req).id, parseBody(SupplementReceivedBody, req), req.principal!));
  });
  r.post('/:id/refuse', guard('dossier:receive'), doc({ summary: 'Từ chối tiếp nhận (3, mẫu 03) / refuse', params: Id, body: RefuseBody }), async (req, res) => {
    sendJson(res, 200, await dossiers.refuse(parseParams(Id, req).id, parseBody(RefuseBody, req), req.principal!));
  });
  r.post('/:id/withdraw', guard('dossier:receive'), doc({ summary: 'Công dân rút hồ sơ (7) / withdrawn at the citizen’s request', params: Id, body: ReasonBody }), async (req, res) => {
    sendJson(res, 200, await dossiers.withdraw(parseParams(Id, req).id, parseBody(ReasonBody, req), req.principal!));
  });
  r.post('/:id/stop', guard('dossier:receive'), doc({ summary: 'Dừng xử lý (8, mẫu 05) / stop', params: Id, body: ReasonBody }), async (req, res) => {
    sendJson(res, 200, await dossiers.stop(parseParams(Id, req).id, parseBody(ReasonBody, req), req.principal!));
  });
  r.post('/:id/return', guard('dossier:receive'), doc({ summary: 'Đã trả kết quả (10) và hình thức nhận / result returned', params: Id, body: ReturnBody }), async (req, res) => {
    sendJson(res, 200, await dossiers.returnResult(parseParams(Id, req).id, parseBody(ReturnBody, req), req.principal!));
  });
  /** Resolved (9) by a service account or administrator when the result is ready outside the process (normally the resolution poller does it). */
  r.post('/:id/resolve', guard('dossier:process'), doc({ summary: 'Đã xử lý xong (9) / resolved', params: Id }), async (req, res) => {
    const { id } = parseParams(Id, req);
    await dossiers.get(id, req.principal!);
    const p = req.principal!;
    sendJson(res, 200, await dossiers.markResolved(id, { id: p.userId, name: p.displayName || p.username }, undefined, true));
  });
  /** The one extension (the apology flow of the workers issue calls the service directly; this is its manual form). */
  r.post('/:id/extension', guard('dossier:process'), doc({ summary: 'Hẹn lại ngày trả kết quả (một lần) / the one extension', params: Id, body: ExtensionBody }), async (req, res) => {
    const { id } = parseParams(Id, req);
    const b = parseBody(ExtensionBody, req);
    await dossiers.get(id, req.principal!);
    const p = req.principal!;
    sendJson(res, 200, await dossiers.setExtension(id, { newDueAt: new Date(b.newDueAt), reason: b.reason }, { id: p.userId, name: p.displayName || p.username }));
  });
  return r;
}

/** `PUT /api/units/:id/agency-code`: the administrator sets the code that starts the unit's dossier codes. */
export function createAgencyCodeRouter(deps: { dossiers: DossierService }): Router {
  const r = Router();
  r.put('/:id/agency-code', guard('identity:admin'), doc({ summary: 'Mã cơ quan dùng trong mã hồ sơ / agency code used in dossier codes', params: z.object({ id: z.string() }), body: AgencyBody }), async (req, res) => {
    const id = String(req.params.id);
    const { agencyCode } = parseBody(AgencyBody, req);
    await deps.dossiers.setAgencyCode(id, agencyCode || null);
    sendJson(res, 200, { unitId: id, agencyCode: agencyCode || null });
  });
  return r;
}
