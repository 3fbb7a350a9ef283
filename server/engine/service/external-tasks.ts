import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { EngineError } from '../errors.js';
import { toExternalTask } from '../store.js';
import type { ExternalTaskRow, FetchAndLockInput, LockedExternalTask } from '../types.js';
import type { TypedValue } from '../values.js';
import { checkWorker } from './commands.js';
import type { EngineExternalTaskRow } from '../rows.js';
import type { StoredVariable } from '../store.js';
import { type Kernel, type Trx } from './kernel.js';

/** External tasks (Camunda's worker protocol): fetch and lock with long polling, complete, fail, BPMN errors, retries, locks. */
export function createExternalTasks(k: Kernel) {
  const { knex, store, wake, setVariablesAt } = k;

  /** A wait for the next task announcement; `cancel` removes its listener and timer at once. */
  function waitForTask(ms: number, signal?: AbortSignal): { done: Promise<void>; cancel: () => void } {
    let cancel = () => undefined as void;
    const done = new Promise<void>((resolve) => {
      const finish = () => { clearTimeout(timer); wake.off('task', finish); signal?.removeEventListener('abort', finish); resolve(); };
      const timer = setTimeout(finish, ms);
      wake.on('task', finish);
      signal?.addEventListener('abort', finish);
      cancel = finish;
    });
    return { done, cancel };
  }

  async function fetchAndLockOnce(input: FetchAndLockInput): Promise<LockedExternalTask[]> {
    if (!input.topics.length || input.maxTasks <= 0) return [];
    // One topic is one atomic UPDATE; several share a transaction so a failure locks nothing.
    const run = <T>(fn: (db: Knex | Trx) => Promise<T>) => (input.topics.length === 1 ? fn(knex) : knex.transaction(fn));
    return run(async (trx) => {
      const out: Array<EngineExternalTaskRow & { variables: unknown }> = [];
      for (const t of input.topics) {
        const left = input.maxTasks - out.length;
        if (left <= 0) break;
        const until = new Date(Date.now() + t.lockDuration);
        out.push(...await store.lockExternalTasks(trx, t, left, input.usePriority !== false, input.workerId, until));
      }
      return out.map(({ variables: vars, local_variables: localVars, ...r }) => {
        const variables: Record<string, TypedValue> = {};
        for (const v of (typeof vars === 'string' ? JSON.parse(vars) as unknown : vars ?? []) as StoredVariable[]) variables[v.name] = { type: v.type, value: v.value, valueInfo: v.valueInfo ?? {} };
        // The task's own input mappings hide instance variables of the same name (Camunda: local first).
        const locals = (typeof localVars === 'string' ? JSON.parse(localVars) as unknown : localVars ?? {}) as Record<string, TypedValue>;
        const wanted = input.topics.find((x) => x.topicName === r.topic)?.variables;
        for (const [k, v] of Object.entries(locals)) if (!wanted || wanted.includes(k)) variables[k] = v;
        return { ...toExternalTask(r), variables };
      });
    });
  }

  /** Long polling: returns as soon as something is locked, or after asyncResponseTimeout with []. */
  async function fetchAndLock(input: FetchAndLockInput, signal?: AbortSignal): Promise<LockedExternalTask[]> {
    const deadline = Date.now() + Math.min(input.asyncResponseTimeout ?? 0, 30 * 60 * 1000);
    for (;;) {
      // Subscribe before querying so a task created in between is not missed; an answer ends the wait
      // at once (its listener and timer would otherwise stay until the timeout, one per poll).
      const waiter = waitForTask(Math.max(0, Math.min(deadline - Date.now(), 5000)), signal);
      let got: LockedExternalTask[];
      try {
        got = await fetchAndLockOnce(input);
      } catch (err) {
        waiter.cancel();
        throw err;
      }
      if (got.length || Date.now() >= deadline || signal?.aborted) { waiter.cancel(); return got; }
      await waiter.done;
      if (signal?.aborted) return [];
    }
  }

  async function lockedTask(trx: Knex | Trx, id: string, workerId: string, lock = true): Promise<EngineExternalTaskRow> {
    const t = await store.externalTaskById(trx, id, lock);
    if (!t) throw new EngineError('engine.externalTaskNotFound', { id });
    return checkWorker(t, workerId);
  }


  async function completeExternalTask(id: string, input: { workerId: string; variables?: Record<string, TypedValue> }): Promise<void> {
    await k.command({ table: 'engine_external_task', id, missing: 'engine.externalTaskNotFound', workerId: input.workerId }, input.workerId, async (ctx) => {
      const t = ctx.item!;
      ctx.readRows.set(t.id, t);
      setVariablesAt(ctx, t.execution_id, input.variables);
      if (!ctx.run.completeExternal(t.execution_id)) throw new EngineError('engine.externalTaskInactive', { id });
    });
  }

  async function bpmnErrorExternalTask(id: string, input: { workerId: string; errorCode: string; errorMessage?: string; variables?: Record<string, TypedValue> }): Promise<void> {
    await k.command({ table: 'engine_external_task', id, missing: 'engine.externalTaskNotFound', workerId: input.workerId }, input.workerId, async (ctx) => {
      const t = ctx.item!;
      ctx.readRows.set(t.id, t);
      setVariablesAt(ctx, t.execution_id, input.variables);
      if (!ctx.run.bpmnErrorExternal(t.execution_id, input.errorCode, input.errorMessage)) throw new EngineError('engine.externalTaskInactive', { id });
    });
  }

  async function failExternalTask(id: string, input: { workerId: string; errorMessage?: string; errorDetails?: string; retries?: number; retryTimeout?: number }): Promise<void> {
    await knex.transaction(async (trx) => {
      const t = await lockedTask(trx, id, input.workerId);
      const retries = Math.max(0, input.retries ?? 0);
      const now = new Date();
      await store.updateExternalTask(trx, id, {
        retries, error_message: input.errorMessage?.slice(0, 4000) ?? null, error_details: input.errorDetails?.slice(0, 100000) ?? null,
        worker_id: null, lock_expiration: input.retryTimeout && retries > 0 ? new Date(Date.now() + input.retryTimeout) : null,
      });
      if (retries === 0) {
        const incidentId = crypto.randomUUID();
        await store.insertIncident(trx, { id: incidentId, instance_id: t.instance_id, definition_id: t.definition_id, activity_id: t.activity_id, incident_type: 'failedExternalTask', configuration: id, message: input.errorMessage ?? null, created: now });
        await store.appendHistory(trx, [{ instance_id: t.instance_id, definition_id: t.definition_id, kind: 'incident-created', activity_id: t.activity_id, data: JSON.stringify({ incidentId, message: input.errorMessage ?? null }), at: now }]);
      }
    });
  }

  async function setRetries(id: string, retries: number): Promise<void> {
    if (!Number.isInteger(retries) || retries < 0) throw new EngineError('engine.retriesInvalid');
    await knex.transaction(async (trx) => {
      const t = await store.externalTaskById(trx, id, true);
      if (!t) throw new EngineError('engine.externalTaskNotFound', { id });
      await store.updateExternalTask(trx, id, { retries });
      // Resolving writes history of its own only into the list given (dropped here: the row below says it).
      if (retries > 0) await k.resolveIncidentsOf(trx, id, [], { instance_id: t.instance_id, definition_id: t.definition_id }, new Date()).then(async () => {
        await store.appendHistory(trx, [{ instance_id: t.instance_id, definition_id: t.definition_id, kind: 'incident-resolved', activity_id: t.activity_id, data: JSON.stringify({ externalTaskId: id }), at: new Date() }]);
      });
    });
    if (retries > 0) wake.emit('task');
  }

  async function extendLock(id: string, workerId: string, newDuration: number): Promise<void> {
    await knex.transaction(async (trx) => {
      await lockedTask(trx, id, workerId);
      await store.updateExternalTask(trx, id, { lock_expiration: new Date(Date.now() + newDuration) });
    });
  }

  async function unlock(id: string): Promise<void> {
    await knex.transaction(async (trx) => {
      const t = await store.externalTaskById(trx, id, true);
      if (!t) throw new EngineError('engine.externalTaskNotFound', { id });
      await store.updateExternalTask(trx, id, { worker_id: null, lock_expiration: null });
    });
    wake.emit('task');
  }


  return { 
    fetchAndLock,
    listExternalTasks: async (q: Parameters<typeof store.listExternalTasks>[1]): Promise<ExternalTaskRow[]> => (await store.listExternalTasks(knex, q)).map(toExternalTask),
    getExternalTask: async (id: string) => {
      const r = await store.externalTaskById(knex, id);
      if (!r) throw new EngineError('engine.externalTaskNotFound', { id });
      return toExternalTask(r);
    },
    completeExternalTask,
    failExternalTask,
    bpmnErrorExternalTask,
    extendLock,
    unlock,
    setRetries,
  };
}
