import { EngineError } from '../errors.js';
import { NativeRun } from '../runtime/run.js';
import { toInstance } from '../store.js';
import type { InstanceRow } from '../types.js';
import type { TypedValue } from '../values.js';
import type { NewHistory } from '../rows.js';
import type { Kernel } from './kernel.js';

/** Process instances: delete, modify (administrators), read; incidents and history queries. */
export function createInstances(k: Kernel) {
  const { knex, store, hot, setVariables } = k;

  async function deleteInstance(id: string, reason: string | null, userId: string | null): Promise<void> {
    hot.delete(id);
    let children: string[] = [];
    await knex.transaction(async (trx) => {
      const row = await store.lockInstance(trx, id);
      if (!row) throw new EngineError('engine.instanceDoesNotExist', { id });
      if (row.state !== 'ACTIVE') throw new EngineError('engine.instanceDoesNotExist', { id });
      const ext = await store.rowsOf(trx, 'engine_external_task', id);
      children = (await store.rowsOf(trx, 'engine_call', id)).map((c) => c.child_id).filter((c): c is string => Boolean(c));
      const now = new Date();
      const hist: NewHistory[] = [];
      const base = { instance_id: id, definition_id: row.definition_id };
      for (const e of ext) await k.resolveIncidentsOf(trx, e.id, hist, base, now);
      for (const t of await store.rowsOf(trx, 'engine_task', id)) hist.push({ ...base, kind: 'task-deleted', task_id: t.id, activity_id: t.task_definition_key, user_id: userId, at: now });
      await store.deleteAllOf(trx, id);
      await store.updateInstance(trx, id, { state: 'EXTERNALLY_TERMINATED', end_time: now, delete_reason: reason ?? 'deleted', engine_state: null, exec_prefix: null, exec_seq: null });
      hist.push({ ...base, kind: 'instance-deleted', user_id: userId, data: JSON.stringify({ reason }), at: now });
      await store.appendHistory(trx, hist);
    });
    // What its call activities called goes with it.
    await k.calls.cancelChildren(children);
  }

  type ModificationInstruction = { type: 'startBeforeActivity' | 'startAfterActivity' | 'cancel'; activityId?: string; activityInstanceId?: string };
  /**
   * Administrators repairing a dossier (`POST /process-instance/{id}/modification`): one command,
   * recorded in the instance history with who did it, what and why. Native instances only.
   */
  async function modifyInstance(id: string, input: { instructions: ModificationInstruction[]; annotation?: string | null; variables?: Record<string, TypedValue>; userId: string | null }): Promise<void> {
    if (!input.instructions.length) throw new EngineError('engine.modificationEmpty');
    await k.command(id, input.userId, async (ctx) => {
      if (!(ctx.run instanceof NativeRun)) throw new EngineError('engine.modifyBpmnEngine', { id });
      setVariables(ctx, input.variables);
      ctx.hist.push({ instance_id: id, definition_id: ctx.row.definition_id, kind: 'instance-modified', user_id: input.userId, data: JSON.stringify({ instructions: input.instructions, annotation: input.annotation ?? null }), at: new Date() });
      ctx.run.modify(input.instructions);
    });
  }

  async function getInstance(id: string): Promise<InstanceRow> {
    const r = await store.instanceById(knex, id);
    if (!r) throw new EngineError('engine.instanceDoesNotExist', { id });
    return toInstance(r);
  }

  async function getVariables(instanceId: string): Promise<Record<string, TypedValue>> {
    await getInstance(instanceId);
    return store.variables(knex, instanceId);
  }


  return { deleteInstance, modifyInstance, getInstance, getVariables, 
    listInstances: async (q: Parameters<typeof store.listInstances>[1]) => (await store.listInstances(knex, q)).map(toInstance),
    countInstances: (q: Parameters<typeof store.countInstances>[1]) => store.countInstances(knex, q),
    listIncidents: (q: Parameters<typeof store.listIncidents>[1]) => store.listIncidents(knex, q),
    history: (q: Parameters<typeof store.history>[1]) => store.history(knex, q),
  };
}
