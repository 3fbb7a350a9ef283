import type { Request, Router } from 'express';
import { z } from 'zod';
import { normaliseVariables, type EngineService, type TaskQuery } from '../engine/index.js';
import { ApiError } from '../http/errors.js';
import { sendJson } from '../http/json.js';
import { guard } from '../http/policy.js';
import { parseBody, parseQuery } from '../http/validate.js';
import { bool, date, id, noContent, page, userOf, vars, wrap } from './common.js';
import { taskDto } from './dto.js';
import { taskReadScopeOf, taskScopeOf, type UnitVisibility } from './scope.js';
import { checkAssignee, checkHolder, type Directory } from './write-scope.js';

export interface TaskRoutesDeps {
  engine: EngineService;
  units: UnitVisibility & Directory;
  onPersonalDataRead?: (req: Request, target: { type: 'process-instance' | 'task' | 'external-task'; id: string }) => void;
}

const TaskQuerySchema = z.object({
  assignee: z.string().optional(),
  candidateGroup: z.string().optional(),
  candidateUser: z.string().optional(),
  unassigned: bool.optional(),
  processInstanceId: z.string().optional(),
  processInstanceBusinessKey: z.string().optional(),
  processDefinitionKey: z.string().optional(),
  taskDefinitionKey: z.string().optional(),
  dueBefore: date.optional(),
  dueAfter: date.optional(),
  sortBy: z.enum(['created', 'dueDate', 'priority', 'name', 'assignee', 'id', 'followUpDate']).optional(),
  sortOrder: z.enum(['asc', 'desc']).optional(),
  ...page,
}).strict();

const username = z.string().min(1).max(255);
// Built once: a zod schema costs more to build than to run.
const ClaimBody = z.object({ userId: username }).strict();
const AssigneeBody = z.object({ userId: username.nullable() }).strict();
const CompleteBody = z.object({ variables: vars, withVariablesInReturn: z.boolean().optional() }).strict();

/**
 * /task: reads within the caller's read scope; every write first finds the task in the caller's act
 * scope (another unit's task answers 404 like an unknown one), then checks who may hold it.
 */
export function registerTaskRoutes(r: Router, deps: TaskRoutesDeps): void {
  const { engine } = deps;
  const readScope = (req: Request) => taskReadScopeOf(req.principal!, deps.units);

  r.get('/task', guard('engine:read'), wrap(async (req, res) => {
    const q: TaskQuery = parseQuery(TaskQuerySchema, req);
    sendJson(res, 200, (await engine.listTasks(q, await readScope(req))).map(taskDto));
  }));
  r.get('/task/count', guard('engine:read'), wrap(async (req, res) => {
    const q: TaskQuery = parseQuery(TaskQuerySchema, req);
    sendJson(res, 200, { count: await engine.countTasks(q, await readScope(req)) });
  }));
  r.get('/task/:id', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, taskDto(await engine.getTask(id(req), await readScope(req))));
  }));
  r.get('/task/:id/variables', guard('engine:read'), wrap(async (req, res) => {
    const variables = await engine.getTaskVariables(id(req), await readScope(req));
    deps.onPersonalDataRead?.(req, { type: 'task', id: id(req) });
    sendJson(res, 200, variables);
  }));

  r.post('/task/:id/claim', guard('engine:task'), wrap(async (req, res) => {
    const { userId } = parseBody(ClaimBody, req);
    const p = req.principal!;
    const scope = taskScopeOf(p);
    // Users claim for themselves; only administrators may claim on someone else's behalf, for a candidate.
    if (!('all' in scope) && userId !== p.username) throw new ApiError(403, 'AuthorizationException', `You may only claim tasks for yourself (${p.username})`);
    const task = await engine.getTask(id(req), scope);
    if ('all' in scope) await checkAssignee(deps.units, task, userId);
    await engine.claimTask(id(req), userId, scope);
    noContent(res);
  }));
  r.post('/task/:id/unclaim', guard('engine:task'), wrap(async (req, res) => {
    const scope = taskScopeOf(req.principal!);
    checkHolder(req.principal!, await engine.getTask(id(req), scope));
    await engine.unclaimTask(id(req), userOf(req), scope);
    noContent(res);
  }));
  r.post('/task/:id/assignee', guard('engine:task'), wrap(async (req, res) => {
    const { userId } = parseBody(AssigneeBody, req);
    const scope = taskScopeOf(req.principal!);
    const task = await engine.getTask(id(req), scope);
    checkHolder(req.principal!, task);
    if (userId !== null) await checkAssignee(deps.units, task, userId);
    await engine.setAssignee(id(req), userId, userOf(req), scope);
    noContent(res);
  }));
  r.post('/task/:id/complete', guard('engine:task'), wrap(async (req, res) => {
    const body = parseBody(CompleteBody, req);
    const scope = taskScopeOf(req.principal!);
    // The command finds the task in the caller's scope itself (404 otherwise): no read before it.
    const { processInstanceId } = await engine.completeTask(id(req), { variables: normaliseVariables(body.variables), userId: userOf(req) }, scope);
    if (!body.withVariablesInReturn) return noContent(res);
    const variables = await engine.getVariables(processInstanceId);
    deps.onPersonalDataRead?.(req, { type: 'task', id: id(req) });
    sendJson(res, 200, variables);
  }));
}
