import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { EngineService } from '../engine/service.js';
import type { FetchAndLockInput, TaskQuery } from '../engine/types.js';
import { formatDate, normaliseVariables, parseCamundaDate } from '../engine/values.js';
import { ApiError, badRequest } from '../http/errors.js';
import { sendJson } from '../http/json.js';
import { guard } from '../http/policy.js';
import { parseBody, parseQuery } from '../http/validate.js';
import {
  activityInstances, definitionDto, externalTaskDto, historicInstanceDto, historicTasks, incidentDto, instanceDto, lockedTaskDto, taskDto,
} from './dto.js';
import { canReadUnit, instanceUnitsOf, taskReadScopeOf, taskScopeOf, type UnitVisibility } from './scope.js';
import { multipartTextGuard } from '../http/input.js';

export interface EngineRestDeps {
  engine: EngineService;
  /** Unit tree for read scoping (leaders see sub-units, inspectors all); without it callers read only their own units. */
  units?: UnitVisibility;
  /** Told of every read of process variables, which hold citizens' personal data (the audit trail records it). */
  onPersonalDataRead?: (req: Request, target: { type: 'process-instance' | 'task'; id: string }) => void;
  /** Largest BPMN upload accepted (bytes). */
  maxUploadBytes?: number;
}

const MAX_UPLOAD = 5 * 1024 * 1024;
const vars = z.record(z.string(), z.unknown()).optional().nullable();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const int = z.coerce.number().int().min(0);
const date = z.string().transform((s, ctx) => {
  const d = parseCamundaDate(s);
  if (!d) ctx.addIssue({ code: 'custom', message: "expected a date like 2026-01-31T08:00:00.000+0700" });
  return d ?? new Date(0);
});
const page = { firstResult: int.optional(), maxResults: int.max(1000).optional() };
const id = (req: Request) => String(req.params.id);
const userOf = (req: Request) => req.principal?.username ?? null;

function noContent(res: Response): void {
  res.status(204).end();
}

const StartBody = z.object({
  businessKey: z.string().max(255).optional().nullable(),
  variables: vars,
  withVariablesInReturn: z.boolean().optional(),
  caseInstanceId: z.string().optional().nullable(),
  skipCustomListeners: z.boolean().optional(),
  skipIoMappings: z.boolean().optional(),
}).strict();

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

const FetchBody = z.object({
  workerId: z.string().min(1).max(255),
  maxTasks: z.number().int().min(0).max(1000),
  usePriority: z.boolean().optional().nullable(),
  asyncResponseTimeout: z.number().int().min(0).max(1_800_000).optional().nullable(),
  sorting: z.array(z.unknown()).optional().nullable(),
  topics: z.array(z.object({
    topicName: z.string().min(1),
    lockDuration: z.number().int().min(1),
    variables: z.array(z.string()).optional().nullable(),
    localVariables: z.boolean().optional().nullable(),
    businessKey: z.string().optional().nullable(),
    processDefinitionKey: z.string().optional().nullable(),
    processDefinitionKeyIn: z.array(z.string()).optional().nullable(),
    processDefinitionId: z.string().optional().nullable(),
    deserializeValues: z.boolean().optional().nullable(),
    includeExtensionProperties: z.boolean().optional().nullable(),
    withoutTenantId: z.boolean().optional().nullable(),
    tenantIdIn: z.array(z.string()).optional().nullable(),
  }).passthrough()).default([]),
}).strict();

const ModificationBody = z.object({
  skipCustomListeners: z.boolean().optional(), skipIoMappings: z.boolean().optional(), annotation: z.string().max(4000).optional().nullable(),
  instructions: z.array(z.object({
    type: z.enum(['startBeforeActivity', 'startAfterActivity', 'cancel']),
    activityId: z.string().min(1).max(255).optional().nullable(), activityInstanceId: z.string().min(1).max(255).optional().nullable(),
    variables: vars, cancelCurrentActiveActivityInstances: z.boolean().optional(),
  }).strict().refine((i) => Boolean(i.activityId || (i.type === 'cancel' && i.activityInstanceId)), { message: 'each instruction names an activityId (or, to cancel, an activityInstanceId)' })).min(1).max(100),
}).strict();
const SignalBody = z.object({ name: z.string().min(1).max(255), variables: vars, executionId: z.string().optional().nullable(), tenantId: z.string().optional().nullable(), withoutTenantId: z.boolean().optional() }).strict();
const WorkerBody = z.object({ workerId: z.string().min(1) });

/** Camunda-7-compatible REST (/engine-rest). Thin: validate, call the engine service, shape the answer. */
export function createEngineRestRouter(deps: EngineRestDeps): Router {
  const { engine } = deps;
  const r = Router();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: deps.maxUploadBytes ?? MAX_UPLOAD, files: 20, fields: 20, fieldSize: 64 * 1024 } });
  const uploadAny: RequestHandler = (req, res, next) => {
    upload.any()(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { code?: string; message?: string };
      if (e.code === 'LIMIT_FILE_SIZE') return next(new ApiError(413, 'PayloadTooLarge', `A deployment resource exceeds ${deps.maxUploadBytes ?? MAX_UPLOAD} bytes`));
      return next(badRequest(`Invalid multipart body: ${e.message ?? String(err)}`));
    });
  };
  const wrap = (fn: (req: Request, res: Response) => Promise<void>): RequestHandler => (req, res, next: NextFunction) => { fn(req, res).catch(next); };
  const readScope = (req: Request) => taskReadScopeOf(req.principal!, deps.units);
  const readableUnits = (req: Request) => instanceUnitsOf(req.principal!, deps.units);
  const unitFilter = async (req: Request) => {
    const visible = await readableUnits(req);
    return visible === 'all' ? undefined : visible;
  };
  /** An instance of a unit the caller cannot read answers exactly like one that does not exist. */
  const readableInstance = async (req: Request, instanceId: string) => {
    const inst = await engine.getInstance(instanceId);
    if (!canReadUnit(await readableUnits(req), inst.unitId)) throw new ApiError(404, 'NotFound', `Process instance with id ${instanceId} does not exist`);
    return inst;
  };
  /** Keeps the rows whose process instance the caller may read (lists without a unit filter in SQL). */
  const onlyReadable = async <T extends { processInstanceId?: unknown }>(req: Request, rows: T[]): Promise<T[]> => {
    const visible = await readableUnits(req);
    if (visible === 'all') return rows;
    const instanceOf = (r: T) => (typeof r.processInstanceId === 'string' ? r.processInstanceId : null);
    const unitOf = new Map<string, string | null>();
    for (const id of new Set(rows.map(instanceOf).filter((x): x is string => !!x))) {
      unitOf.set(id, await engine.getInstance(id).then((i) => i.unitId, () => null));
    }
    return rows.filter((r) => { const i = instanceOf(r); return i !== null && canReadUnit(visible, unitOf.get(i) ?? null); });
  };

  r.get('/version', guard('authenticated'), (_req, res) => sendJson(res, 200, { version: '7.22.0' }));
  r.get('/engine', guard('authenticated'), (_req, res) => sendJson(res, 200, [{ name: 'default' }]));

  // ---- deployments and definitions
  r.post('/deployment/create', guard('engine:deploy'), uploadAny, multipartTextGuard(), wrap(async (req, res) => {
    if (!req.is('multipart/form-data')) throw new ApiError(415, 'UnsupportedMediaType', 'POST /deployment/create expects multipart/form-data');
    const files = (req.files ?? []) as Express.Multer.File[];
    const body = (req.body ?? {}) as Record<string, string>;
    const flag = (k: string) => body[k] === 'true';
    const resources = files.map((f) => {
      const content = f.buffer.toString('utf8');
      return { name: f.originalname || f.fieldname, content };
    });
    const dep = await engine.deploy({
      name: body['deployment-name'], source: body['deployment-source'], resources,
      duplicateFiltering: flag('enable-duplicate-filtering'), deployChangedOnly: flag('deploy-changed-only'),
    });
    const defs: Record<string, unknown> = {};
    for (const d of dep.deployedProcessDefinitions) defs[d.id] = definitionDto(d);
    sendJson(res, 200, {
      links: [], id: dep.id, name: dep.name, source: dep.source, deploymentTime: fmt(dep.deploymentTime), tenantId: null,
      deployedProcessDefinitions: dep.deployedProcessDefinitions.length ? defs : null,
      deployedCaseDefinitions: null, deployedDecisionDefinitions: null, deployedDecisionRequirementsDefinitions: null,
    });
  }));
  r.get('/deployment', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(z.object({ id: z.string().optional(), name: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict(), req);
    const rows = await engine.listDeployments(q);
    sendJson(res, 200, rows.map((d) => ({ links: [], id: d.id, name: d.name, source: d.source, deploymentTime: fmt(d.deploymentTime), tenantId: null })));
  }));

  const DefQuery = z.object({
    key: z.string().optional(), keyLike: z.string().optional(), latestVersion: bool.optional(), deploymentId: z.string().optional(),
    versionTag: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page,
  }).strict();
  r.get('/process-definition', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, (await engine.listDefinitions(parseQuery(DefQuery, req))).map(definitionDto));
  }));
  r.get('/process-definition/count', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, { count: (await engine.listDefinitions({ ...parseQuery(DefQuery, req), maxResults: 1000 })).length });
  }));
  r.get('/process-definition/key/:key', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, definitionDto(await engine.getDefinitionByKey(String(req.params.key))));
  }));
  r.get('/process-definition/key/:key/xml', guard('engine:read'), wrap(async (req, res) => {
    const d = await engine.getDefinitionByKey(String(req.params.key));
    sendJson(res, 200, await engine.getDefinitionXml(d.id));
  }));
  r.get('/process-definition/:id', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, definitionDto(await engine.getDefinition(id(req))));
  }));
  r.get('/process-definition/:id/xml', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, await engine.getDefinitionXml(id(req)));
  }));
  const start = (by: 'key' | 'id'): RequestHandler => wrap(async (req, res) => {
    const body = parseBody(StartBody, req);
    const variables = normaliseVariables(body.variables);
    const target = by === 'key' ? { key: String(req.params.key) } : { definitionId: id(req) };
    const inst = await engine.startProcess({ ...target, businessKey: body.businessKey ?? null, variables, startUser: userOf(req) });
    const out: Record<string, unknown> = instanceDto(inst);
    if (body.withVariablesInReturn) out.variables = await engine.getVariables(inst.id);
    sendJson(res, 200, out);
  });
  r.post('/process-definition/key/:key/start', guard('engine:start'), start('key'));
  r.post('/process-definition/:id/start', guard('engine:start'), start('id'));

  // ---- process instances
  const InstQuery = z.object({
    businessKey: z.string().optional(), processDefinitionId: z.string().optional(), processDefinitionKey: z.string().optional(),
    processInstanceIds: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), active: bool.optional(), ...page,
  }).strict();
  const instQuery = (req: Request) => {
    const q = parseQuery(InstQuery, req);
    return { ...q, processInstanceIds: q.processInstanceIds?.split(','), active: true };
  };
  r.get('/process-instance', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, (await engine.listInstances({ ...instQuery(req), unitIds: await unitFilter(req) })).map(instanceDto));
  }));
  r.get('/process-instance/count', guard('engine:read'), wrap(async (req, res) => {
    sendJson(res, 200, { count: (await engine.listInstances({ ...instQuery(req), unitIds: await unitFilter(req), maxResults: 1000 })).length });
  }));
  r.get('/process-instance/:id', guard('engine:read'), wrap(async (req, res) => {
    const inst = await readableInstance(req, id(req));
    if (inst.state !== 'ACTIVE') throw new ApiError(404, 'InvalidRequestException', `Process instance with id ${id(req)} does not exist`);
    sendJson(res, 200, instanceDto(inst));
  }));
  r.get('/process-instance/:id/variables', guard('engine:read'), wrap(async (req, res) => {
    await readableInstance(req, id(req));
    const variables = await engine.getVariables(id(req));
    deps.onPersonalDataRead?.(req, { type: 'process-instance', id: id(req) });
    sendJson(res, 200, variables);
  }));
  r.delete('/process-instance/:id', guard('engine:admin'), wrap(async (req, res) => {
    const q = parseQuery(z.object({ skipCustomListeners: z.string().optional(), skipIoMappings: z.string().optional(), skipSubprocesses: z.string().optional(), failIfNotExists: z.string().optional(), deleteReason: z.string().max(1000).optional() }).strict(), req);
    await engine.deleteInstance(id(req), q.deleteReason ?? null, userOf(req));
    noContent(res);
  }));

  r.post('/process-instance/:id/modification', guard('engine:admin'), wrap(async (req, res) => {
    const b = parseBody(ModificationBody, req);
    await engine.modifyInstance(id(req), {
      instructions: b.instructions.map((i) => ({ type: i.type, activityId: i.activityId ?? undefined, activityInstanceId: i.activityInstanceId ?? undefined })),
      annotation: b.annotation ?? null, userId: userOf(req),
      variables: Object.assign({}, ...b.instructions.map((i) => normaliseVariables(i.variables, 'variables'))),
    });
    noContent(res);
  }));

  // ---- user tasks
  r.get('/task', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(TaskQuerySchema, req) as TaskQuery;
    sendJson(res, 200, (await engine.listTasks(q, await readScope(req))).map(taskDto));
  }));
  r.get('/task/count', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(TaskQuerySchema, req) as TaskQuery;
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
    const { userId } = parseBody(z.object({ userId: z.string().min(1) }).strict(), req);
    const p = req.principal!;
    const scope = taskScopeOf(p);
    // Users claim for themselves; only administrators may claim on someone else's behalf.
    if (!('all' in scope) && userId !== p.username) throw new ApiError(403, 'AuthorizationException', `You may only claim tasks for yourself (${p.username})`);
    await engine.claimTask(id(req), userId, scope);
    noContent(res);
  }));
  r.post('/task/:id/unclaim', guard('engine:task'), wrap(async (req, res) => {
    await engine.unclaimTask(id(req), userOf(req), taskScopeOf(req.principal!));
    noContent(res);
  }));
  r.post('/task/:id/assignee', guard('engine:task'), wrap(async (req, res) => {
    const { userId } = parseBody(z.object({ userId: z.string().min(1).nullable() }).strict(), req);
    await engine.setAssignee(id(req), userId, userOf(req), taskScopeOf(req.principal!));
    noContent(res);
  }));
  r.post('/task/:id/complete', guard('engine:task'), wrap(async (req, res) => {
    const body = parseBody(z.object({ variables: vars, withVariablesInReturn: z.boolean().optional() }).strict(), req);
    const scope = taskScopeOf(req.principal!);
    const task = await engine.getTask(id(req), scope);
    await engine.completeTask(id(req), { variables: normaliseVariables(body.variables), userId: userOf(req) }, scope);
    if (body.withVariablesInReturn) sendJson(res, 200, await engine.getVariables(task.processInstanceId));
    else noContent(res);
  }));

  // ---- external tasks
  r.post('/external-task/fetchAndLock', guard('engine:external-task'), wrap(async (req, res) => {
    const body = parseBody(FetchBody, req);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const input: FetchAndLockInput = {
      workerId: body.workerId, maxTasks: body.maxTasks, usePriority: body.usePriority ?? true, asyncResponseTimeout: body.asyncResponseTimeout ?? 0,
      topics: body.topics.map((t) => ({ topicName: t.topicName, lockDuration: t.lockDuration, variables: t.variables ?? null, businessKey: t.businessKey ?? null, processDefinitionKey: t.processDefinitionKey ?? null, processDefinitionKeyIn: t.processDefinitionKeyIn ?? null })),
    };
    const tasks = await engine.fetchAndLock(input, abort.signal);
    if (abort.signal.aborted && tasks.length) {
      // The worker went away: give its tasks back at once rather than after the lock expires.
      for (const t of tasks) await engine.unlock(t.id);
      return;
    }
    if (!res.writableEnded) sendJson(res, 200, tasks.map(lockedTaskDto));
  }));
  r.get('/external-task', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(z.object({
      topicName: z.string().optional(), workerId: z.string().optional(), locked: bool.optional(), notLocked: bool.optional(),
      processInstanceId: z.string().optional(), activityId: z.string().optional(), withRetriesLeft: bool.optional(), noRetriesLeft: bool.optional(),
      sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page,
    }).strict(), req);
    sendJson(res, 200, (await onlyReadable(req, (await engine.listExternalTasks(q)).map(externalTaskDto))));
  }));
  r.get('/external-task/:id', guard('engine:read'), wrap(async (req, res) => {
    const task = externalTaskDto(await engine.getExternalTask(id(req)));
    if (!(await onlyReadable(req, [task])).length) throw new ApiError(404, 'NotFound', `External task with id ${id(req)} does not exist`);
    sendJson(res, 200, task);
  }));
  r.post('/external-task/:id/complete', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(WorkerBody.extend({ variables: vars, localVariables: vars }).strict(), req);
    await engine.completeExternalTask(id(req), { workerId: b.workerId, variables: { ...normaliseVariables(b.variables), ...normaliseVariables(b.localVariables, 'localVariables') } });
    noContent(res);
  }));
  r.post('/external-task/:id/failure', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(WorkerBody.extend({
      errorMessage: z.string().max(100000).optional().nullable(), errorDetails: z.string().max(1_000_000).optional().nullable(),
      retries: z.number().int().min(0).optional().nullable(), retryTimeout: z.number().int().min(0).optional().nullable(),
      variables: vars, localVariables: vars,
    }).strict(), req);
    await engine.failExternalTask(id(req), { workerId: b.workerId, errorMessage: b.errorMessage ?? undefined, errorDetails: b.errorDetails ?? undefined, retries: b.retries ?? 0, retryTimeout: b.retryTimeout ?? 0 });
    noContent(res);
  }));
  r.post('/external-task/:id/bpmnError', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(WorkerBody.extend({ errorCode: z.string().min(1), errorMessage: z.string().optional().nullable(), variables: vars }).strict(), req);
    await engine.bpmnErrorExternalTask(id(req), { workerId: b.workerId, errorCode: b.errorCode, errorMessage: b.errorMessage ?? undefined, variables: normaliseVariables(b.variables) });
    noContent(res);
  }));
  r.post('/external-task/:id/extendLock', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(WorkerBody.extend({ newDuration: z.number().int().min(1) }).strict(), req);
    await engine.extendLock(id(req), b.workerId, b.newDuration);
    noContent(res);
  }));
  r.post('/external-task/:id/unlock', guard('engine:external-task'), wrap(async (req, res) => {
    await engine.unlock(id(req));
    noContent(res);
  }));
  r.put('/external-task/:id/retries', guard('engine:admin'), wrap(async (req, res) => {
    const b = parseBody(z.object({ retries: z.number().int().min(0) }).strict(), req);
    await engine.setRetries(id(req), b.retries);
    noContent(res);
  }));

  // ---- messages, incidents, history
  r.post('/message', guard('engine:message'), wrap(async (req, res) => {
    const b = parseBody(z.object({
      messageName: z.string().min(1), businessKey: z.string().optional().nullable(), processInstanceId: z.string().optional().nullable(),
      processVariables: vars, processVariablesLocal: vars, correlationKeys: vars, all: z.boolean().optional(), resultEnabled: z.boolean().optional(),
      variablesInResultEnabled: z.boolean().optional(), tenantId: z.string().optional().nullable(), withoutTenantId: z.boolean().optional(),
    }).strict(), req);
    const results = await engine.correlateMessage({
      messageName: b.messageName, businessKey: b.businessKey, processInstanceId: b.processInstanceId,
      correlationKeys: normaliseVariables(b.correlationKeys, 'correlationKeys'),
      processVariables: normaliseVariables(b.processVariables, 'processVariables'), all: b.all, userId: userOf(req),
    });
    if (b.resultEnabled) {
      sendJson(res, 200, results.map((x) => ({
        resultType: x.resultType,
        execution: x.resultType === 'Execution' ? { id: x.processInstanceId, processInstanceId: x.processInstanceId, ended: false, tenantId: null } : null,
        processInstance: x.resultType === 'ProcessDefinition' ? { id: x.processInstanceId, links: [], ended: false, suspended: false, tenantId: null } : null,
      })));
    } else noContent(res);
  }));
  r.post('/signal', guard('engine:message'), wrap(async (req, res) => {
    const b = parseBody(SignalBody, req);
    await engine.throwSignal({ name: b.name, variables: normaliseVariables(b.variables, 'variables'), userId: userOf(req) });
    noContent(res);
  }));
  r.get('/incident', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(z.object({ processInstanceId: z.string().optional(), incidentType: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict(), req);
    sendJson(res, 200, await onlyReadable(req, (await engine.listIncidents(q)).map(incidentDto)));
  }));

  const keyOf = (definitionId: string) => definitionId.split(':')[0]!;
  r.get('/history/process-instance', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(z.object({
      processInstanceId: z.string().optional(), processInstanceBusinessKey: z.string().optional(), processDefinitionKey: z.string().optional(),
      processDefinitionId: z.string().optional(), finished: bool.optional(), unfinished: bool.optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page,
    }).strict(), req);
    const rows = await engine.listInstances({
      businessKey: q.processInstanceBusinessKey, processDefinitionKey: q.processDefinitionKey, processDefinitionId: q.processDefinitionId,
      processInstanceIds: q.processInstanceId ? [q.processInstanceId] : undefined, active: q.unfinished, finished: q.finished,
      unitIds: await unitFilter(req), firstResult: q.firstResult, maxResults: q.maxResults,
    });
    const defs = new Map((await engine.listDefinitions({ maxResults: 1000 })).map((d) => [d.id, { name: d.name, version: d.version }]));
    sendJson(res, 200, rows.map((i) => historicInstanceDto(i, defs)));
  }));
  r.get('/history/activity-instance', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(z.object({ processInstanceId: z.string().min(1), activityId: z.string().optional(), activityType: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict(), req);
    await readableInstance(req, q.processInstanceId);
    let out = activityInstances(await engine.history({ instanceId: q.processInstanceId }), keyOf);
    if (q.activityId) out = out.filter((a) => a.activityId === q.activityId);
    if (q.activityType) out = out.filter((a) => a.activityType === q.activityType);
    sendJson(res, 200, out.slice(q.firstResult ?? 0, (q.firstResult ?? 0) + (q.maxResults ?? 1000)));
  }));
  r.get('/history/task', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(z.object({ processInstanceId: z.string().optional(), taskId: z.string().optional(), taskAssignee: z.string().optional(), finished: bool.optional(), unfinished: bool.optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict(), req);
    if (!q.processInstanceId && !q.taskId) throw badRequest('processInstanceId or taskId is required');
    let out = await onlyReadable(req, historicTasks(await engine.history({ instanceId: q.processInstanceId, taskId: q.taskId }), keyOf));
    if (q.taskAssignee) out = out.filter((t) => t.assignee === q.taskAssignee);
    if (q.finished) out = out.filter((t) => t.endTime);
    if (q.unfinished) out = out.filter((t) => !t.endTime);
    sendJson(res, 200, out.slice(q.firstResult ?? 0, (q.firstResult ?? 0) + (q.maxResults ?? 1000)));
  }));
  return r;
}

const fmt = (d: Date): string => formatDate(d)!;
