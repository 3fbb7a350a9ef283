import { EngineError } from '../errors.js';
import { CommandError } from '../host.js';
import { NativeRun } from '../runtime/run.js';
import type { Run } from '../runtime/types.js';
import type { WriteGuard } from '../store.js';
import type { TypedValue } from '../values.js';
import type { ProjectionKey } from '../rows.js';
import { Stale, type CommandItem, type Ctx, type Hot, type ItemTarget, type Kernel, type LoadedDefinition, type Projections } from './kernel.js';

/** The worker must hold the external task's lock, unexpired. */
export function checkWorker<T extends { id: string; worker_id?: string | null; lock_expiration?: string | Date | null }>(t: T, workerId: string): T {
  const id = t.id;
  if (t.worker_id !== workerId) {
    throw new EngineError('engine.lockedByOther', { id, worker: workerId, holder: t.worker_id ?? 'nobody' });
  }
  if (!t.lock_expiration || new Date(t.lock_expiration).getTime() < Date.now()) {
    throw new EngineError('engine.lockExpired', { id, worker: workerId });
  }
  return t;
}

/** Commands on one instance: under its row lock in a transaction, or optimistically on a hot instance. */
export function createCommands(k: Kernel) {
  const { knex, store, log, hot, defCache, itemOwner, wake, keep, loadDefinition, newRun, guardRun, plainVars, runAfter } = k;

  /**
   * One command on one instance = one transaction, serialised by the instance row lock. The target
   * is an instance id, or a task / external task whose instance is locked in the same statement
   * (the caller re-reads that row under the lock: a concurrent command may have removed it).
   * A command on a task of a hot instance first tries the optimistic path: one guarded statement.
   */
  async function command<T>(target: string | ItemTarget, userId: string | null, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    if (typeof target !== 'string') {
      const fast = await optimisticCommand(target, userId, fn);
      if (fast) return fast.out;
    }
    let newExternal = 0;
    let thrown: string[] = [];
    let origin = '';
    let keepHot: (Hot & { id: string }) | null = null;
    let after: Ctx['after'];
    const result = await knex.transaction(async (trx) => {
      const locked = typeof target === 'string' ? { instance: await store.lockInstance(trx, target), item: undefined } : await store.lockInstanceOf(trx, target.table, target.id, target.scope);
      const row = locked?.instance;
      if (!row) throw typeof target === 'string' ? new EngineError('engine.instanceNotFound', { id: target }) : new EngineError(target.missing, { id: target.id });
      const instanceId = row.id;
      if (row.state !== 'ACTIVE') throw new EngineError('engine.instanceEnded', { id: instanceId, state: row.state });
      if (typeof target !== 'string') checkItem(target, locked.item!);
      const def = await loadDefinition(trx, row.definition_id);
      const cached = hot.get(instanceId);
      hot.delete(instanceId);
      let run: Run;
      let typed: Record<string, TypedValue>;
      let proj: Projections | null = null;
      if (cached && cached.revision === row.revision && cached.run.reusable) {
        run = cached.run;
        typed = cached.typed;
        proj = cached.proj;
        run.beginCommand();
      } else {
        typed = await store.variables(trx, instanceId);
        run = newRun(def, plainVars(typed));
        const state = await store.instanceState(trx, instanceId);
        await guardRun(() => run.resume(state));
      }
      const ctx: Ctx = { trx, row, def, run, typed, changed: {}, userId, hist: [], completedTasks: new Set(), proj, readRows: new Map(), item: locked?.item };
      const out = await guardRun(() => fn(ctx));
      const res = await guardRun(() => run.finish());
      const written = await k.persist(ctx, res);
      newExternal = written.newExternal;
      thrown = run instanceof NativeRun ? [...run.thrown] : [];
      origin = instanceId;
      keepHot = res.ended ? null : { id: instanceId, revision: row.revision + 1, row, run, typed, proj: written.proj };
      after = ctx.after;
      return out;
    });
    // Only after the commit: a rolled-back command leaves no in-memory trace.
    const kh = keepHot as (Hot & { id: string }) | null;
    if (kh) keep(kh.id, kh);
    if (newExternal) wake.emit('task');
    for (const name of thrown) await k.throwSignal({ name, userId }, origin);
    await runAfter({ after });
    return result;
  }

  /**
   * The common case without a transaction. The instance is hot on this node and the command only
   * changes what the hot engine already knows; or it is not, and the item, the instance's state,
   * variables and projection rows are read in one statement without a lock (the cold path). Either
   * way the command runs in memory and is written by one statement that re-checks, under row locks,
   * everything it relied on (revision, the item, scope, assignee, worker lock). Returns null when
   * that cannot be done or the check fails; nothing was written then, the in-memory run is dropped,
   * and the caller takes the locked path, which answers errors.
   */
  async function optimisticCommand<T>(target: ItemTarget, userId: string | null, fn: (ctx: Ctx) => Promise<T>): Promise<{ out: T } | null> {
    const at = hotState(target) ?? await coldState(target);
    if (!at) return null;
    const { instanceId, cached, item, def } = at;
    const { row, run, typed } = cached;
    const optimistic: WriteGuard = { kind: 'instance', revision: cached.revision, table: target.table, itemId: target.id, scope: target.scope, assignee: target.assignee, workerId: target.workerId };
    const ctx: Ctx = { trx: knex, optimistic, row, def, run, typed, changed: {}, userId, hist: [], completedTasks: new Set(), proj: cached.proj, projFresh: at.fresh, readRows: at.readRows, item };
    try {
      const out = await fn(ctx);
      const res = await run.finish();
      const written = await k.persist(ctx, res);
      if (!res.ended) keep(instanceId, { revision: cached.revision + 1, row, run, typed, proj: written.proj });
      if (written.newExternal) wake.emit('task');
      if (run instanceof NativeRun) for (const name of run.thrown) await k.throwSignal({ name, userId }, instanceId);
      await runAfter(ctx);
      return { out };
    } catch (err) {
      if (!(err instanceof Stale) && !(err instanceof CommandError) && !(err instanceof EngineError)) log.warn({ err }, 'optimistic command failed; retrying under the instance lock');
      return null;
    }
  }

  type State = { instanceId: string; cached: Hot; item: CommandItem; def: LoadedDefinition; fresh: boolean; readRows: Map<string, ProjectionKey> };

  /** The hot instance of the item, when its projections are trusted (no timers: the scheduler leases them without the lock). */
  function hotState(target: ItemTarget): State | null {
    const instanceId = itemOwner.get(target.id);
    const cached = instanceId ? hot.get(instanceId) : undefined;
    const known = cached?.proj?.[target.table]?.find((r) => r.id === target.id);
    const def = cached ? defCache.get(cached.row.definition_id) : undefined;
    if (!instanceId || !cached || !known || !def || !cached.run.reusable || cached.proj?.engine_timer?.length) return null;
    hot.delete(instanceId);
    cached.run.beginCommand();
    const item = {
      ...known, instance_id: instanceId, definition_id: cached.row.definition_id, name: def.model.activities[known.task_definition_key ?? '']?.name ?? null,
      // The guard admits an external task only while it has retries left, so it has no open incident.
      retries: null,
    };
    return { instanceId, cached, item, def, fresh: false, readRows: new Map() };
  }

  /** The item's instance read in one unlocked statement (null: not found, not actionable as read, or not resumable: the locked path answers). */
  async function coldState(target: ItemTarget): Promise<State | null> {
    try {
      const r = await store.readItemWithState(knex, target.table, target.id, target.scope);
      if (!r || r.instance.state !== 'ACTIVE' || !r.state) return null;
      const { instance } = r;
      const item: CommandItem = r.item;
      if (target.assignee && item.assignee && item.assignee !== target.assignee) return null;
      if (target.workerId !== undefined) checkWorker(item, target.workerId);
      const instanceId = instance.id;
      const def = await loadDefinition(knex, instance.definition_id);
      const readRows = new Map<string, ProjectionKey>();
      for (const rows of Object.values(r.projections)) for (const x of rows) readRows.set(x.id, x);
      readRows.set(item.id, item);
      const typed: Record<string, TypedValue> = {};
      for (const v of r.variables) typed[v.name] = { type: v.type, value: v.value, valueInfo: v.valueInfo ?? {} };
      // This node may hold the instance at the revision just read: its engine is reused, not resumed.
      const held = hot.get(instanceId);
      hot.delete(instanceId);
      let run: Run;
      if (held && held.revision === instance.revision && held.run.reusable) {
        run = held.run;
        run.beginCommand();
      } else {
        run = newRun(def, plainVars(typed));
        await run.resume(r.state);
      }
      return { instanceId, cached: { revision: instance.revision, row: instance, run, typed, proj: r.projections }, item, def, fresh: true, readRows };
    } catch (err) {
      if (!(err instanceof CommandError) && !(err instanceof EngineError)) log.warn({ err }, 'cold read of an instance failed; the command runs under the instance lock');
      return null;
    }
  }

  function checkItem(target: ItemTarget, item: CommandItem): void {
    if (target.assignee && item.assignee && item.assignee !== target.assignee) {
      throw new EngineError('engine.taskAssigned', { id: target.id, assignee: item.assignee });
    }
    if (target.workerId !== undefined) checkWorker(item, target.workerId);
  }

  return { command };
}
