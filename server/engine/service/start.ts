import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/errors.js';
import { EngineError } from '../errors.js';
import { NativeRun } from '../runtime/run.js';
import { toInstance } from '../store.js';
import type { InstanceRow } from '../types.js';
import { plainValue } from '../values.js';
import type { InstanceHead, NewInstance } from '../rows.js';
import type { ExistingInstance } from '../store-write.js';
import { NotLatest, Replay, Stale, type Ctx, type Kernel, type LoadedDefinition, type Persisted, type StartInput, type Started, type Trx } from './kernel.js';

/** Starting process instances: by definition id or key, idempotent with a key, in one guarded statement. */
export function createStarts(k: Kernel) {
  const { knex, store, wake, latestByKey, loadDefinition, newRun, keep, guardRun, plainVars, runAfter } = k;

  async function resolveDefinition(trx: Knex | Trx, input: { definitionId?: string; key?: string }, fresh = false): Promise<LoadedDefinition & { byKey?: boolean }> {
    if (input.definitionId) return loadDefinition(trx, input.definitionId);
    if (!input.key) throw new EngineError('engine.definitionOrKey');
    let latest = fresh ? undefined : latestByKey.get(input.key);
    if (!latest) {
      latest = await store.latestDefinitionId(trx, input.key);
      if (!latest) throw new EngineError('engine.noDefinitionWithKey', { key: input.key });
      latestByKey.set(input.key, latest);
    }
    return { ...(await loadDefinition(trx, latest)), byKey: true };
  }

  /** The instance a key already started, answered again; a key reused for another start is a conflict. */
  /** `prior` as the write statement read it back (timestamps as text) or as read on its own. */
  function replayOf(prior: ExistingInstance | Parameters<typeof toInstance>[0], def: LoadedDefinition, businessKey: string | null): InstanceRow & { ended: boolean; replayed: true } {
    if (prior.definition_key !== def.row.key || (prior.business_key ?? null) !== businessKey) {
      throw new EngineError('engine.idempotencyKeyReused');
    }
    return { ...toInstance({ ...prior, start_time: new Date(prior.start_time), end_time: prior.end_time ? new Date(prior.end_time) : null }), ended: prior.state !== 'ACTIVE', replayed: true };
  }

  async function replayed(key: string, def: LoadedDefinition, businessKey: string | null): Promise<(InstanceRow & { ended: boolean; replayed: true }) | null> {
    const prior = await store.instanceByIdempotencyKey(knex, key);
    return prior ? replayOf(prior, def, businessKey) : null;
  }

  /**
   * One statement in the common case: the instance, what it waits for, its variables and history,
   * guarded by the definition (not suspended, still the latest for a start by key) and, with an
   * idempotency key, inserted only if the key is new — a replay answers the first instance from the
   * same statement. No read before it when the definition is cached.
   */
  async function startProcess(input: StartInput): Promise<Started> {
    try {
      return await startOnce(input, false);
    } catch (err) {
      // A newer version was deployed (by another node) since this node cached the latest: once more, fresh.
      if (err instanceof NotLatest) return startOnce(input, true);
      throw err;
    }
  }

  async function startOnce(input: StartInput, fresh: boolean): Promise<Started> {
    const businessKey = input.businessKey ?? null;
    if (businessKey !== null && (typeof businessKey !== 'string' || businessKey.length > 255)) throw new EngineError('engine.businessKeyInvalid');
    // No transaction: the new instance and everything it waits for are one statement, written only
    // while the definition is not suspended (checked under a share lock against a concurrent suspend).
    const def = await resolveDefinition(knex, input, fresh);
    const key = input.idempotencyKey ?? null;
    if (!input.trigger && !def.model.noneStart) {
      throw new EngineError('engine.startByEventOnly', { key: def.row.key });
    }
    const typed = { ...(input.variables ?? {}) };
    const unit = input.unitId !== undefined ? input.unitId : typed.unitId ? plainValue(typed.unitId) : null;
    const id = input.id ?? crypto.randomUUID();
    const now = new Date();
    const row: NewInstance = {
      id, definition_id: def.row.id, definition_key: def.row.key, business_key: businessKey, unit_id: typeof unit === 'string' ? unit : null,
      state: 'ACTIVE', revision: 1, start_user: input.startUser ?? null, start_time: now,
      ...(key ? { idempotency_key: key } : {}),
    };
    // What the command holds of it (the insert leaves the other columns to their defaults).
    const head: InstanceHead = { ...row, end_time: null, delete_reason: null };
    const run = newRun(def, plainVars(typed));
    const ctx: Ctx = {
      trx: knex, optimistic: { kind: 'definition', definitionId: def.row.id, latest: def.byKey }, row: head, def, run, typed, changed: { ...typed }, userId: input.startUser ?? null,
      completedTasks: new Set(), proj: {}, readRows: new Map(),
      hist: [{ instance_id: id, definition_id: def.row.id, kind: 'instance-start', user_id: input.startUser ?? null, data: JSON.stringify({ businessKey }), at: now }],
    };
    await guardRun(() => run.create());
    if (input.trigger?.messageRef) run.message(input.trigger.messageRef);
    if (input.trigger?.timerActivityId) {
      const t = run.liveOf('timer').find((x) => x.activityId === input.trigger!.timerActivityId);
      if (t) run.fireTimer(t.executionId);
    }
    if (input.trigger?.signal && run instanceof NativeRun) run.signal(input.trigger.signal);
    const res = await guardRun(() => run.finish());
    let written: Persisted;
    try {
      written = await k.persist(ctx, res, row);
    } catch (err) {
      if (err instanceof Replay) {
        // The key was used before: its instance, from the same statement (or, if that start committed meanwhile, read now).
        const again = err.existing ? replayOf(err.existing, def, businessKey) : await replayed(key!, def, businessKey);
        if (again) return again;
        throw err;
      }
      if (err instanceof Stale) {
        if (def.byKey && !fresh) throw new NotLatest();
        throw new EngineError('engine.definitionSuspended', { id: def.row.id });
      }
      // A concurrent start with the same key won: answer its instance (this statement wrote nothing).
      if (key && isUniqueViolation(err, 'engine_instance_idempotency_key')) {
        const again = await replayed(key, def, businessKey);
        if (again) return again;
      }
      throw err;
    }
    if (written.newExternal) wake.emit('task');
    if (!res.ended) keep(id, { revision: 1, row: head, run, typed, proj: written.proj });
    if (run instanceof NativeRun) for (const name of run.thrown) await k.throwSignal({ name, userId: input.startUser ?? null }, id);
    await runAfter(ctx);
    return { ...toInstance({ ...head, state: res.ended ? (res.failure ? 'INTERNALLY_TERMINATED' : 'COMPLETED') : 'ACTIVE' }), ended: res.ended };
  }

  return { startProcess };
}
