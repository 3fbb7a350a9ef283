import { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { CatalogService } from '../catalog/index.js';
import { OnlineFilingSchema, type DossierService } from '../dossiers/index.js';
import { checkUploads, type FileStore, uploadedFiles, uploadFiles } from '../files/index.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parse, parseBody, parseParams, parseQuery } from '../http/validate.js';
import { publicError, publicKey } from './messages.js';

/**
 * `/api/public`: what a citizen uses without logging in — the procedures that can be filed online,
 * online filing with component files, the dossier lookup (code + a second factor) and the rating.
 * Lookup and rating are rate-limited per IP; a wrong factor and an unknown code answer the same 404.
 */
export interface PublicRouterDeps {
  dossiers: DossierService;
  catalog: Pick<CatalogService, 'search'>;
  files: FileStore;
  /** Lookups per IP per window (default 30 per 10 minutes). */
  lookupLimit?: number;
}

const CodeParams = z.object({ code: z.string().max(40) });
const LookupQuery = z.object({ factor: z.string().regex(/^\d{4}$/, publicKey('public.factor')) }).strict();
const RatingBody = z.object({
  factor: z.string().regex(/^\d{4}$/), rating: z.enum(['satisfied', 'normal', 'dissatisfied']), comment: z.string().trim().max(1000).optional(),
}).strict();
const ProcQuery = z.object({ q: z.string().max(200).optional(), page: z.coerce.number().int().min(1).max(1000).default(1), pageSize: z.coerce.number().int().min(1).max(50).default(20) }).strict();

export function createPublicRouter(deps: PublicRouterDeps): Router {
  const r = Router();
  const limiter: RequestHandler = rateLimit({
    windowMs: 10 * 60_000, limit: deps.lookupLimit ?? 30, standardHeaders: 'draft-8', legacyHeaders: false,
    handler: (_req, _res, next) => next(publicError(429, 'TooManyRequests', 'public.tooManyLookups')),
  });
  const uploadAny = uploadFiles();

  r.get('/procedures', guard('public'), doc({ summary: 'Thủ tục nộp trực tuyến được / procedures that can be filed online', query: ProcQuery }), async (req, res) => {
    const q = parseQuery(ProcQuery, req);
    const page = await deps.catalog.search({ q: q.q, status: 'active', page: q.page, pageSize: q.pageSize });
    sendJson(res, 200, {
      ...page,
      items: page.items.filter((p) => p.onlineLevel === 'full' || p.onlineLevel === 'partial').map((p) => ({
        id: p.id, code: p.code, name: p.name, field: p.field, level: p.level, agencyId: p.agencyId, agencyName: p.agencyName,
        limit: p.limit, components: p.components, fees: p.fees, onlineLevel: p.onlineLevel,
      })),
    });
  });

  /**
   * Online filing (status 1). JSON in the `data` field (or the body when there are no files); each file
   * in a field named `component:<n>` belongs to `components[n]`. Types are checked by content.
   */
  r.post('/dossiers', guard('public'), doc({ summary: 'Nộp hồ sơ trực tuyến (trạng thái 1) kèm tệp PDF/JPEG/PNG / file a dossier online', body: OnlineFilingSchema, bodyType: 'multipart/form-data', status: 201 }), uploadAny, async (req, res) => {
    const files = uploadedFiles(req);
    let raw: unknown = req.body;
    if (typeof (req.body as { data?: unknown })?.data === 'string') {
      try {
        raw = JSON.parse((req.body as { data: string }).data);
      } catch {
        throw publicError(400, 'InvalidRequestException', 'public.dataNotJson');
      }
    }
    const input = parse(OnlineFilingSchema, raw, 'body');
    const kinds = checkUploads(files.map((f) => ({ name: f.originalname, buffer: f.buffer })));
    const slots = files.map((f) => {
      const m = /^component:(\d{1,3})$/.exec(f.fieldname);
      if (!m || Number(m[1]) >= input.components.length) throw publicError(400, 'InvalidRequestException', 'public.fileNoComponent', { file: f.originalname, field: f.fieldname });
      return Number(m[1]);
    });
    const d = await deps.dossiers.fileOnline(input, async (trx: Knex.Transaction, dossierId, components) => {
      const out = components.map((c) => ({ ...c, fileIds: [] as string[] }));
      for (let i = 0; i < files.length; i++) {
        const saved = await deps.files.save(trx, { type: 'dossier', id: dossierId }, { name: files[i]!.originalname, buffer: files[i]!.buffer, mime: kinds[i]!, label: out[slots[i]!]!.name });
        out[slots[i]!]!.fileIds.push(saved.id);
      }
      return out;
    });
    sendJson(res, 201, { code: d.code, status: d.status, filedAt: d.filedAt, files: files.length });
  });

  r.get('/dossiers/:code', guard('public'), doc({ summary: 'Tra cứu hồ sơ bằng mã và 4 số cuối điện thoại/số định danh / citizen lookup', params: CodeParams, query: LookupQuery }), limiter, async (req, res) => {
    const { code } = parseParams(CodeParams, req);
    const { factor } = parseQuery(LookupQuery, req);
    const view = await deps.dossiers.lookup(code, factor);
    if (!view) throw publicError(404, 'NotFound', 'public.noMatch');
    res.setHeader('Cache-Control', 'no-store');
    sendJson(res, 200, view);
  });

  r.post('/dossiers/:code/rating', guard('public'), doc({ summary: 'Đánh giá mức độ hài lòng (một lần, sau khi trả kết quả) / rate once after the result was returned', params: CodeParams, body: RatingBody }), limiter, async (req, res) => {
    const { code } = parseParams(CodeParams, req);
    const b = parseBody(RatingBody, req);
    if (!(await deps.dossiers.rate(code, b.factor, b))) throw publicError(404, 'NotFound', 'public.noMatch');
    sendJson(res, 200, { rated: true });
  });
  return r;
}
