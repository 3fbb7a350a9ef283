import { EngineError } from '../errors.js';
import type { EngineIncidentRow, EngineTimerRow } from '../rows.js';
import { MAX_TIMER_ATTEMPTS } from '../timer-spec.js';
import { PARKED_BY, retryCycleOf } from './jobs.js';
import type { Kernel } from './kernel.js';

/** A timer or async continuation as an administrator sees it: Camunda's job, with the retries it has left. */
export interface JobRow {
  id: string; instanceId: string | null; executionId: string; definitionId: string; activityId: string;
  dueAt: Date; retries: number; parked: boolean; exceptionMessage: string | null;
}

export interface JobQuery { processInstanceId?: string; noRetriesLeft?: boolean; withException?: boolean; firstResult?: number; maxResults?: number }

/**
 * Jobs for administrators repairing a dossier: list the timers and async continuations, and give a
 * parked one (it failed as often as its model allows, with an incident saying why) new retries — the
 * scheduler fires it at its next poll (≤ 1 s) and its incident is resolved, in one transaction.
 * Camunda's `GET /job`, `GET /job/{id}`, `PUT /job/{id}/retries`.
 */
export function createJobAdmin(k: Kernel) {
  const { knex, store } = k;

  const attemptsAllowed = async (t: EngineTimerRow): Promise<number> => (await retryCycleOf(k, t))?.times ?? MAX_TIMER_ATTEMPTS;

  async function toJob(t: EngineTimerRow, incident: EngineIncidentRow | undefined): Promise<JobRow> {
    const parked = t.locked_by === PARKED_BY;
    return {
      id: t.id, instanceId: t.instance_id, executionId: t.execution_id, definitionId: t.definition_id, activityId: t.activity_id,
      dueAt: t.due_at, parked, retries: parked ? 0 : Math.max(0, (await attemptsAllowed(t)) - Number(t.attempts)),
      exceptionMessage: incident?.message ?? null,
    };
  }

  async function openIncidents(ids: string[]): Promise<Map<string, EngineIncidentRow>> {
    if (!ids.length) return new Map();
    const rows = await knex<EngineIncidentRow>('engine_incident').whereIn('configuration', ids).whereNull('resolved');
    return new Map(rows.map((r) => [r.configuration!, r]));
  }

  async function listJobs(q: JobQuery): Promise<JobRow[]> {
    const b = knex<EngineTimerRow>('engine_timer').orderBy([{ column: 'due_at' }, { column: 'id' }]);
    if (q.processInstanceId) b.where({ instance_id: q.processInstanceId });
    if (q.noRetriesLeft || q.withException) b.where({ locked_by: PARKED_BY });
    b.offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    const timers = await b;
    const incidents = await openIncidents(timers.map((t) => t.id));
    return Promise.all(timers.map((t) => toJob(t, incidents.get(t.id))));
  }

  async function getJob(id: string): Promise<JobRow> {
    const t = await store.timerById(knex, id);
    if (!t) throw new EngineError('engine.jobNotFound', { id });
    return toJob(t, (await openIncidents([id])).get(id));
  }

  async function setJobRetries(id: string, retries: number): Promise<void> {
    if (!Number.isInteger(retries) || retries < 1) throw new EngineError('engine.jobRetriesInvalid');
    await knex.transaction(async (trx) => {
      const t = await store.timerById(trx, id, true);
      if (!t) throw new EngineError('engine.jobNotFound', { id });
      const allowed = await attemptsAllowed(t);
      // `retries` more attempts from now: the scheduler parks it again after the last one fails.
      await trx<EngineTimerRow>('engine_timer').where({ id }).update({
        attempts: Math.max(0, allowed - retries), locked_until: null, locked_by: null,
      });
      const resolved = await store.resolveIncidents(trx, id);
      if (resolved.length && t.instance_id) {
        await store.appendHistory(trx, resolved.map((r) => ({
          instance_id: t.instance_id!, definition_id: t.definition_id, kind: 'incident-resolved', activity_id: r.activity_id,
          data: JSON.stringify({ incidentId: r.id, jobId: id }), at: new Date(),
        })));
      }
    });
  }

  return { listJobs, getJob, setJobRetries };
}
