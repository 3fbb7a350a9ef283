import { Router, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { formatDate, normaliseVariables, type EngineService, type FetchAndLockInput, type TypedValue } from '../engine/index.js';
import { ApiError, badRequest } from '../http/errors.js';
import { sendJson } from '../http/json.js';
import { guard } from '../http/policy.js';
import { parseBody, parseQuery } from '../http/validate.js';
import { requestLang } from '../http/texts.js';
import { idempotencyKeyOf } from '../http/idempotency.js';
import { multipartTextGuard } from '../http/input.js';
import { bool, id, noContent, page, userOf, wrap } from './common.js';
import {
  activityInstances, definitionDto, externalTaskDto, historicInstanceDto, historicTasks, incidentDto, instanceDto, lockedTaskDto,
} from './dto.js';
import { actsOnAll, canReadUnit, instanceUnitsOf, type UnitVisibility } from './scope.js';
import { registerJobRoutes } from './job-routes.js';
import { registerTaskRoutes } from './task-routes.js';
import {
  StartBody, FetchBody, ModificationBody, SignalBody, DeploymentQuery, DeleteQuery, ExternalTaskQuery, CompleteExternalBody, FailureBody, BpmnErrorBody, ExtendLockBody, RetriesBody, MessageBody, IncidentQuery, HistoricInstanceQuery, HistoricActivityQuery, HistoricTaskQuery,
} from './schemas.js';
import { checkStartUnit, type Directory } from './write-scope.js';

export interface EngineRestDeps {
  engine: EngineService;
  /**
   * The organisation: the unit tree for read scoping (leaders see sub-units, inspectors all), and
   * the units and users that engine writes are checked against (the identity service).
   */
  units: UnitVisibility & Directory;
  /** Told of every read of process variables, which hold citizens' personal data (the audit trail records it). */
  onPersonalDataRead?: (req: Request, target: { type: 'process-instance' | 'task' | 'external-task'; id: string }) => void;
  /** Largest BPMN upload accepted (bytes). */
  maxUploadBytes?: number;
}

const MAX_UPLOAD = 5 * 1024 * 1024;



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
      return next(badRequest(`Invalid multipart body: ${e.message ?? 'unreadable'}`));
    });
  };
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
    const q = parseQuery(DeploymentQuery, req);
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
    sendJson(res, 200, { count: await engine.countDefinitions(parseQuery(DefQuery, req)) });
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
    await checkStartUnit(req.principal!, variables, deps.units);
    const target = by === 'key' ? { key: String(req.params.key) } : { definitionId: id(req) };
    // A retry of a start whose answer was lost (same Idempotency-Key, same caller) answers the first instance.
    const key = idempotencyKeyOf(req);
    const inst = await engine.startProcess({
      ...target, businessKey: body.businessKey ?? null, variables, startUser: userOf(req), idempotencyKey: key ? `rest:${encodeURIComponent(userOf(req) ?? '')}:${key}` : null, // the name escaped: no ':' inside
    });
    if (inst.replayed) res.setHeader('Idempotent-Replayed', 'true');
    const out: Record<string, unknown> = instanceDto(inst);
    if (body.withVariablesInReturn) {
      out.variables = await engine.getVariables(inst.id);
      deps.onPersonalDataRead?.(req, { type: 'process-instance', id: inst.id });
    }
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
    sendJson(res, 200, { count: await engine.countInstances({ ...instQuery(req), unitIds: await unitFilter(req) }) });
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
    const q = parseQuery(DeleteQuery, req);
    await engine.deleteInstance(id(req), q.deleteReason ?? null, userOf(req));
    noContent(res);
  }));

  r.post('/process-instance/:id/modification', guard('engine:admin'), wrap(async (req, res) => {
    const b = parseBody(ModificationBody, req);
    await engine.modifyInstance(id(req), {
      instructions: b.instructions.map((i) => ({ type: i.type, activityId: i.activityId ?? undefined, activityInstanceId: i.activityInstanceId ?? undefined })),
      annotation: b.annotation ?? null, userId: userOf(req),
      variables: b.instructions.reduce<Record<string, TypedValue>>((all, i) => Object.assign(all, normaliseVariables(i.variables, 'variables')), {}),
    });
    noContent(res);
  }));

  // ---- user tasks
  registerTaskRoutes(r, deps);
  registerJobRoutes(r, { engine, onlyReadable });

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
    if (res.writableEnded) return;
    // Process variables hold citizens' personal data: each task handed out with some is an audited read.
    for (const t of tasks) if (Object.keys(t.variables).length) deps.onPersonalDataRead?.(req, { type: 'external-task', id: t.id });
    sendJson(res, 200, tasks.map(lockedTaskDto));
  }));
  r.get('/external-task', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(ExternalTaskQuery, req);
    sendJson(res, 200, (await onlyReadable(req, (await engine.listExternalTasks(q)).map(externalTaskDto))));
  }));
  r.get('/external-task/:id', guard('engine:read'), wrap(async (req, res) => {
    const task = externalTaskDto(await engine.getExternalTask(id(req)));
    if (!(await onlyReadable(req, [task])).length) throw new ApiError(404, 'NotFound', `External task with id ${id(req)} does not exist`);
    sendJson(res, 200, task);
  }));
  r.post('/external-task/:id/complete', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(CompleteExternalBody, req);
    await engine.completeExternalTask(id(req), { workerId: b.workerId, variables: { ...normaliseVariables(b.variables), ...normaliseVariables(b.localVariables, 'localVariables') } });
    noContent(res);
  }));
  r.post('/external-task/:id/failure', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(FailureBody, req);
    await engine.failExternalTask(id(req), { workerId: b.workerId, errorMessage: b.errorMessage ?? undefined, errorDetails: b.errorDetails ?? undefined, retries: b.retries ?? 0, retryTimeout: b.retryTimeout ?? 0 });
    noContent(res);
  }));
  r.post('/external-task/:id/bpmnError', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(BpmnErrorBody, req);
    await engine.bpmnErrorExternalTask(id(req), { workerId: b.workerId, errorCode: b.errorCode, errorMessage: b.errorMessage ?? undefined, variables: normaliseVariables(b.variables) });
    noContent(res);
  }));
  r.post('/external-task/:id/extendLock', guard('engine:external-task'), wrap(async (req, res) => {
    const b = parseBody(ExtendLockBody, req);
    await engine.extendLock(id(req), b.workerId, b.newDuration);
    noContent(res);
  }));
  r.post('/external-task/:id/unlock', guard('engine:external-task'), wrap(async (req, res) => {
    await engine.unlock(id(req));
    noContent(res);
  }));
  r.put('/external-task/:id/retries', guard('engine:admin'), wrap(async (req, res) => {
    const b = parseBody(RetriesBody, req);
    await engine.setRetries(id(req), b.retries);
    noContent(res);
  }));

  // ---- messages, incidents, history
  r.post('/message', guard('engine:message'), wrap(async (req, res) => {
    const b = parseBody(MessageBody, req);
    const p = req.principal!;
    const processVariables = normaliseVariables(b.processVariables, 'processVariables');
    // A scoped caller reaches only instances of its units (others answer like no match, ids unseen),
    // and a message starts a process for it only in a unit it may start in, named by processVariables.unitId.
    const scoped = !actsOnAll(p);
    if (processVariables.unitId !== undefined) await checkStartUnit(p, processVariables, deps.units, 'processVariables');
    const visible = scoped ? await instanceUnitsOf(p, deps.units) : 'all';
    const results = await engine.correlateMessage({
      messageName: b.messageName, businessKey: b.businessKey, processInstanceId: b.processInstanceId,
      correlationKeys: normaliseVariables(b.correlationKeys, 'correlationKeys'),
      processVariables, all: b.all, userId: userOf(req),
      unitIds: visible === 'all' ? undefined : visible, allowStart: !scoped || processVariables.unitId !== undefined,
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
    // A signal is a broadcast to every instance of every unit: not for a caller scoped to its units.
    if (!actsOnAll(req.principal!)) throw new ApiError(403, 'AuthorizationException', 'Tín hiệu gửi tới mọi đơn vị: chỉ quản trị hoặc tài khoản dịch vụ được phát / a signal reaches every unit: administrators and service accounts only');
    const variables = normaliseVariables(b.variables, 'variables');
    if (variables.unitId !== undefined) await checkStartUnit(req.principal!, variables, deps.units);
    await engine.throwSignal({ name: b.name, variables, userId: userOf(req) });
    noContent(res);
  }));
  r.get('/incident', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(IncidentQuery, req);
    // English unless the reader asks for Vietnamese: Camunda's tools and scripts send no preference.
    const header = req.get('accept-language');
    const lang = header ? requestLang(header) : 'en';
    sendJson(res, 200, await onlyReadable(req, (await engine.listIncidents(q)).map((i) => incidentDto(i, lang))));
  }));

  const keyOf = (definitionId: string) => definitionId.split(':')[0]!;
  r.get('/history/process-instance', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(HistoricInstanceQuery, req);
    const rows = await engine.listInstances({
      businessKey: q.processInstanceBusinessKey, processDefinitionKey: q.processDefinitionKey, processDefinitionId: q.processDefinitionId,
      processInstanceIds: q.processInstanceId ? [q.processInstanceId] : undefined, active: q.unfinished, finished: q.finished,
      unitIds: await unitFilter(req), firstResult: q.firstResult, maxResults: q.maxResults,
    });
    const defs = new Map((await engine.listDefinitions({ maxResults: 1000 })).map((d) => [d.id, { name: d.name, version: d.version }]));
    sendJson(res, 200, rows.map((i) => historicInstanceDto(i, defs)));
  }));
  r.get('/history/activity-instance', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(HistoricActivityQuery, req);
    await readableInstance(req, q.processInstanceId);
    let out = activityInstances(await engine.history({ instanceId: q.processInstanceId }), keyOf);
    if (q.activityId) out = out.filter((a) => a.activityId === q.activityId);
    if (q.activityType) out = out.filter((a) => a.activityType === q.activityType);
    sendJson(res, 200, out.slice(q.firstResult ?? 0, (q.firstResult ?? 0) + (q.maxResults ?? 1000)));
  }));
  r.get('/history/task', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(HistoricTaskQuery, req);
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
