import type { Request, Router } from 'express';
import { z } from 'zod';
import { EngineError, formatDate, type EngineService, type JobRow } from '../engine/index.js';
import { sendJson } from '../http/json.js';
import { guard } from '../http/policy.js';
import { parseBody, parseQuery } from '../http/validate.js';
import { bool, id, noContent, page, wrap } from './common.js';

export interface JobRoutesDeps {
  engine: EngineService;
  /** The rows whose process instance the caller may read (unit scope). */
  onlyReadable: <T extends { processInstanceId?: unknown }>(req: Request, rows: T[]) => Promise<T[]>;
}

const JobQuerySchema = z.object({
  processInstanceId: z.string().optional(),
  noRetriesLeft: bool.optional(),
  withException: bool.optional(),
  ...page,
}).strict();
const JobRetriesBody = z.object({ retries: z.number().int() }).strict();

/** Camunda's job, for the tools and the incidents page. */
const jobDto = (j: JobRow) => ({
  id: j.id, jobDefinitionId: null, processInstanceId: j.instanceId, executionId: j.executionId, processDefinitionId: j.definitionId,
  processDefinitionKey: j.definitionId.split(':')[0] ?? null, dueDate: formatDate(j.dueAt), retries: j.retries,
  exceptionMessage: j.exceptionMessage, failedActivityId: j.parked ? j.activityId : null, suspended: false, priority: 0, tenantId: null, createTime: null,
});

/** /job: timers and async continuations (read within the unit scope); retries for administrators repairing a dossier. */
export function registerJobRoutes(r: Router, deps: JobRoutesDeps): void {
  const { engine } = deps;
  r.get('/job', guard('engine:read'), wrap(async (req, res) => {
    const q = parseQuery(JobQuerySchema, req);
    sendJson(res, 200, await deps.onlyReadable(req, (await engine.listJobs(q)).map(jobDto)));
  }));
  r.get('/job/:id', guard('engine:read'), wrap(async (req, res) => {
    const [job] = await deps.onlyReadable(req, [jobDto(await engine.getJob(id(req)))]);
    // Another unit's job answers like an unknown one.
    if (!job) throw new EngineError('engine.jobNotFound', { id: id(req) });
    sendJson(res, 200, job);
  }));
  r.put('/job/:id/retries', guard('engine:admin'), wrap(async (req, res) => {
    const b = parseBody(JobRetriesBody, req);
    await engine.setJobRetries(id(req), b.retries);
    noContent(res);
  }));
}
