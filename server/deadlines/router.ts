import { Router } from 'express';
import { z } from 'zod';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody } from '../http/validate.js';
import type { DeadlinesService } from './service.js';

const code = z.string().min(1).max(64);
const ApologyBody = z.object({
  dossierCode: code,
  unitId: z.string().min(1).max(100),
  originalDueAt: z.string().min(1).max(40),
  newDueAt: z.string().min(1).max(40),
  reason: z.string().max(2000),
  signedBy: z.string().max(200),
  procedureName: z.string().max(500).optional(),
  agency: z.string().max(300).optional(),
  contact: z.object({ email: z.string().email().optional(), phone: z.string().regex(/^\+?[0-9]{8,15}$/).optional() }).strict(),
}).strict();

const ReminderBody = z.object({
  items: z.array(z.object({ dossierCode: z.string().max(64), dueAt: z.string().max(40), unitId: z.string().max(100) }).strict()).min(1).max(500),
}).strict();

const OverdueBody = z.object({ dossierCode: code, unitId: z.string().min(1).max(100), dueAt: z.string().min(1).max(40) }).strict();

/** `/api/apologies`: the workers' side of the watch process (service accounts only). */
export function createDeadlinesRouter(deps: { deadlines: DeadlinesService }): Router {
  const r = Router();
  r.post('/', guard('engine:external-task'), doc({ summary: 'Worker: thư xin lỗi (mẫu 04), gia hạn một lần, báo công dân / apology: the single extension, citizen told', body: ApologyBody, status: 201 }), async (req, res) => {
    const out = await deps.deadlines.issueApology(parseBody(ApologyBody, req));
    sendJson(res, out.created ? 201 : 200, { ...out.extension, created: out.created });
  });
  r.post('/reminders', guard('engine:external-task'), doc({ summary: 'Worker: nhắc hạn trước hạn giải quyết cho nhiều hồ sơ một lần (cán bộ, trưởng phòng, lãnh đạo; đề nghị lập mẫu 04) / reminders before the due date, batched', body: ReminderBody }), async (req, res) => {
    sendJson(res, 200, { items: await deps.deadlines.remind(parseBody(ReminderBody, req).items) });
  });
  r.post('/overdue', guard('engine:external-task'), doc({ summary: 'Worker: hồ sơ quá hạn — ghi nhận trễ hạn, cảnh báo, SOS / overdue: count late, warn, SOS', body: OverdueBody }), async (req, res) => {
    sendJson(res, 200, await deps.deadlines.markOverdue(parseBody(OverdueBody, req)));
  });
  return r;
}
