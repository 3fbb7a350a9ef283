import { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { inputKey } from '../http/messages.js';
import { MAX_XML_ELEMENTS, structureProblem } from '../engine/index.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { MAX_XML_BYTES } from '../validation/index.js';
import { uploadFiles, uploadedFiles } from '../files/index.js';
import type { DecisionFiles } from './decision-files.js';
import { lifecycleError, lifecycleKey } from './messages.js';
import type { LifecycleService } from './service.js';

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, inputKey('input.date')).refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), inputKey('input.date'));
const Xml = z.string().min(1).max(MAX_XML_BYTES);
const NewVersionBody = z.object({ level: z.string().max(40).optional(), xml: Xml.optional(), fromVersionId: z.string().max(64).optional() }).strict();
const SaveBody = z.object({ xml: Xml, revision: z.number().int().min(1) }).strict();
const ApproveBody = z.object({
  decisionNumber: z.string().trim().min(1).max(100), decisionDate: DATE, signer: z.string().trim().min(1).max(200), effectiveDate: DATE,
}).strict();
const RejectBody = z.object({ comment: z.string().trim().min(1, lifecycleKey('lifecycle.rejectNeedsComment')).max(5000) }).strict();
const CommentBody = z.object({ comment: z.string().max(5000).optional() }).strict();
const ValidateBody = z.object({ xml: z.string().max(MAX_XML_BYTES), procedureId: z.string().max(64).optional(), engineCheck: z.boolean().optional() }).strict();
const MigrateBody = z.object({ fromVersionId: z.string().max(64).optional(), dryRun: z.boolean().default(true), instanceIds: z.array(z.string().max(64)).min(1).max(10_000).optional() }).strict();
const LevelQuery = z.object({ level: z.string().max(40).optional() }).strict();
const DiffQuery = z.object({ against: z.string().min(1).max(64) }).strict();

/** `/api/procedures/:id/process` and `/api/procedures/:id/versions` (mounted beside the catalogue router). */
export function createProcedureProcessRouter(deps: { lifecycle: LifecycleService }): Router {
  const { lifecycle } = deps;
  const r = Router();
  r.get('/:id/process', guard('process:read'), doc({ summary: "A procedure's process and its versions, with what the caller may do", query: LevelQuery }), async (req, res) => {
    sendJson(res, 200, await lifecycle.getProcess(String(req.params.id), parseQuery(LevelQuery, req).level, req.principal));
  });
  r.get('/:id/active-definition', guard('process:read'), doc({ summary: "A procedure's active engine definition", query: LevelQuery }), async (req, res) => {
    sendJson(res, 200, (await lifecycle.activeDefinition(String(req.params.id), parseQuery(LevelQuery, req).level)) ?? null);
  });
  r.post('/:id/versions', guard('process:draft'), doc({ summary: 'Create a draft version (BPMN XML or a template)', body: NewVersionBody }), async (req, res) => {
    sendJson(res, 201, await lifecycle.createDraft(String(req.params.id), parseBody(NewVersionBody, req), req.principal!));
  });
  return r;
}

const FileParams = z.object({ id: z.string().max(64), fileId: z.uuid() });

/**
 * `/api/process-versions`. `validateRate`: validations per user per window (default 300 a minute);
 * `decisions`: the signed decision files (absent: no such routes).
 */
export function createProcessVersionRouter(deps: { lifecycle: LifecycleService; decisions?: DecisionFiles; validateRate?: { limit: number; windowMs: number } }): Router {
  const { lifecycle, decisions } = deps;
  const r = Router();
  const validateLimiter: RequestHandler = rateLimit({
    windowMs: deps.validateRate?.windowMs ?? 60_000,
    limit: deps.validateRate?.limit ?? 300,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    validate: false,
    keyGenerator: (req) => `user:${req.principal!.userId}`,
    handler: (_req, _res, next) => next(lifecycleError(429, 'TooManyRequests', 'lifecycle.tooManyValidations')),
  });
  // Designer calls this on every change: no database write, just the findings. The work runs on the
  // validation pool's threads (one at a time per user); a model past the size caps is refused unread.
  r.post('/validate', guard('process:read'), doc({ summary: 'Validate BPMN XML (bpmnlint + domain rules)', body: ValidateBody }), validateLimiter, async (req, res) => {
    const body = parseBody(ValidateBody, req);
    const tooBig = structureProblem(body.xml);
    if (tooBig?.code === 'too-large') throw lifecycleError(413, 'PayloadTooLarge', 'lifecycle.modelTooLarge', { max: MAX_XML_ELEMENTS });
    sendJson(res, 200, await lifecycle.validate(body.xml, body.procedureId, { engineCheck: body.engineCheck, owner: req.principal!.userId }));
  });
  r.get('/:id', guard('process:read'), doc({ summary: 'One process version, with the actions the caller may take (may)' }), async (req, res) => {
    sendJson(res, 200, await lifecycle.getVersionFor(String(req.params.id), req.principal!));
  });
  r.get('/:id/running', guard('process:read'), doc({ summary: 'Dossiers running on the active version this one would replace (for the activation confirmation)' }), async (req, res) => {
    sendJson(res, 200, await lifecycle.runningOnActive(String(req.params.id), req.principal!));
  });
  r.post('/:id/discard', guard('process:draft'), doc({ summary: 'Discard a draft (kept with its history)', body: CommentBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.discard(String(req.params.id), req.principal!, parseBody(CommentBody, req).comment));
  });
  r.post('/:id/withdraw', guard('process:draft'), doc({ summary: 'Withdraw a submission: it becomes a draft again', body: CommentBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.withdraw(String(req.params.id), req.principal!, parseBody(CommentBody, req).comment));
  });
  r.put('/:id', guard('process:draft'), doc({ summary: 'Save a draft', body: SaveBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.saveDraft(String(req.params.id), parseBody(SaveBody, req), req.principal!));
  });
  r.post('/:id/submit', guard('process:draft'), doc({ summary: 'Submit a draft for approval', body: CommentBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.submit(String(req.params.id), req.principal!, parseBody(CommentBody, req).comment));
  });
  r.post('/:id/approve', guard('process:approve'), doc({ summary: 'Approve a version (four-eyes)', body: ApproveBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.approve(String(req.params.id), parseBody(ApproveBody, req), req.principal!));
  });
  r.post('/:id/reject', guard('process:approve'), doc({ summary: 'Reject a version with a reason', body: RejectBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.reject(String(req.params.id), parseBody(RejectBody, req).comment, req.principal!));
  });
  r.post('/:id/activate', guard('process:activate'), doc({ summary: 'Activate an approved version (now or at a date)', body: CommentBody }), async (req, res) => {
    parseBody(CommentBody, req);
    const v = await lifecycle.activate(String(req.params.id), req.principal!);
    sendJson(res, v.scheduled ? 202 : 200, v);
  });
  r.post('/:id/retire', guard('process:activate'), doc({ summary: 'Retire an active version', body: CommentBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.retire(String(req.params.id), req.principal!, parseBody(CommentBody, req).comment));
  });
  // Administrators only; dry run unless `dryRun: false` (with `fromVersionId`) is sent explicitly.
  r.post('/:id/migrate', guard('process:migrate'), doc({ summary: 'Migrate running instances to this version', body: MigrateBody }), async (req, res) => {
    sendJson(res, 200, await lifecycle.migrate(String(req.params.id), parseBody(MigrateBody, req), req.principal!));
  });
  r.get('/:id/history', guard('process:read'), doc({ summary: "A version's decision history" }), async (req, res) => {
    sendJson(res, 200, await lifecycle.history(String(req.params.id)));
  });
  if (decisions) {
    r.get('/:id/decision-files', guard('process:read'), doc({ summary: "The signed decision(s) attached to a version, newest first" }), async (req, res) => {
      sendJson(res, 200, { items: await decisions.list(String(req.params.id), req.principal!) });
    });
    r.post('/:id/decision-files', guard('process:approve'), doc({ summary: 'Attach the signed decision (PDF, by content) to an approved version', bodyType: 'multipart/form-data', status: 201 }), uploadFiles({ fields: 2 }), async (req, res) => {
      const uploads = uploadedFiles(req);
      if (uploads.length !== 1) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.noFile');
      sendJson(res, 201, await decisions.attach(String(req.params.id), { name: uploads[0]!.originalname, buffer: uploads[0]!.buffer }, req.principal!));
    });
    r.get('/:id/decision-files/:fileId', guard('process:read'), doc({ summary: 'Download a signed decision', params: FileParams, responseType: 'application/pdf' }), async (req, res) => {
      const { id, fileId } = parseParams(FileParams, req);
      const { file, body } = await decisions.read(id, fileId, req.principal!);
      const ascii = file.fileName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^A-Za-z0-9._-]+/g, '_');
      res.setHeader('Content-Type', file.mime);
      res.setHeader('Content-Length', String(body.length));
      res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
      res.end(body);
    });
  }
  r.get('/:id/diff', guard('process:read'), doc({ summary: 'Diff against another version', query: DiffQuery }), async (req, res) => {
    sendJson(res, 200, await lifecycle.diff(String(req.params.id), parseQuery(DiffQuery, req).against));
  });
  return r;
}

/** `/api/review-inbox` and `/api/processes/needs-review`. */
export function createReviewInboxRouter(deps: { lifecycle: LifecycleService }): Router {
  const r = Router();
  r.get('/', guard('process:approve'), doc({ summary: 'Versions waiting for my review' }), async (req, res) => sendJson(res, 200, await deps.lifecycle.reviewInbox(req.principal!)));
  return r;
}

export function createProcessesRouter(deps: { lifecycle: LifecycleService }): Router {
  const r = Router();
  r.get('/needs-review', guard('process:read'), doc({ summary: 'Active processes that need review after role changes' }), async (_req, res) => sendJson(res, 200, await deps.lifecycle.needsReview()));
  return r;
}
