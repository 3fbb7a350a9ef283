import crypto from 'node:crypto';
import { EngineError, isEngineError } from '../errors.js';
import { CommandError, type RunResult } from '../host.js';
import { NativeRun } from '../runtime/run.js';
import type { Run } from '../runtime/types.js';
import type { AsJson, EngineTimerRow, InstanceHead, ProjectionKey } from '../rows.js';
import { stateOf, type ClaimedTimer, type StoredVariable } from '../store.js';
import { MAX_TIMER_ATTEMPTS, nextCycleDue } from '../timer-spec.js';
import type { TypedValue } from '../values.js';
import { Stale, type Ctx, type Kernel, type Persisted, type Projections } from './kernel.js';

/** A timer as its claim reads it (to_jsonb: timestamps as text). */
type ClaimedRow = AsJson<EngineTimerRow>;

/** How a timer that failed as often as allowed is parked: no node claims it again until an administrator gives it retries (job-admin.ts). */
export const PARKED_BY = 'incident';

/** camunda:failedJobRetryTimeCycle of a timer's element (R<n>/<duration>, compiled into the graph), if its model has one. */
export async function retryCycleOf(k: Pick<Kernel, 'knex' | 'loadDefinition'>, t: Pick<EngineTimerRow, 'instance_id' | 'definition_id' | 'activity_id'>) {
  if (!t.instance_id) return undefined;
  return k.loadDefinition(k.knex, t.definition_id).then((d) => d.model.graph?.nodes[t.activity_id]?.retry, () => undefined);
}

/** Timers and jobs (async continuations): claimed in batches, fired in memory under guarded writes, retried, parked with an incident. */
export function createJobs(k: Kernel) {
  const { deps, db, knex, store, log, nodeId, hot, wake, keep, loadDefinition, newRun, plainVars, runAfter } = k;

  /**
   * Claims due timers (SKIP LOCKED, leased) with each instance's state, variables and projections in
   * the same statement, then fires each: in memory, written by one statement guarded on the
   * instance's revision and the lease (no transaction, no reads). A fire that cannot be done so — the
   * instance changed meanwhile, a second timer of one instance in the batch, a write that needs a read
   * first — is redone as a locked command, which also handles failures. Returns how many fired.
   */
  async function fireDueTimers(limit = 50): Promise<number> {
    // The lease only keeps nodes from doing the same work: an instance timer fires under the instance
    // lock after re-reading its row. So it is short, and a node killed mid-batch delays its timers ≤ 10 s.
    await k.calls.sweep().catch((err) => log.error({ err }, 'call activity sweep failed'));
    const claimed = await store.claimDueTimersWithState(knex, nodeId, limit, 10_000);
    let fired = 0;
    const fireOne = async (c: ClaimedTimer, first: boolean): Promise<void> => {
      const t = json(c.timer) as ClaimedRow;
      try {
        if (t.instance_id && firesTooOften(t.instance_id)) {
          await parkFailingTimer(t, new Error(`instance fired more than ${LOOP_FIRES} timers within a minute (a timer loop); parked`));
          return;
        }
        if (t.instance_id) {
          if (!(first && await fireOptimistic(t, c))) {
            await k.command(t.instance_id, null, async (ctx) => {
              const still = await store.timerById(ctx.trx, t.id);
              if (!still) return;
              await store.deleteByIds(ctx.trx, 'engine_timer', [t.id]);
              ctx.run.fireTimer(t.execution_id);
            });
          }
        } else {
          await fireStartTimer(t);
        }
        fired++;
      } catch (err) {
        // An instance that has ended or a stale timer: drop it rather than retry forever. A model that
        // cannot go on at that point (an expression failing) is retried, then parked with an incident.
        if (isEngineError(err) && err.kind !== 'ModelFailure') { await knex('engine_timer').where({ id: t.id }).delete(); return; }
        // camunda:failedJobRetryTimeCycle (R<n>/<duration>, compiled into the graph): n attempts, that far apart.
        const retry = await retryCycleOf(k, t);
        if (Number(t.attempts) >= (retry?.times ?? MAX_TIMER_ATTEMPTS)) {
          log.error({ err, timerId: t.id }, 'timer failed too often; parked with an incident');
          await parkFailingTimer(t, err).catch((e2) => log.error({ err: e2, timerId: t.id }, 'could not park a failing timer'));
        } else if (retry) {
          log.error({ err, timerId: t.id }, 'job failed; it will be retried as its failedJobRetryTimeCycle says');
          await knex('engine_timer').where({ id: t.id }).update({ locked_until: new Date(Date.now() + retry.intervalMs) });
        } else log.error({ err, timerId: t.id }, 'timer fire failed; it will be retried after its lease');
      }
    };
    // Timers of different instances fire side by side: on PostgreSQL their writes are gathered into
    // multi-row statements (server/engine/store-write.ts), so many in flight cost no connections; the
    // embedded database has one connection, so one at a time there. A second timer of an instance, and
    // start timers, after them, one by one.
    const firsts: ClaimedTimer[] = [];
    const rest: ClaimedTimer[] = [];
    const seen = new Set<string>();
    for (const c of claimed) {
      const id = (json(c.timer) as ClaimedRow).instance_id;
      if (id && !seen.has(id)) { seen.add(id); firsts.push(c); } else rest.push(c);
    }
    let next = 0;
    await Promise.all(Array.from({ length: db.kind === 'postgres' ? 64 : 1 }, async () => {
      while (next < firsts.length) {
        await fireOne(firsts[next++]!, true);
        // Yield between timers: HTTP requests are served between two fires, whatever the batch.
        await new Promise((r) => setImmediate(r));
      }
    }));
    for (const c of rest) {
      await fireOne(c, false);
      await new Promise((r) => setImmediate(r));
    }
    return fired;
  }

  const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

  /** One timer fired from what its claim read, as one guarded statement; false: not done (nothing written). */
  async function fireOptimistic(t: ClaimedRow, c: ClaimedTimer): Promise<boolean> {
    const inst = json(c.instance) as AsJson<InstanceHead> | null;
    const state = stateOf(c);
    if (!inst || inst.state !== 'ACTIVE' || !state) return false;
    const instanceId = inst.id;
    let done: { ctx: Ctx; res: RunResult; run: Run; row: InstanceHead; typed: Record<string, TypedValue>; written: Persisted };
    try {
      const def = await loadDefinition(knex, inst.definition_id);
      const typed: Record<string, TypedValue> = {};
      for (const v of json(c.variables) as StoredVariable[]) typed[v.name] = { type: v.type, value: v.value, valueInfo: v.valueInfo ?? {} };
      const proj = json(c.projections) as Projections;
      if (!proj.engine_timer?.some((x) => x.id === t.id)) return false;
      const readRows = new Map<string, ProjectionKey>();
      for (const rows of Object.values(proj)) for (const r of rows) readRows.set(r.id, r);
      const cached = hot.get(instanceId);
      hot.delete(instanceId);
      let run: Run;
      if (cached && cached.revision === inst.revision && cached.run.reusable) {
        run = cached.run;
        run.beginCommand();
      } else {
        run = newRun(def, plainVars(typed));
        await run.resume(state);
      }
      // An active instance: its end_time is null.
      const row: InstanceHead = { ...inst, start_time: new Date(inst.start_time), end_time: inst.end_time ? new Date(inst.end_time) : null };
      const ctx: Ctx = {
        trx: knex, optimistic: { kind: 'instance', revision: inst.revision, table: 'engine_timer', itemId: t.id, leasedBy: nodeId },
        row, def, run, typed, changed: {}, userId: null, hist: [], completedTasks: new Set(), proj, projFresh: true, readRows,
      };
      if (!run.fireTimer(t.execution_id)) return false;
      const res = await run.finish();
      const written = await k.persist(ctx, res);
      done = { ctx, res, run, row, typed, written };
    } catch (err) {
      if (!(err instanceof Stale) && !(err instanceof CommandError) && !(err instanceof EngineError)) log.warn({ err }, 'timer fire without a lock failed; redone under the instance lock');
      return false;
    }
    // Written: what follows the commit never makes the timer fire again.
    const { ctx, res, run, row, typed, written } = done;
    if (!res.ended) keep(instanceId, { revision: inst.revision + 1, row, run, typed, proj: written.proj });
    if (written.newExternal) wake.emit('task');
    if (run instanceof NativeRun) for (const name of run.thrown) await k.throwSignal({ name, userId: null }, instanceId);
    await runAfter(ctx);
    return true;
  }

  // A model can loop through a zero-length timer: count fires per instance over a minute.
  const LOOP_FIRES = deps.timerLoopFires ?? 120;
  const recentFires = new Map<string, { since: number; n: number }>();
  function firesTooOften(instanceId: string): boolean {
    const now = Date.now();
    if (recentFires.size > 10_000) recentFires.clear();
    const r = recentFires.get(instanceId);
    if (!r || now - r.since > 60_000) {
      recentFires.set(instanceId, { since: now, n: 1 });
      return false;
    }
    return ++r.n > LOOP_FIRES;
  }

  async function fireStartTimer(t: ClaimedRow): Promise<void> {
    const def = await loadDefinition(knex, t.definition_id);
    await k.startProcess({ definitionId: t.definition_id, trigger: { timerActivityId: t.activity_id } });
    const spec = def.model.timerStarts.find((s) => s.activityId === t.activity_id);
    const fired = Number(t.fired ?? 0) + 1;
    const next = spec?.timeCycle ? nextCycleDue(spec.timeCycle, new Date(t.due_at), fired) : null;
    if (next) await store.rescheduleTimer(knex, t.id, next, fired);
    else await knex('engine_timer').where({ id: t.id }).delete();
  }

  /**
   * A timer that failed MAX_TIMER_ATTEMPTS times in a row stops retrying: it is parked (no
   * node claims it again) and an incident says why, instead of looping for ever.
   */
  async function parkFailingTimer(t: ClaimedRow, err: unknown): Promise<void> {
    const message = String((err as Error)?.message ?? err).slice(0, 500);
    // The Vietnamese an administrator reads on the incidents page: the model's own refusal, or why it was parked.
    const messageVi = (isEngineError(err) ? err.text.vi
      : err instanceof CommandError ? `Quy trình không thể tiếp tục: ${err.reason.vi}`
        : `Hẹn giờ hoặc bước chạy nền bị tạm dừng sau nhiều lần lỗi (chi tiết kỹ thuật: ${message})`).slice(0, 500);
    await knex.transaction(async (trx) => {
      await trx('engine_timer').where({ id: t.id }).update({ locked_until: new Date('9999-12-31T00:00:00Z'), locked_by: PARKED_BY });
      // An async continuation is a job, not a timer event: Camunda calls its incident failedJob.
      const node = t.instance_id ? (await loadDefinition(trx, t.definition_id)).model.graph?.nodes[t.activity_id] : undefined;
      const job = Boolean(node && (node.asyncBefore || node.asyncAfter) && node.event?.kind !== 'timer');
      await store.insertIncident(trx, {
        id: crypto.randomUUID(), instance_id: t.instance_id ?? null, definition_id: t.definition_id, activity_id: t.activity_id,
        incident_type: job ? 'failedJob' : 'failedTimer', configuration: t.id, message, message_vi: messageVi, created: new Date(),
      });
    });
  }

  async function nextTimerDue(): Promise<Date | null> {
    return store.nextTimerDue(knex);
  }

  return { fireDueTimers, nextTimerDue };
}
