import { Router, type Request } from 'express';
import { z } from 'zod';
import { inputKey } from '../http/messages.js';
import { localDayStart } from '../calendar/index.js';
import { httpError } from '../http/errors.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody, parseQuery } from '../http/validate.js';
import type { TaskEvents } from './events.js';
import type { TasksService } from './service.js';

export interface TasksRouterDeps {
  tasks: TasksService;
  events: TaskEvents;
  units: { visibleUnitIds(p: NonNullable<Request['principal']>): Promise<string[] | 'all'> };
}

/** A Vietnamese calendar day (YYYY-MM-DD) as the instant its local midnight starts. */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, inputKey('input.date')).transform((s, ctx) => {
  const d = localDayStart(s);
  if (!d) ctx.addIssue({ code: 'custom', message: inputKey('input.date') });
  return d ?? new Date(0);
});

const ListQuery = z.object({
  tab: z.enum(['mine', 'group', 'due', 'unit', 'done']).default('mine'),
  procedure: z.string().max(100).optional(),
  step: z.string().max(200).optional(),
  dueState: z.enum(['on-time', 'near-due', 'overdue']).optional(),
  receivedFrom: day.optional(),
  /** Inclusive: the whole day. */
  receivedTo: day.optional(),
  code: z.string().max(100).optional(),
  applicant: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}).strict();

const AssignBody = z.object({
  username: z.string().min(1).max(100),
  reason: z.string().max(2000).optional(),
  /** Who the client saw holding the task: a different holder now answers 409 instead of overwriting. */
  expectedAssignee: z.string().max(100).nullable().optional(),
}).strict();

const CompleteBody = z.object({
  outcome: z.string().max(40).optional(),
  comment: z.string().max(4000).optional(),
  documents: z.array(z.object({ id: z.string().max(100), name: z.string().max(300) }).strict()).max(50).optional(),
}).strict();

const id = (req: Request) => String(req.params.id);

export function createTasksRouter(deps: TasksRouterDeps): Router {
  const { tasks } = deps;
  const r = Router();

  r.get('/', guard('engine:read'), doc({ summary: 'Danh sách công việc / the tasklist: one tab\'s rows and the counts of every tab', query: ListQuery }), async (req, res) => {
    const q = parseQuery(ListQuery, req);
    const filter = {
      procedure: q.procedure, step: q.step, dueState: q.dueState, code: q.code, applicant: q.applicant,
      receivedFrom: q.receivedFrom, receivedTo: q.receivedTo ? new Date(q.receivedTo.getTime() + 86_400_000) : undefined,
    };
    sendJson(res, 200, await tasks.list(req.principal!, q.tab, filter, q.page, q.pageSize));
  });

  r.get('/steps', guard('engine:read'), doc({ summary: 'Tên các bước để lọc danh sách công việc / the step names the tasklist\'s step filter offers' }), async (req, res) => {
    sendJson(res, 200, { items: await tasks.stepNames(req.principal!) });
  });

  /** Server-sent events: `event: tasks` whenever a task of the caller's units arrives, is taken or is done. */
  r.get('/events', guard('engine:read'), doc({ summary: 'Live updates (server-sent events): `tasks` when a task of your units arrives, is taken or done', responseType: 'text/event-stream' }), async (req, res) => {
    // Only an event stream client gets the stream: a plain request must not hang open.
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) throw httpError(406, 'NotAcceptable', 'http.needEventStream');
    const p = req.principal!;
    const visible = await deps.units.visibleUnitIds(p);
    const own = [...new Set(p.roles.map((x) => x.unitId))];
    deps.events.subscribe(res, { username: p.username, units: visible === 'all' ? 'all' : [...new Set([...visible, ...own])] });
  });

  r.get('/:id', guard('engine:read'), doc({ summary: 'One task: its row, the outcomes its step declares, the actions you may take' }), async (req, res) => {
    sendJson(res, 200, await tasks.get(req.principal!, id(req)));
  });
  r.post('/:id/claim', guard('engine:task'), doc({ summary: 'Nhận xử lý / claim (409 if someone else holds it)', status: 204 }), async (req, res) => {
    await tasks.claim(req.principal!, id(req));
    res.status(204).end();
  });
  r.post('/:id/unclaim', guard('engine:task'), doc({ summary: 'Trả lại / release the task to its group', status: 204 }), async (req, res) => {
    await tasks.unclaim(req.principal!, id(req));
    res.status(204).end();
  });
  r.post('/:id/assign', guard('engine:task'), doc({ summary: 'Phân công / assign (division head) or reassign with a reason', body: AssignBody, status: 204 }), async (req, res) => {
    await tasks.assign(req.principal!, id(req), parseBody(AssignBody, req));
    res.status(204).end();
  });
  r.post('/:id/complete', guard('engine:task'), doc({ summary: 'Hoàn thành bước / complete with an outcome the step declares, a comment and documents', body: CompleteBody }), async (req, res) => {
    sendJson(res, 200, await tasks.complete(req.principal!, id(req), parseBody(CompleteBody, req)));
  });
  return r;
}
