import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { sendDocument } from '../documents/index.js';
import type { Dossier, FormContext } from '../dossiers/index.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard, type Principal } from '../http/policy.js';
import { parseBody, parseParams } from '../http/validate.js';
import { apologyRecordOf, buildForm04 } from './form04.js';
import type { DeadlinesService } from './service.js';
import { deadlineError, deadlineKey } from './messages.js';

/** The watch process's step where the leader writes and signs the apology (server/deadlines/watch.ts). */
const APOLOGY_STEP = 'WriteApology';

export interface ApologyFormDeps {
  deadlines: DeadlinesService;
  dossiers: { get(id: string, p: Principal): Promise<Dossier>; getByCode(code: string, p: Principal): Promise<Dossier> };
  formContext: (unitId: string, createdBy: string | null) => Promise<FormContext>;
  recordAccess: (db: Knex, req: Request, target: { type: string; id: string }) => Promise<void>;
  knex: Knex;
  tasks: {
    get(p: Principal, id: string): Promise<{ task: { code: string | null; step: { key: string } }; actions: string[] }>;
    complete(p: Principal, id: string, input: { comment?: string }, extra: Record<string, { value: unknown; type: string }>): Promise<unknown>;
  };
}

const FormParams = z.object({ id: z.string(), file: z.string() });
const TaskParams = z.object({ taskId: z.string().min(1).max(100) });
const SignBody = z.object({
  reason: z.string().trim().min(3, deadlineKey('deadlines.giveDelayReason')).max(2000),
  newDueAt: z.iso.datetime({ offset: true, error: deadlineKey('deadlines.newDueInstant') }),
}).strict();

/**
 * Form 04 from the recorded apology, `GET /api/dossiers/:id/forms/04.pdf|docx` (mounted before the
 * dossier router; other form numbers fall through to it), unit-scoped and audited like forms 01–05.
 */
export function createApologyFormRouter(deps: Omit<ApologyFormDeps, 'tasks'>): Router {
  const r = Router();
  r.get('/:id/forms/:file', guard('dossier:read'), doc({ summary: 'Mẫu 04: phiếu xin lỗi và hẹn lại ngày trả kết quả (PDF hoặc DOCX) / form 04, the apology', params: FormParams, responseType: 'application/pdf' }), async (req, res, next) => {
    const m = /^04\.(pdf|docx)$/.exec(String(req.params.file));
    if (!m) return next();
    const { id } = parseParams(FormParams, req);
    const d = await deps.dossiers.get(id, req.principal!);
    await deps.recordAccess(deps.knex, req, { type: 'dossier', id });
    const record = apologyRecordOf(d, await deps.deadlines.extensionOf(d.code));
    await sendDocument(res, buildForm04(d, record, await deps.formContext(d.unitId, d.createdBy)), m[1] as 'pdf' | 'docx', `mau-04-${d.code}`);
  });
  return r;
}

/**
 * `POST /api/apologies/tasks/:taskId`: the leader signs the apology on the watch's "write the apology"
 * task. The date rules and the single extension are checked first (4xx, nothing written); then the
 * task completes with `apologyReason`, `apologyNewDueAt`, `apologySignedBy`, and the
 * `tthc.apology.issue` worker issues it (extension, form 04, citizen told).
 */
export function createApologySignRouter(deps: Pick<ApologyFormDeps, 'deadlines' | 'dossiers' | 'tasks'>): Router {
  const r = Router();
  r.post('/tasks/:taskId', guard('engine:task'), doc({ summary: 'Lãnh đạo ký thư xin lỗi (mẫu 04): lý do, ngày hẹn mới / the leader signs the apology', params: TaskParams, body: SignBody }), async (req, res) => {
    const { taskId } = parseParams(TaskParams, req);
    const body = parseBody(SignBody, req);
    const p = req.principal!;
    const t = await deps.tasks.get(p, taskId);
    if (t.task.step.key !== APOLOGY_STEP || !t.task.code) throw deadlineError(400, 'InvalidRequestException', 'deadlines.notApologyStep');
    if (!t.actions.includes('complete')) throw deadlineError(404, 'NotFound', 'deadlines.taskNotFound', { id: taskId });
    const d = await deps.dossiers.getByCode(t.task.code, p);
    if (!d.dueAt) throw deadlineError(400, 'InvalidRequestException', 'deadlines.noDueDate', { code: d.code });
    const signedBy = p.displayName || p.username;
    await deps.deadlines.checkApology({ dossierCode: d.code, unitId: d.unitId, originalDueAt: d.dueAt, newDueAt: body.newDueAt, reason: body.reason, signedBy });
    await deps.tasks.complete(p, taskId, { comment: body.reason }, {
      apologyReason: { value: body.reason, type: 'String' },
      apologyNewDueAt: { value: new Date(body.newDueAt).toISOString(), type: 'String' },
      apologySignedBy: { value: signedBy, type: 'String' },
    });
    sendJson(res, 200, { dossierId: d.id, dossierCode: d.code, newDueAt: body.newDueAt, signedBy });
  });
  return r;
}
