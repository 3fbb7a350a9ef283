import crypto from 'node:crypto';
import { parseBudget, type WorkingAmount } from '../../calendar/index.js';
import { callRow } from '../calls.js';
import { CommandError, type LiveItem, type RunResult } from '../host.js';
import { NativeRun } from '../runtime/run.js';
import type { Run } from '../runtime/types.js';
import type { EngineMessageSubRow, EngineTaskRow, NewHistory, NewInstance, ProjectionKey, ProjectionTable } from '../rows.js';
import type { InstancePatch } from '../store.js';
import type { NewExternalTask, NewProjectionRow, NewTimer, NewVariable } from '../store-write.js';
import { parseCamundaDate, typedFromPlain } from '../values.js';
import { EXTERNAL_TASK_CHANNEL, Replay, Stale, TABLE, type Ctx, type HistoryBase, type Kernel, type LoadedDefinition, type Persisted, type Projections, type Trx } from './kernel.js';

/** A model's tthc:budget / tthc:beforeDue (parseDefinitions refused malformed ones at deployment). */
function workingAmount(text: string): WorkingAmount {
  const a = parseBudget(text);
  if (!a) throw new Error(`Not a working-time amount: "${text}" (expected e.g. 4h, 0.5d, 7d)`);
  return a;
}

/** What a hot instance remembers of a projection row (ProjectionKey); `r` is a row read or inserted. */
const projectionKey = (r: ProjectionKey | NewProjectionRow): ProjectionKey => ({
  id: r.id, execution_id: r.execution_id,
  task_definition_key: 'task_definition_key' in r ? r.task_definition_key : undefined,
  due_at: 'due_at' in r ? r.due_at : undefined,
  locked_by: 'locked_by' in r ? r.locked_by : undefined,
});

/** Writing a command: state, variables, history and the projections of what the instance waits for, in one statement. */
export function createPersist(k: Kernel) {
  const { store, deps } = k;

  /**
   * Writes state, variables, history and reconciles the waiting-for tables with the run, in one
   * statement. What the instance waits for is read from the database unless the hot instance
   * remembers it (projection rows change only under the instance lock, at a known revision);
   * timers are always re-read, since the scheduler leases them without that lock.
   */
  async function persist(ctx: Ctx, res: RunResult, start?: NewInstance): Promise<Persisted> {
    const { row, def, run } = ctx;
    // The optimistic path has no transaction: anything that needs a read first goes the locked way.
    const trx = ctx.optimistic ? null : (ctx.trx as Trx);
    const locked = (): Trx => { if (!trx) throw new Stale(); return trx; };
    const now = new Date();
    const hist: NewHistory[] = ctx.hist;
    const base: HistoryBase = { instance_id: row.id, definition_id: row.definition_id };
    // Output mappings wrote instance variables: stored like the caller's.
    for (const [k, v] of Object.entries(res.writes ?? {})) { const tv = typedFromPlain(v); ctx.typed[k] = tv; ctx.changed[k] = tv; }
    // Without timers the hot projections are exact; timers are leased by the scheduler without the instance lock.
    const allExisting = ctx.proj && (ctx.projFresh || !ctx.proj.engine_timer?.length) ? ctx.proj : await store.projectionsOf(locked(), row.id);
    for (const [name, v] of Object.entries(ctx.changed)) hist.push({ ...base, kind: 'variable-set', user_id: ctx.userId, data: JSON.stringify({ name, type: v.type, value: v.value }), at: now });
    for (const h of res.history) {
      hist.push({ ...base, kind: h.kind, activity_id: h.activityId, activity_type: h.activityType, activity_name: h.activityName ?? null, execution_id: h.executionId, at: h.at });
    }
    const deletes: Partial<Record<ProjectionTable, string[]>> = {};
    const inserts: Partial<Record<ProjectionTable, NewProjectionRow[]>> = {};
    const kept: Projections = {};
    for (const kind of Object.keys(TABLE) as Array<LiveItem['kind']>) {
      const table = TABLE[kind];
      const existing = allExisting[table] ?? [];
      const live = [...res.live.values()].filter((i) => i.kind === kind);
      const liveIds = new Set(live.map((i) => i.executionId));
      const gone = existing.filter((e) => !liveIds.has(e.execution_id));
      deletes[table] = gone.map((g) => g.id);
      kept[table] = existing.filter((e) => liveIds.has(e.execution_id)).map(projectionKey);
      if (kind === 'userTask') {
        for (const g of gone) if (!ctx.completedTasks.has(g.id)) hist.push({ ...base, kind: 'task-deleted', task_id: g.id, activity_id: g.task_definition_key, execution_id: g.execution_id, user_id: ctx.userId, at: now });
      }
      if (kind === 'call' && gone.length) {
        // Cancelled call activities take what they called with them (after the commit).
        const children = (await locked()('engine_call').whereIn('id', gone.map((g) => g.id)).whereNotNull('child_id').select<Array<{ child_id: string }>>('child_id')).map((r) => r.child_id);
        if (children.length) (ctx.after ??= []).push(() => k.calls.cancelChildren(children));
      }
      if (kind === 'external') {
        for (const g of gone) {
          // An open incident means retries 0; a row read in this transaction tells whether to look.
          const known = ctx.readRows.get(g.id) ?? g;
          if (known.retries === undefined || known.retries === 0) await resolveIncidentsOf(locked(), g.id, hist, base, now);
        }
      }
      const have = new Map(existing.map((e) => [e.execution_id, e]));
      const fresh = live.filter((i) => !have.has(i.executionId));
      if (kind === 'timer') {
        for (const t of live) {
          const e = have.get(t.executionId);
          const due = timerDue(t, def, run);
          if (e && due && new Date(e.due_at!).getTime() !== due.getTime() && !e.locked_by) await store.updateTimerDue(locked(), e.id, due);
        }
      }
      if (kind === 'userTask') {
        const tasks = fresh.map((i) => taskRow(i, ctx, now));
        inserts[table] = tasks;
        // Written only for rows the insert really creates (the statement filters on its RETURNING).
        for (const t of tasks) {
          hist.push({ ...base, kind: 'task-created', task_id: t.id, activity_id: t.task_definition_key, activity_name: t.name, execution_id: t.execution_id, user_id: t.assignee, data: JSON.stringify({ assignee: t.assignee, candidateGroups: t.candidate_groups, due: t.due }), at: now });
        }
      } else inserts[table] = fresh.map((i) => projectionRow(kind, i, ctx, now));
    }
    // Native instances store their executions as rows (only those the command changed); bpmn-engine's state stays a blob.
    const rows = res.rows;
    const patch: InstancePatch = rows
      ? { engine_state: null, exec_prefix: rows.p, exec_seq: rows.n }
      : { engine_state: res.state ? JSON.stringify(res.state) : null, exec_prefix: null, exec_seq: null };
    if (res.ended) {
      patch.state = res.failure ? 'INTERNALLY_TERMINATED' : 'COMPLETED';
      patch.end_time = now;
      if (res.failure) patch.delete_reason = res.failure.slice(0, 1000);
      hist.push({ ...base, kind: res.failure ? 'instance-failed' : 'instance-end', data: res.failure ? JSON.stringify({ message: res.failure }) : null, at: now });
    }
    const variables = Object.entries(ctx.changed).map(([name, v]): NewVariable => ({ instance_id: row.id, name, type: v.type, value: v.value ?? null, value_info: v.valueInfo ?? {} }));
    if (inserts.engine_call?.length) (ctx.after ??= []).push(() => k.calls.startPending(row.id));
    if (run instanceof NativeRun && run.escalated.length) {
      const codes = [...run.escalated];
      (ctx.after ??= []).push(() => k.calls.escalated(row.id, codes));
    }
    if (run instanceof NativeRun && run.sent.length) {
      const sent = [...run.sent];
      (ctx.after ??= []).push(() => k.deliverSent(sent, row));
    }
    if (res.ended) (ctx.after ??= []).push(() => k.calls.ended(row.id));
    const written = await store.writeCommand(ctx.trx, {
      instanceId: row.id, patch, executions: rows, variables, deletes, inserts, history: hist, notify: { channel: EXTERNAL_TASK_CHANNEL, payload: row.id },
      guard: ctx.optimistic, insertInstance: start,
    });
    if (written.existing !== undefined) throw new Replay(written.existing);
    if (!written.ok) throw new Stale();
    if (run instanceof NativeRun) run.stored();
    const inserted = written.inserted;
    let complete = true;
    for (const [table, rows] of Object.entries(inserts) as Array<[ProjectionTable, NewProjectionRow[]]>) {
      const got = inserted[table] ?? [];
      if (got.length !== rows.length) complete = false;
      const byExec = new Map(rows.map((r) => [r.execution_id, r]));
      for (const g of got) kept[table]!.push(projectionKey({ ...(byExec.get(g.execution_id) ?? { execution_id: g.execution_id }), id: g.id }));
    }
    // A row that already existed (insert ignored) is not in `kept` as it is: read afresh next time.
    return { newExternal: inserted.engine_external_task?.length ?? 0, proj: complete ? kept : null };
  }

  async function resolveIncidentsOf(trx: Trx, externalTaskId: string, hist: NewHistory[], base: HistoryBase, now: Date): Promise<void> {
    const resolved = await store.resolveIncidents(trx, externalTaskId);
    for (const r of resolved) hist.push({ ...base, kind: 'incident-resolved', activity_id: r.activity_id, data: JSON.stringify({ incidentId: r.id }), at: now });
  }

  function toDate(v: unknown, what: string): Date | null {
    if (v === undefined || v === null || v === '') return null;
    if (v instanceof Date) return v;
    const d = parseCamundaDate(String(v));
    if (!d) throw new CommandError(`${what} '${String(v)}' is not a date`, `${what === 'dueDate' ? 'Hạn xử lý' : 'Ngày theo dõi'} '${String(v)}' không phải một ngày`);
    return d;
  }

  function list(v: unknown): string[] {
    if (v === undefined || v === null || v === '') return [];
    if (Array.isArray(v)) return v.map(String);
    return String(v).split(',').map((s) => s.trim()).filter(Boolean);
  }

  function timerDue(item: LiveItem, def: LoadedDefinition, run: Run): Date | undefined {
    const info = def.model.activities[item.activityId];
    if (info?.beforeDue && deps.workingTime) {
      const dueAt = run.vars.dueAt;
      const end = dueAt instanceof Date ? dueAt : typeof dueAt === 'string' ? parseCamundaDate(dueAt) : null;
      if (end) return deps.workingTime.subtract(end, workingAmount(info.beforeDue), (run.vars.unitId as string) ?? undefined);
    }
    return item.dueAt;
  }

  /** Attribute expressions see what the execution sees: its iteration's element variable, its scope's local variables. */
  function evaluator(i: LiveItem, ctx: Ctx) {
    const evalCtx = { id: i.activityId, item: i.loop?.item, index: i.loop?.index, executionId: i.executionId };
    return (t: string | undefined) => (t === undefined ? undefined : ctx.run.evaluate(t, i.loop ? evalCtx : { id: i.activityId, executionId: i.executionId }));
  }

  function taskRow(i: LiveItem, ctx: Ctx, now: Date): EngineTaskRow {
    const { row, def } = ctx;
    const info = def.model.activities[i.activityId] ?? { type: 'unknown' };
    const ev = evaluator(i, ctx);
    const unitId = row.unit_id ?? undefined;
    let due = toDate(ev(info.dueDate), 'dueDate');
    if (!due && info.budget && deps.workingTime) due = deps.workingTime.add(now, workingAmount(info.budget), unitId);
    const assignee = ev(info.assignee);
    const prio = ev(info.priority);
    return {
      id: crypto.randomUUID(), instance_id: row.id, execution_id: i.executionId, definition_id: row.definition_id, task_definition_key: i.activityId, name: info.name ?? null,
      assignee: assignee === undefined || assignee === null || assignee === '' ? null : String(assignee),
      candidate_users: list(ev(info.candidateUsers)), candidate_groups: list(ev(info.candidateGroups)),
      due, follow_up: toDate(ev(info.followUpDate), 'followUpDate'), priority: prio === undefined ? 50 : Number(prio) || 0,
      form_key: info.formKey ? String(ev(info.formKey)) : null, unit_id: row.unit_id ?? null, business_key: row.business_key ?? null, created: now,
    };
  }

  /** The row of anything else an instance waits for (user tasks: taskRow). */
  function projectionRow(kind: Exclude<LiveItem['kind'], 'userTask'>, i: LiveItem, ctx: Ctx, now: Date): NewProjectionRow {
    const { row, def, run } = ctx;
    const info = def.model.activities[i.activityId] ?? { type: 'unknown' };
    const common = { id: crypto.randomUUID(), instance_id: row.id, execution_id: i.executionId };
    const ev = evaluator(i, ctx);
    switch (kind) {
      case 'external': {
        const prio = ev(info.taskPriority);
        const external: NewExternalTask = {
          ...common, activity_id: i.activityId, topic: String(ev(info.topic) ?? ''), priority: prio === undefined ? 0 : Number(prio) || 0,
          retries: null, business_key: row.business_key ?? null, definition_id: row.definition_id, definition_key: row.definition_key, created: now,
          local_variables: i.locals ? JSON.stringify(Object.fromEntries(Object.entries(i.locals).map(([k, v]) => [k, typedFromPlain(v)]))) : null,
        };
        return external;
      }
      case 'timer': {
        const timer: NewTimer = { ...common, definition_id: row.definition_id, activity_id: i.activityId, due_at: timerDue(i, def, run) ?? now };
        return timer;
      }
      case 'call':
        return callRow(run, i, def.model, row, ctx.typed, now);
      case 'message': {
        const sub: EngineMessageSubRow = { ...common, activity_id: i.activityId, message_name: i.messageName ?? info.message?.name ?? '', message_ref: i.messageName ?? info.message?.id ?? '', business_key: row.business_key ?? null, created: now };
        return sub;
      }
    }
  }

  return { persist, resolveIncidentsOf };
}
