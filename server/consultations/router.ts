import { Router, type Request } from 'express';
import { z } from 'zod';
import { uploadedFiles, uploadFiles } from '../files/index.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parse, parseBody, parseParams, parseQuery } from '../http/validate.js';
import { OPINIONS, type ConsultationService } from './service.js';
import { consultationError, consultationKey } from './messages.js';

const code = z.string().min(1).max(64);
const stepKey = z.string().min(1).max(200).regex(/^[\p{L}\p{N}._:-]+$/u, consultationKey('consultations.stepKey'));
const docRef = z.object({ id: z.string().min(1).max(100), name: z.string().min(1).max(300) }).strict();
const text = (max: number) => z.string().max(max);

const OpenBody = z.object({
  dossierCode: code,
  stepKey,
  processInstanceId: z.string().max(64).optional(),
  processDefinitionId: z.string().max(300).optional(),
  consultAgency: z.string().max(300).optional(),
  replyDeadline: z.string().max(20).optional(),
  question: text(4000).optional(),
  documents: z.array(docRef).max(50).optional(),
  requestingUnitId: z.string().max(100).optional(),
}).strict();

const ReplyBody = z.object({
  opinion: z.enum(OPINIONS, { message: consultationKey('consultations.opinion') }),
  text: text(8000),
  explanation: text(8000).optional(),
  documents: z.array(docRef).max(50).optional(),
}).strict();

const HandBody = ReplyBody.extend({
  receivedAt: z.string().max(40).optional(),
  receivedVia: z.enum(['email', 'paper']),
}).strict();

const RemindBody = z.object({ dueAt: z.string().min(1).max(40) }).strict();
const AgencyBody = z.object({
  id: z.string().min(2).max(100).regex(/^[a-z0-9][a-z0-9-]*$/, consultationKey('consultations.agencyId')),
  name: z.string().min(2).max(300),
  email: z.string().email().max(200).nullable(),
}).strict();
const ListQuery = z.object({
  side: z.enum(['incoming', 'outgoing']).default('incoming'),
  status: z.enum(['open', 'answered']).optional(),
  dossierCode: code.optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}).strict();
const IdParams = z.object({ id: z.string().uuid(consultationKey('consultations.notAnId')) });
const FileParams = IdParams.extend({ fileId: z.string().uuid() });

/** JSON, or multipart/form-data with the same fields plus files (PDF, JPEG, PNG, checked by content). */
const uploads = () => uploadFiles({ fields: 8 });
const filesOf = (req: Request) => uploadedFiles(req).map((f) => ({ name: f.originalname, buffer: f.buffer }));

/** Multipart fields arrive as strings: empty optional ones are absent; `documents` is JSON. */
function replyFields(req: Request): Record<string, unknown> {
  const b = { ...(req.body ?? {}) } as Record<string, unknown>;
  if (!req.is('multipart/form-data')) return b;
  for (const k of Object.keys(b)) if (b[k] === '') delete b[k];
  if (typeof b.documents === 'string') {
    try { b.documents = JSON.parse(b.documents); } catch { throw consultationError(400, 'InvalidRequestException', 'consultations.documentsNotJson'); }
  }
  return b;
}

/**
 * `/api/consultations` (lấy ý kiến): the worker opens and reminds; the consulted unit's staff list and
 * answer; an officer of the requesting unit records an outside agency's reply by hand.
 */
export function createConsultationsRouter(deps: { consultations: ConsultationService; onRead?: (req: Request, id: string) => void }): Router {
  const { consultations } = deps;
  const r = Router();

  r.get('/', guard('engine:read'), doc({ summary: 'Đề nghị lấy ý kiến gửi đến đơn vị tôi (incoming) hoặc do đơn vị tôi gửi (outgoing) / consultations of my units', query: ListQuery }), async (req, res) => {
    sendJson(res, 200, await consultations.list(req.principal!, parseQuery(ListQuery, req)));
  });

  r.get('/agencies', guard('engine:read'), doc({ summary: 'Cơ quan ngoài hệ thống được lấy ý kiến qua thư điện tử / outside agencies consulted by email' }), async (_req, res) => {
    sendJson(res, 200, await consultations.agencies());
  });

  r.post('/agencies', guard('identity:admin'), doc({ summary: 'Thêm/sửa cơ quan ngoài hệ thống (tên, thư điện tử) / add or change an outside agency', body: AgencyBody }), async (req, res) => {
    sendJson(res, 200, await consultations.saveAgency(parseBody(AgencyBody, req)));
  });

  r.post('/', guard('engine:external-task'), doc({ summary: 'Worker: mở đề nghị lấy ý kiến (idempotent theo hồ sơ + bước) / open a consultation, idempotent on dossier + step', body: OpenBody, status: 201 }), async (req, res) => {
    const out = await consultations.open(parseBody(OpenBody, req));
    sendJson(res, out.created ? 201 : 200, { ...out.consultation, created: out.created });
  });

  r.get('/:id', guard('engine:read'), doc({ summary: 'Một đề nghị lấy ý kiến: câu hỏi, tài liệu, trả lời, diễn biến / one consultation', params: IdParams }), async (req, res) => {
    const { id } = parseParams(IdParams, req);
    const c = await consultations.get(req.principal!, id);
    deps.onRead?.(req, id);
    sendJson(res, 200, c);
  });

  r.post('/:id/reply', guard('engine:task'), doc({ summary: 'Đơn vị được lấy ý kiến trả lời (quá hạn: bắt buộc giải trình) / the consulted unit replies; late needs an explanation', params: IdParams, body: ReplyBody, bodyType: 'multipart/form-data' }), uploads(), async (req, res) => {
    const { id } = parseParams(IdParams, req);
    const body = parse(ReplyBody, replyFields(req), 'body');
    sendJson(res, 200, await consultations.reply(req.principal!, id, body, filesOf(req)));
  });

  r.post('/:id/record', guard('engine:task'), doc({ summary: 'Ghi nhận trả lời của cơ quan ngoài hệ thống (thư điện tử/văn bản giấy) / record an outside agency\'s reply by hand', params: IdParams, body: HandBody, bodyType: 'multipart/form-data' }), uploads(), async (req, res) => {
    const { id } = parseParams(IdParams, req);
    const body = parse(HandBody, replyFields(req), 'body');
    sendJson(res, 200, await consultations.recordByHand(req.principal!, id, body, filesOf(req)));
  });

  r.post('/:id/remind', guard('engine:external-task'), doc({ summary: 'Worker: nhắc trả lời quá hạn (một lần mỗi ngày làm việc) / overdue reminder, once per working day', params: IdParams, body: RemindBody }), async (req, res) => {
    const { id } = parseParams(IdParams, req);
    sendJson(res, 200, await consultations.remind(id, parseBody(RemindBody, req).dueAt));
  });

  r.get('/:id/files/:fileId', guard('engine:read'), doc({ summary: 'Tệp đính kèm trả lời / a reply\'s attached file', params: FileParams, responseType: 'application/octet-stream' }), async (req, res) => {
    const { id, fileId } = parseParams(FileParams, req);
    const f = await consultations.file(req.principal!, id, fileId);
    deps.onRead?.(req, id);
    res.setHeader('Content-Type', f.file.mime);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.file.fileName)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(f.body);
  });
  return r;
}
