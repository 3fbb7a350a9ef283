import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/connect.js';
import { ApiError, badRequest, notFound } from '../http/errors.js';
import { isUniqueViolation } from '../http/idempotency.js';
import type { Logger } from '../log.js';
import { CommandError, EngineRun, serializeSource, type LiveItem, type RunResult } from './host.js';
import { NativeRun } from './runtime/run.js';
import { callRow, createCalls } from './calls.js';
import type { Run } from './runtime/types.js';
import { parseDefinitions, type Finding, type Interpreter, type ParsedDefinitions, type ProcessModel } from './model.js';
import { createEngineStore, type WriteGuard, toDefinition, toExternalTask, toInstance, toTask } from './store.js';
import type {
  DeployInput, Deployment, ExternalTaskRow, FetchAndLockInput, InstanceRow, LockedExternalTask, TaskQuery, TaskRow, TaskScope, WorkingTime,
} from './types.js';
import { parseCamundaDate, plainValue, typedFromPlain, type TypedValue } from './values.js';
import { firstDue, MAX_TIMER_ATTEMPTS, nextCycleDue } from './timer-spec.js';
import { parseBudget, type WorkingAmount } from '../calendar/index.js';

/** A model's tthc:budget / tthc:beforeDue (parseDefinitions refused malformed ones at deployment). */
function workingAmount(text: string): WorkingAmount {
  const a = parseBudget(text);
  if (!a) throw new Error(`Not a working-time amount: "${text}" (expected e.g. 4h, 0.5d, 7d)`);
  return a;
}

const EXTERNAL_TASK_CHANNEL = 'engine_external_task';

export interface EngineDeps {
  db: Database;
  log: Logger;
  workingTime?: WorkingTime;
  nodeId?: string;
  /** Timer fires per instance within a minute above which it is a timer loop (parked with an incident); default 120. */
  timerLoopFires?: number;
  /**
   * Which interpreter new deployments are compiled for (default: our own). Each definition keeps
   * the one it was deployed with, so instances of older definitions finish on bpmn-engine.
   */
  interpreter?: Interpreter;
  /**
   * Compiles a model for deployment (and the deployability check) somewhere other than the event
   * loop — the validation pool's threads; default: here. Must compile for `interpreter`.
   */
  compile?: (xml: string) => Promise<ParsedDefinitions>;
}

type Row = Record<string, any>;
type Trx = Knex.Transaction;

interface LoadedDefinition { row: Row; model: ProcessModel; engineSource: string }

/** What an instance waits for, per projection table: the columns reconciling needs. */
type Projections = Record<string, Row[]>;
const projectionKey = (r: Row): Row => ({ id: r.id, execution_id: r.execution_id, task_definition_key: r.task_definition_key, due_at: r.due_at, locked_by: r.locked_by });

interface Hot { revision: number; row: Row; run: Run; typed: Record<string, TypedValue>; proj: Projections | null }

/** The task or external task a command acts on, and what must hold for the caller to act on it. */
interface ItemTarget {
  table: 'engine_task' | 'engine_external_task';
  id: string;
  missing: string;
  scope?: TaskScope;
  /** A user task assigned to someone else is refused. */
  assignee?: string;
  /** An external task must be locked by this worker, the lock unexpired. */
  workerId?: string;
}

/** An optimistic command found its hot instance out of date: it is redone under the instance lock. */
class Stale extends Error {}
/** A start by key found a newer version than the cached latest: it is redone with the latest. */
class NotLatest extends Error {}
/** A keyed start whose key was already used: nothing was written; `existing` is the instance it made (if visible). */
class Replay extends Error { constructor(readonly existing: Row | null) { super('replayed start'); } }

const TABLE: Record<LiveItem['kind'], string> = {
  userTask: 'engine_task', external: 'engine_external_task', timer: 'engine_timer', message: 'engine_message_sub', call: 'engine_call',
};

const invalid = (type: string, message: string) => new ApiError(400, type, message);

export function createEngine(deps: EngineDeps) {
  const { db, log } = deps;
  const knex = db.knex;
  const store = createEngineStore();
  const nodeId = deps.nodeId ?? `node-${process.pid}`;
  const interpreter: Interpreter = deps.interpreter ?? 'native';
  /** A definition runs on the interpreter it was compiled for: a graph means ours. */
  const newRun = (def: LoadedDefinition, vars: Record<string, unknown>): Run =>
    (def.model.graph ? new NativeRun(def.model.graph, vars) : new EngineRun(def.engineSource, def.model, vars));
  const defCache = new LRUCache<string, LoadedDefinition>({ max: 200 });
  /**
   * Hot instances: the live bpmn-engine of an instance after its last command on this node,
   * trusted only while the row's revision is the one it was saved at (other nodes bump it).
   */
  const hot = new LRUCache<string, Hot>({ max: 2000 });
  /** Which instance a task or external task belongs to, for the optimistic path (a hint, never trusted alone). */
  const itemOwner = new LRUCache<string, string>({ max: 20000 });
  function keep(id: string, h: Hot): void {
    hot.set(id, h);
    for (const t of ['engine_task', 'engine_external_task']) for (const r of h.proj?.[t] ?? []) itemOwner.set(r.id, id);
  }
  /** Wakes local long polls; PostgreSQL NOTIFY feeds it from other nodes. */
  const wake = new EventEmitter();
  wake.setMaxListeners(0);
  let unlisten: (() => Promise<void>) | null = null;

  const compile = deps.compile ?? ((xml: string) => parseDefinitions(xml, interpreter));

  const calls = createCalls({
    knex, store, log,
    definitionRow: async (id) => (await loadDefinition(knex, id)).row,
    start: (input) => startProcess({ ...input, startUser: null }),
    onCaller: (instanceId, fn) => command(instanceId, null, async (ctx) => {
      fn(ctx.run, (executionId, vars) => setVariablesAt(ctx, executionId, vars), ctx.def.model);
    }),
    deleteInstance: (id, reason) => deleteInstance(id, reason, null),
  });

  async function loadDefinition(trx: Knex | Trx, id: string): Promise<LoadedDefinition> {
    const hit = defCache.get(id);
    if (hit) return hit;
    const row = await store.definitionById(trx, id);
    if (!row) throw notFound(`Process definition ${id} not found`);
    const loaded = { row, model: row.model as ProcessModel, engineSource: row.engine_source as string };
    defCache.set(id, loaded);
    return loaded;
  }

  // ------------------------------------------------------------------ deployment

  async function checkDeployable(xml: string): Promise<Finding[]> {
    return (await compile(xml)).findings;
  }

  async function deploy(input: DeployInput): Promise<Deployment> {
    if (!input.resources.length) throw badRequest('A deployment needs at least one .bpmn resource');
    const parsed: Array<{ res: DeployInput['resources'][number]; model: ProcessModel; hash: string; engineSource: string }> = [];
    for (const res of input.resources) {
      if (!/\.(bpmn|bpmn20\.xml|xml)$/i.test(res.name)) throw badRequest(`Resource '${res.name}' is not a BPMN file (.bpmn)`);
      const { processes, findings } = await compile(res.content);
      if (findings.length) {
        const f = findings[0]!;
        throw new ApiError(400, 'ParseException', `${res.name}: ${f.elementId ? `element '${f.elementId}': ` : ''}${f.message}`, { findings: findings.map((x) => ({ resource: res.name, ...x })) });
      }
      let engineSource = '';
      if (interpreter === 'bpmn-engine') try {
        engineSource = await serializeSource(res.content);
      } catch (err) {
        throw new ApiError(400, 'ParseException', `${res.name}: bpmn-engine cannot load it: ${(err as Error).message}`);
      }
      const hash = crypto.createHash('sha256').update(res.content).digest('hex');
      // A collaboration of several executable processes (native only): one definition each, one resource.
      for (const model of processes) parsed.push({ res, model, hash, engineSource });
    }
    const filter = input.duplicateFiltering || input.deployChangedOnly;
    const deployment = await knex.transaction(async (trx) => {
      const deploymentId = crypto.randomUUID();
      const deploymentTime = new Date();
      await store.insertDeployment(trx, { id: deploymentId, name: input.name ?? null, source: input.source ?? null, deployment_time: deploymentTime });
      const deployed: Row[] = [];
      const resourceIds = new Map<DeployInput['resources'][number], string>();
      for (const p of parsed) {
        const key = p.model.processId;
        await store.lockDefinitionKey(trx, key);
        const latest = await store.latestDefinition(trx, key);
        if (filter && latest && latest.hash === p.hash) continue;
        let resourceId = resourceIds.get(p.res);
        if (!resourceId) {
          resourceId = crypto.randomUUID();
          resourceIds.set(p.res, resourceId);
          await store.insertResource(trx, { id: resourceId, deployment_id: deploymentId, name: p.res.name, content: p.res.content, hash: p.hash });
        }
        const version = (latest?.version ?? 0) + 1;
        const row = {
          id: `${key}:${version}:${crypto.randomUUID()}`, key, version, version_tag: p.model.versionTag ?? null, name: p.model.name ?? null,
          deployment_id: deploymentId, resource_id: resourceId, resource_name: p.res.name, hash: p.hash,
          engine_source: p.engineSource, model: JSON.stringify(p.model), suspended: false,
        };
        await store.insertDefinition(trx, row);
        await scheduleStartTimers(trx, row.id, key, p.model);
        deployed.push(row);
      }
      return { id: deploymentId, name: input.name ?? null, source: input.source ?? null, deploymentTime, deployedProcessDefinitions: deployed.map(toDefinition) };
    });
    // Starts by key on this node take the new versions at once (other nodes find out at their next start).
    for (const d of deployment.deployedProcessDefinitions) latestByKey.delete(d.key);
    return deployment;
  }

  /** A new version replaces the previous version's start timers (Camunda does the same). */
  async function scheduleStartTimers(trx: Trx, definitionId: string, key: string, model: ProcessModel): Promise<void> {
    await store.deleteStartTimersOfKey(trx, key);
    for (const t of model.timerStarts) {
      const due = firstDue(t);
      if (!due) continue;
      await store.insertTimer(trx, {
        id: crypto.randomUUID(), instance_id: null, definition_id: definitionId, execution_id: `start:${definitionId}:${t.activityId}`,
        activity_id: t.activityId, due_at: due, repeat: t.timeCycle ?? null,
      });
    }
  }

  // ------------------------------------------------------------------ commands

  interface Ctx {
    trx: Trx | Knex; row: Row; def: LoadedDefinition; run: Run; typed: Record<string, TypedValue>; changed: Record<string, TypedValue>; userId: string | null;
    /** Set when the command runs without a transaction (a hot instance, a start): persist writes under this guard or throws Stale. */
    optimistic?: WriteGuard;
    /** History rows the command itself adds; written with the rest in one insert. */
    hist: Row[];
    /** User tasks this command completed: persist drops them without a 'task-deleted' fact. */
    completedTasks: Set<string>;
    /** The hot instance's projection rows, when trusted (same revision). */
    proj: Projections | null;
    /** `proj` holds full rows read with the instance's revision (a timer's claim): trusted even with timers. */
    projFresh?: boolean;
    /** Projection rows read under the instance lock in this command, by id. */
    readRows: Map<string, Row>;
    /** The task / external task a command targets, locked (latest version) with its instance. */
    item?: Row;
    /** Work for after the commit: call activities to start, called instances to delete, a caller to resume. */
    after?: Array<() => Promise<void>>;
  }

  async function runAfter(ctx: { after?: Array<() => Promise<void>> }): Promise<void> {
    for (const fn of ctx.after ?? []) {
      try { await fn(); } catch (err) { log.error({ err }, 'follow-up of a committed command failed; the scheduler sweep retries it'); }
    }
  }

  /**
   * Variables given with a task's completion: a name that is a local variable of the task or an
   * enclosing scope (input mappings) is set there, the rest on the instance (Camunda's propagation).
   */
  function setVariablesAt(ctx: Ctx, executionId: string, vars: Record<string, TypedValue> | undefined): void {
    if (!vars || !(ctx.run instanceof NativeRun)) { setVariables(ctx, vars); return; }
    const rest: Record<string, TypedValue> = {};
    for (const [k, v] of Object.entries(vars)) if (!ctx.run.assignLocal(executionId, k, plainValue(v))) rest[k] = v;
    setVariables(ctx, rest);
  }

  function setVariables(ctx: Ctx, vars: Record<string, TypedValue> | undefined): void {
    // The instance's unit is fixed when it starts (it scopes who reads and acts on it): no write moves it.
    const unit = vars?.unitId === undefined ? undefined : plainValue(vars.unitId);
    if (unit !== undefined && unit !== (ctx.row.unit_id ?? null)) {
      throw invalid('BadUserRequestException', `unitId: đơn vị của hồ sơ đang xử lý không thay đổi được / the unit of a running process instance (${ctx.row.unit_id ?? 'none'}) cannot change`);
    }
    for (const [k, v] of Object.entries(vars ?? {})) {
      ctx.typed[k] = v;
      ctx.changed[k] = v;
      ctx.run.vars[k] = plainValue(v);
    }
  }

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
      if (!row) throw notFound(typeof target === 'string' ? `Process instance ${target} not found` : target.missing);
      const instanceId = row.id as string;
      if (row.state !== 'ACTIVE') throw invalid('BadUserRequestException', `Process instance ${instanceId} has ended (${row.state})`);
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
      const written = await persist(ctx, res);
      newExternal = written.newExternal;
      thrown = run instanceof NativeRun ? [...run.thrown] : [];
      origin = instanceId;
      keepHot = res.ended ? null : { id: instanceId, revision: row.revision + 1, row, run, typed, proj: written.proj };
      after = ctx.after;
      return out;
    });
    // Only after the commit: a rolled-back command leaves no in-memory trace.
    const k = keepHot as (Hot & { id: string }) | null;
    if (k) keep(k.id, k);
    if (newExternal) wake.emit('task');
    for (const name of thrown) await throwSignal({ name, userId }, origin);
    await runAfter({ after });
    return result;
  }

  /**
   * The common case without a transaction: the instance is hot on this node and the command only
   * changes what the hot engine already knows. It runs in memory and is written by one statement
   * that re-checks, under row locks, everything it relied on (revision, the item, scope, assignee,
   * worker lock). Returns null when that cannot be done or the check fails; nothing was written
   * then, the in-memory run is dropped, and the caller takes the locked path, which answers errors.
   */
  async function optimisticCommand<T>(target: ItemTarget, userId: string | null, fn: (ctx: Ctx) => Promise<T>): Promise<{ out: T } | null> {
    const instanceId = itemOwner.get(target.id);
    const cached = instanceId ? hot.get(instanceId) : undefined;
    const known = cached?.proj?.[target.table]?.find((r) => r.id === target.id);
    const def = cached ? defCache.get(cached.row.definition_id) : undefined;
    if (!instanceId || !cached || !known || !def || !cached.run.reusable || cached.proj?.engine_timer?.length) return null;
    hot.delete(instanceId);
    const { row, run, typed } = cached;
    run.beginCommand();
    const item = {
      ...known, instance_id: instanceId, definition_id: row.definition_id, name: def.model.activities[known.task_definition_key]?.name ?? null,
      // The guard admits an external task only while it has retries left, so it has no open incident.
      retries: null,
    };
    const optimistic: WriteGuard = { kind: 'instance', revision: cached.revision, table: target.table, itemId: target.id, scope: target.scope, assignee: target.assignee, workerId: target.workerId };
    const ctx: Ctx = { trx: knex, optimistic, row, def, run, typed, changed: {}, userId, hist: [], completedTasks: new Set(), proj: cached.proj, readRows: new Map(), item };
    try {
      const out = await fn(ctx);
      const res = await run.finish();
      const written = await persist(ctx, res);
      if (!res.ended) keep(instanceId, { revision: cached.revision + 1, row, run, typed, proj: written.proj });
      if (written.newExternal) wake.emit('task');
      if (run instanceof NativeRun) for (const name of run.thrown) await throwSignal({ name, userId }, instanceId);
      await runAfter(ctx);
      return { out };
    } catch (err) {
      if (!(err instanceof Stale) && !(err instanceof CommandError) && !(err instanceof ApiError)) log.warn({ err }, 'optimistic command failed; retrying under the instance lock');
      return null;
    }
  }

  function checkItem(target: ItemTarget, item: Row): void {
    if (target.assignee && item.assignee && item.assignee !== target.assignee) {
      throw invalid('BadUserRequestException', `Task '${target.id}' is assigned to ${item.assignee}; claim it first`);
    }
    if (target.workerId !== undefined) checkWorker(item, target.workerId);
  }

  async function guardRun<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CommandError) throw invalid('ProcessEngineException', err.message);
      throw err;
    }
  }

  function plainVars(typed: Record<string, TypedValue>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(typed)) out[k] = plainValue(v);
    return out;
  }

  /**
   * Writes state, variables, history and reconciles the waiting-for tables with the run, in one
   * statement. What the instance waits for is read from the database unless the hot instance
   * remembers it (projection rows change only under the instance lock, at a known revision);
   * timers are always re-read, since the scheduler leases them without that lock.
   */
  async function persist(ctx: Ctx, res: RunResult, start?: Row): Promise<{ newExternal: number; proj: Projections | null }> {
    const { row, def, run } = ctx;
    // The optimistic path has no transaction: anything that needs a read first goes the locked way.
    const trx = ctx.optimistic ? null : (ctx.trx as Trx);
    const locked = (): Trx => { if (!trx) throw new Stale(); return trx; };
    const now = new Date();
    const hist: Row[] = ctx.hist;
    const base = { instance_id: row.id, definition_id: row.definition_id };
    // Output mappings wrote instance variables: stored like the caller's.
    for (const [k, v] of Object.entries(res.writes ?? {})) { const tv = typedFromPlain(v); ctx.typed[k] = tv; ctx.changed[k] = tv; }
    // Without timers the hot projections are exact; timers are leased by the scheduler without the instance lock.
    const allExisting = ctx.proj && (ctx.projFresh || !ctx.proj.engine_timer?.length) ? ctx.proj : await store.projectionsOf(locked(), row.id);
    for (const [name, v] of Object.entries(ctx.changed)) hist.push({ ...base, kind: 'variable-set', user_id: ctx.userId, data: JSON.stringify({ name, type: v.type, value: v.value }), at: now });
    for (const h of res.history) {
      hist.push({ ...base, kind: h.kind, activity_id: h.activityId, activity_type: h.activityType, activity_name: h.activityName ?? null, execution_id: h.executionId, at: h.at });
    }
    const deletes: Record<string, string[]> = {};
    const inserts: Record<string, Row[]> = {};
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
        const children = (await locked()('engine_call').whereIn('id', gone.map((g) => g.id)).whereNotNull('child_id').select('child_id')).map((r: Row) => r.child_id as string);
        if (children.length) (ctx.after ??= []).push(() => calls.cancelChildren(children));
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
          if (e && due && new Date(e.due_at).getTime() !== due.getTime() && !e.locked_by) await store.updateTimerDue(locked(), e.id, due);
        }
      }
      inserts[table] = fresh.map((i) => projectionRow(kind, i, ctx, now));
      if (kind === 'userTask') {
        // Written only for rows the insert really creates (the statement filters on its RETURNING).
        for (const t of inserts[table]) {
          hist.push({ ...base, kind: 'task-created', task_id: t.id, activity_id: t.task_definition_key, activity_name: t.name, execution_id: t.execution_id, user_id: t.assignee, data: JSON.stringify({ assignee: t.assignee, candidateGroups: t.candidate_groups, due: t.due }), at: now });
        }
      }
    }
    const patch: { engine_state: string | null; state?: string; end_time?: Date; delete_reason?: string } = { engine_state: res.state ? JSON.stringify(res.state) : null };
    if (res.ended) {
      patch.state = res.failure ? 'INTERNALLY_TERMINATED' : 'COMPLETED';
      patch.end_time = now;
      if (res.failure) patch.delete_reason = res.failure.slice(0, 1000);
      hist.push({ ...base, kind: res.failure ? 'instance-failed' : 'instance-end', data: res.failure ? JSON.stringify({ message: res.failure }) : null, at: now });
    }
    const variables = Object.entries(ctx.changed).map(([name, v]) => ({ instance_id: row.id, name, type: v.type, value: v.value ?? null, value_info: v.valueInfo ?? {} }));
    if (inserts.engine_call?.length) (ctx.after ??= []).push(() => calls.startPending(row.id));
    if (run instanceof NativeRun && run.escalated.length) {
      const codes = [...run.escalated];
      (ctx.after ??= []).push(() => calls.escalated(row.id, codes));
    }
    if (run instanceof NativeRun && run.sent.length) {
      const sent = [...run.sent];
      (ctx.after ??= []).push(() => deliverSent(sent, row));
    }
    if (res.ended) (ctx.after ??= []).push(() => calls.ended(row.id));
    const written = await store.writeCommand(ctx.trx, {
      instanceId: row.id, patch, variables, deletes, inserts, history: hist, notify: { channel: EXTERNAL_TASK_CHANNEL, payload: row.id },
      guard: ctx.optimistic, insertInstance: start,
    });
    if (written.existing !== undefined) throw new Replay(written.existing);
    if (!written.ok) throw new Stale();
    const inserted = written.inserted;
    let complete = true;
    for (const [table, rows] of Object.entries(inserts)) {
      const got = inserted[table] ?? [];
      if (got.length !== rows.length) complete = false;
      const byExec = new Map(rows.map((r) => [r.execution_id as string, r]));
      for (const g of got) kept[table]!.push(projectionKey({ ...byExec.get(g.execution_id), id: g.id }));
    }
    // A row that already existed (insert ignored) is not in `kept` as it is: read afresh next time.
    return { newExternal: inserted.engine_external_task?.length ?? 0, proj: complete ? kept : null };
  }

  async function resolveIncidentsOf(trx: Trx, externalTaskId: string, hist: Row[], base: Row, now: Date): Promise<void> {
    const resolved = await store.resolveIncidents(trx, externalTaskId);
    for (const r of resolved) hist.push({ ...base, kind: 'incident-resolved', activity_id: r.activity_id, data: JSON.stringify({ incidentId: r.id }), at: now });
  }

  function toDate(v: unknown, what: string): Date | null {
    if (v === undefined || v === null || v === '') return null;
    if (v instanceof Date) return v;
    const d = parseCamundaDate(String(v));
    if (!d) throw new CommandError(`${what} '${String(v)}' is not a date`);
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

  function projectionRow(kind: LiveItem['kind'], i: LiveItem, ctx: Ctx, now: Date): Row {
    const { row, def, run } = ctx;
    const info = def.model.activities[i.activityId] ?? { type: 'unknown' };
    const common = { id: crypto.randomUUID(), instance_id: row.id, execution_id: i.executionId };
    // Multi-instance iterations see their element variable in attribute expressions.
    // Attribute expressions see what the execution sees: its iteration's element variable, its scope's local variables.
    const evalCtx = { id: i.activityId, item: i.loop?.item, index: i.loop?.index, executionId: i.executionId };
    const ev = (t: string | undefined) => (t === undefined ? undefined : run.evaluate(t, i.loop ? evalCtx : { id: i.activityId, executionId: i.executionId }));
    switch (kind) {
      case 'userTask': {
        const unitId = (row.unit_id as string | null) ?? undefined;
        let due = toDate(ev(info.dueDate), 'dueDate');
        if (!due && info.budget && deps.workingTime) due = deps.workingTime.add(now, workingAmount(info.budget), unitId);
        const assignee = ev(info.assignee);
        const prio = ev(info.priority);
        return {
          ...common, definition_id: row.definition_id, task_definition_key: i.activityId, name: info.name ?? null,
          assignee: assignee === undefined || assignee === null || assignee === '' ? null : String(assignee),
          candidate_users: list(ev(info.candidateUsers)), candidate_groups: list(ev(info.candidateGroups)),
          due, follow_up: toDate(ev(info.followUpDate), 'followUpDate'), priority: prio === undefined ? 50 : Number(prio) || 0,
          form_key: info.formKey ? String(ev(info.formKey)) : null, unit_id: row.unit_id ?? null, business_key: row.business_key ?? null, created: now,
        };
      }
      case 'external': {
        const prio = ev(info.taskPriority);
        return {
          ...common, activity_id: i.activityId, topic: String(ev(info.topic) ?? ''), priority: prio === undefined ? 0 : Number(prio) || 0,
          retries: null, business_key: row.business_key ?? null, definition_id: row.definition_id, definition_key: row.definition_key, created: now,
          local_variables: i.locals ? JSON.stringify(Object.fromEntries(Object.entries(i.locals).map(([k, v]) => [k, typedFromPlain(v)]))) : null,
        };
      }
      case 'timer':
        return { ...common, definition_id: row.definition_id, activity_id: i.activityId, due_at: timerDue(i, def, run) ?? now };
      case 'call':
        return callRow(run, i, def.model, row, ctx.typed, now);
      case 'message':
        return { ...common, activity_id: i.activityId, message_name: i.messageName ?? info.message?.name ?? '', message_ref: i.messageName ?? info.message?.id ?? '', business_key: row.business_key ?? null, created: now };
    }
  }

  // ------------------------------------------------------------------ start

  interface StartInput {
    definitionId?: string;
    key?: string;
    businessKey?: string | null;
    variables?: Record<string, TypedValue>;
    startUser?: string | null;
    /** Internal: the id of an instance a call activity starts (linked to its caller before it runs). */
    id?: string;
    /** Internal: the unit of an instance started by a call activity (the caller's). */
    unitId?: string | null;
    /** Internal: which start event fires (message or timer start). */
    trigger?: { messageRef?: string; timerActivityId?: string; signal?: string };
    /**
     * A start carrying a key already used answers the instance that key started (`replayed`) and
     * starts nothing; the key is written with the instance, in the same statement. Callers namespace it.
     */
    idempotencyKey?: string | null;
  }

  /**
   * The latest version's id per key, as this node last saw it. A start from it is written only
   * while it is still the latest (its guard checks), so a deployment on another node costs one retry.
   */
  const latestByKey = new LRUCache<string, string>({ max: 500 });

  async function resolveDefinition(trx: Knex | Trx, input: { definitionId?: string; key?: string }, fresh = false): Promise<LoadedDefinition & { byKey?: boolean }> {
    if (input.definitionId) return loadDefinition(trx, input.definitionId);
    if (!input.key) throw badRequest('Either definitionId or key is required');
    let latest = fresh ? undefined : latestByKey.get(input.key);
    if (!latest) {
      latest = await store.latestDefinitionId(trx, input.key);
      if (!latest) throw notFound(`No process definition with key '${input.key}'`);
      latestByKey.set(input.key, latest);
    }
    return { ...(await loadDefinition(trx, latest)), byKey: true };
  }

  /** The instance a key already started, answered again; a key reused for another start is a conflict. */
  function replayOf(prior: Row, def: LoadedDefinition, businessKey: string | null): InstanceRow & { ended: boolean; replayed: true } {
    if (prior.definition_key !== def.row.key || (prior.business_key ?? null) !== businessKey) {
      throw new ApiError(409, 'IdempotencyKeyReused', 'Idempotency-Key đã dùng cho một yêu cầu khác / the Idempotency-Key was already used for a different start');
    }
    const at = (v: unknown) => (v === null || v === undefined ? v : new Date(v as string));
    return { ...toInstance({ ...prior, start_time: at(prior.start_time), end_time: at(prior.end_time) }), ended: prior.state !== 'ACTIVE', replayed: true };
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
  async function startProcess(input: StartInput): Promise<InstanceRow & { ended: boolean; replayed?: boolean }> {
    try {
      return await startOnce(input, false);
    } catch (err) {
      // A newer version was deployed (by another node) since this node cached the latest: once more, fresh.
      if (err instanceof NotLatest) return startOnce(input, true);
      throw err;
    }
  }

  async function startOnce(input: StartInput, fresh: boolean): Promise<InstanceRow & { ended: boolean; replayed?: boolean }> {
    const businessKey = input.businessKey ?? null;
    if (businessKey !== null && (typeof businessKey !== 'string' || businessKey.length > 255)) throw badRequest('businessKey must be a string of at most 255 characters');
    // No transaction: the new instance and everything it waits for are one statement, written only
    // while the definition is not suspended (checked under a share lock against a concurrent suspend).
    const def = await resolveDefinition(knex, input, fresh);
    const key = input.idempotencyKey ?? null;
    if (!input.trigger && !def.model.noneStart) {
      throw invalid('BadUserRequestException', `Process '${def.row.key}' starts by a message or timer, not directly`);
    }
    const typed = { ...(input.variables ?? {}) };
    const unit = input.unitId !== undefined ? input.unitId : typed.unitId ? plainValue(typed.unitId) : null;
    const id = input.id ?? crypto.randomUUID();
    const now = new Date();
    const row: Row = {
      id, definition_id: def.row.id, definition_key: def.row.key, business_key: businessKey, unit_id: typeof unit === 'string' ? unit : null,
      state: 'ACTIVE', revision: 1, start_user: input.startUser ?? null, start_time: now,
      ...(key ? { idempotency_key: key } : {}),
    };
    const run = newRun(def, plainVars(typed));
    const ctx: Ctx = {
      trx: knex, optimistic: { kind: 'definition', definitionId: def.row.id, latest: def.byKey }, row, def, run, typed, changed: { ...typed }, userId: input.startUser ?? null,
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
    let written: Awaited<ReturnType<typeof persist>>;
    try {
      written = await persist(ctx, res, row);
    } catch (err) {
      if (err instanceof Replay) {
        // The key was used before: its instance, from the same statement (or, if that start committed meanwhile, read now).
        const again = err.existing ? replayOf(err.existing, def, businessKey) : await replayed(key!, def, businessKey);
        if (again) return again;
        throw err;
      }
      if (err instanceof Stale) {
        if (def.byKey && !fresh) throw new NotLatest();
        throw invalid('BadUserRequestException', `Process definition ${def.row.id} is suspended`);
      }
      // A concurrent start with the same key won: answer its instance (this statement wrote nothing).
      if (key && isUniqueViolation(err, 'engine_instance_idempotency_key')) {
        const again = await replayed(key, def, businessKey);
        if (again) return again;
      }
      throw err;
    }
    if (written.newExternal) wake.emit('task');
    if (!res.ended) keep(id, { revision: 1, row, run, typed, proj: written.proj });
    if (run instanceof NativeRun) for (const name of run.thrown) await throwSignal({ name, userId: input.startUser ?? null }, id);
    await runAfter(ctx);
    return { ...toInstance({ ...row, state: res.ended ? (res.failure ? 'INTERNALLY_TERMINATED' : 'COMPLETED') : 'ACTIVE' }), ended: res.ended };
  }

  // ------------------------------------------------------------------ user tasks

  async function getTask(id: string, scope: TaskScope): Promise<TaskRow> {
    const r = await store.taskById(knex, id, scope);
    if (!r) throw notFound(`Cannot find task with id ${id}`);
    return toTask(r);
  }

  async function claimTask(id: string, userId: string, scope: TaskScope): Promise<void> {
    await knex.transaction(async (trx) => {
      const t = await store.taskById(trx, id, scope, true);
      if (!t) throw notFound(`Cannot find task with id ${id}`);
      if (t.assignee && t.assignee !== userId) throw invalid('TaskAlreadyClaimedException', `Task '${id}' is already claimed by someone else.`);
      await store.updateTask(trx, id, { assignee: userId });
      await store.appendHistory(trx, [{ instance_id: t.instance_id, definition_id: t.definition_id, kind: 'task-claimed', task_id: id, activity_id: t.task_definition_key, user_id: userId, at: new Date() }]);
    });
  }

  async function setAssignee(id: string, assignee: string | null, actor: string | null, scope: TaskScope): Promise<void> {
    await knex.transaction(async (trx) => {
      const t = await store.taskById(trx, id, scope, true);
      if (!t) throw notFound(`Cannot find task with id ${id}`);
      await store.updateTask(trx, id, { assignee });
      await store.appendHistory(trx, [{ instance_id: t.instance_id, definition_id: t.definition_id, kind: assignee ? 'task-assigned' : 'task-unclaimed', task_id: id, activity_id: t.task_definition_key, user_id: actor, data: JSON.stringify({ assignee }), at: new Date() }]);
    });
  }

  /** Returns the task's process instance (for `withVariablesInReturn`, without reading the task first). */
  async function completeTask(id: string, input: { variables?: Record<string, TypedValue>; userId: string | null }, scope: TaskScope): Promise<{ processInstanceId: string }> {
    const assignee = 'all' in scope ? undefined : scope.username;
    return command({ table: 'engine_task', id, missing: `Cannot find task with id ${id}`, scope, assignee }, input.userId, async (ctx) => {
      // Locked with the instance, so a concurrent completion on another node has either finished or not begun.
      const t = ctx.item!;
      if (!ctx.run.live.has(t.execution_id)) throw invalid('BadUserRequestException', `Task '${id}' is no longer waiting`);
      setVariablesAt(ctx, t.execution_id, input.variables);
      ctx.hist.push({ instance_id: t.instance_id, definition_id: t.definition_id, kind: 'task-completed', task_id: id, activity_id: t.task_definition_key, activity_name: t.name, execution_id: t.execution_id, user_id: input.userId ?? t.assignee, at: new Date() });
      ctx.completedTasks.add(id);
      ctx.run.signalTask(t.task_definition_key, t.execution_id);
      return { processInstanceId: ctx.row.id as string };
    });
  }

  // ------------------------------------------------------------------ external tasks

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
      const out: Row[] = [];
      for (const t of input.topics) {
        const left = input.maxTasks - out.length;
        if (left <= 0) break;
        const until = new Date(Date.now() + t.lockDuration);
        out.push(...await store.lockExternalTasks(trx, t, left, input.usePriority !== false, input.workerId, until));
      }
      return out.map(({ variables: vars, local_variables: localVars, ...r }) => {
        const variables: Record<string, TypedValue> = {};
        for (const v of (typeof vars === 'string' ? JSON.parse(vars) : vars ?? []) as Row[]) variables[v.name] = { type: v.type, value: v.value, valueInfo: v.valueInfo ?? {} };
        // The task's own input mappings hide instance variables of the same name (Camunda: local first).
        const locals = (typeof localVars === 'string' ? JSON.parse(localVars) : localVars ?? {}) as Record<string, TypedValue>;
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

  async function lockedTask(trx: Knex | Trx, id: string, workerId: string, lock = true): Promise<Row> {
    const t = await store.externalTaskById(trx, id, lock);
    if (!t) throw notFound(`External task with id ${id} does not exist`);
    return checkWorker(t, workerId);
  }

  function checkWorker(t: Row, workerId: string): Row {
    const id = t.id as string;
    if (t.worker_id !== workerId) {
      throw invalid('BadUserRequestException', `External Task ${id} cannot be completed by worker '${workerId}'. It is locked by worker '${t.worker_id ?? 'nobody'}'.`);
    }
    if (!t.lock_expiration || new Date(t.lock_expiration).getTime() < Date.now()) {
      throw invalid('BadUserRequestException', `External Task ${id}: the lock of worker '${workerId}' has expired`);
    }
    return t;
  }

  async function completeExternalTask(id: string, input: { workerId: string; variables?: Record<string, TypedValue> }): Promise<void> {
    await command({ table: 'engine_external_task', id, missing: `External task with id ${id} does not exist`, workerId: input.workerId }, input.workerId, async (ctx) => {
      const t = ctx.item!;
      ctx.readRows.set(t.id, t);
      setVariablesAt(ctx, t.execution_id, input.variables);
      if (!ctx.run.completeExternal(t.execution_id)) throw invalid('BadUserRequestException', `External task ${id} is no longer active`);
    });
  }

  async function bpmnErrorExternalTask(id: string, input: { workerId: string; errorCode: string; errorMessage?: string; variables?: Record<string, TypedValue> }): Promise<void> {
    await command({ table: 'engine_external_task', id, missing: `External task with id ${id} does not exist`, workerId: input.workerId }, input.workerId, async (ctx) => {
      const t = ctx.item!;
      ctx.readRows.set(t.id, t);
      setVariablesAt(ctx, t.execution_id, input.variables);
      if (!ctx.run.bpmnErrorExternal(t.execution_id, input.errorCode, input.errorMessage)) throw invalid('BadUserRequestException', `External task ${id} is no longer active`);
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
    if (!Number.isInteger(retries) || retries < 0) throw badRequest('retries must be a non-negative integer');
    await knex.transaction(async (trx) => {
      const t = await store.externalTaskById(trx, id, true);
      if (!t) throw notFound(`External task with id ${id} does not exist`);
      await store.updateExternalTask(trx, id, { retries });
      if (retries > 0) await resolveIncidentsOf(trx, id, [], {}, new Date()).then(async () => {
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
      if (!t) throw notFound(`External task with id ${id} does not exist`);
      await store.updateExternalTask(trx, id, { worker_id: null, lock_expiration: null });
    });
    wake.emit('task');
  }

  // ------------------------------------------------------------------ messages

  /**
   * `unitIds`: a scoped caller reaches only instances of these units (others answer like no match);
   * `allowStart: false`: the message may not start a process (the caller could not start one).
   */
  async function correlateMessage(input: { messageName: string; businessKey?: string | null; processInstanceId?: string | null; processVariables?: Record<string, TypedValue>; correlationKeys?: Record<string, TypedValue>; all?: boolean; userId?: string | null; unitIds?: readonly string[]; allowStart?: boolean }): Promise<Array<{ resultType: 'Execution' | 'ProcessDefinition'; processInstanceId: string }>> {
    const keys = Object.entries(input.correlationKeys ?? {});
    const correlationKeys = keys.length ? Object.fromEntries(keys.map(([k, v]) => [k, v.value])) : undefined;
    const subs = await store.messageSubscriptions(knex, { messageName: input.messageName, businessKey: input.businessKey ?? undefined, processInstanceId: input.processInstanceId ?? undefined, correlationKeys, unitIds: input.unitIds });
    const byInstance = new Map<string, Row>();
    for (const s of subs) if (!byInstance.has(s.instance_id)) byInstance.set(s.instance_id, s);
    const targets = [...byInstance.values()];
    if (targets.length > 1 && !input.all) {
      throw invalid('MismatchingMessageCorrelationException', `Cannot correlate message '${input.messageName}': ${targets.length} process instances match; give a businessKey or processInstanceId, or use "all": true`);
    }
    const results: Array<{ resultType: 'Execution' | 'ProcessDefinition'; processInstanceId: string }> = [];
    for (const s of targets) {
      await command(s.instance_id, input.userId ?? null, async (ctx) => {
        const live = [...ctx.run.live.values()].find((i) => i.kind === 'message' && ctx.def.model.activities[i.activityId]?.message?.name === input.messageName);
        if (!live) throw invalid('MismatchingMessageCorrelationException', `Process instance ${s.instance_id} no longer waits for '${input.messageName}'`);
        setVariables(ctx, input.processVariables);
        ctx.run.message(ctx.def.model.activities[live.activityId]!.message!.id);
      });
      results.push({ resultType: 'Execution', processInstanceId: s.instance_id });
    }
    if (results.length) return results;
    // Correlation keys name variables of a running instance: a message carrying them starts nothing.
    if (!input.processInstanceId && !correlationKeys && input.allowStart !== false) {
      const defs = await store.latestWithMessageStart(knex, input.messageName);
      if (defs.length > 1 && !input.all) throw invalid('MismatchingMessageCorrelationException', `Message '${input.messageName}' starts ${defs.length} processes`);
      for (const d of defs) {
        const model = (typeof d.model === 'string' ? JSON.parse(d.model) : d.model) as ProcessModel;
        const startId = model.messageStarts[input.messageName]!;
        const inst = await startProcess({ definitionId: d.id, businessKey: input.businessKey ?? null, variables: input.processVariables, startUser: input.userId ?? null, trigger: { messageRef: model.activities[startId]!.message!.id } });
        results.push({ resultType: 'ProcessDefinition', processInstanceId: inst.id });
      }
    }
    if (!results.length) throw invalid('MismatchingMessageCorrelationException', `Cannot correlate message '${input.messageName}': no process instance waits for it and no process starts with it`);
    return results;
  }

  // ------------------------------------------------------------------ message flows

  let sendDepth = 0;
  /**
   * A message sent along a message flow to a process of the same file (§13.4.1): it reaches the
   * instances of that process with the sender's business key waiting for it, or, if none waits,
   * starts that process when it has a start event for the message. Chains stop after 10 hops.
   */
  async function deliverSent(sent: Array<{ process: string; message: string }>, from: Row): Promise<void> {
    if (sendDepth >= 10) { log.warn({ instanceId: from.id }, 'message chain too deep; not delivered further'); return; }
    sendDepth++;
    try {
      for (const m of sent) {
        const q = knex('engine_message_sub as s').join('engine_instance as i', 'i.id', 's.instance_id')
          .where({ 's.message_name': m.message, 'i.definition_key': m.process, 'i.state': 'ACTIVE' }).whereNot('i.id', from.id).distinct('i.id');
        if (from.business_key) q.where('i.business_key', from.business_key); else q.whereNull('i.business_key');
        let delivered = 0;
        for (const { id } of await q) {
          await command(id as string, null, async (ctx) => {
            const live = [...ctx.run.live.values()].find((i) => i.kind === 'message' && ctx.def.model.activities[i.activityId]?.message?.name === m.message);
            if (!live) return;
            ctx.run.message(ctx.def.model.activities[live.activityId]!.message!.id);
            delivered++;
          }).catch((err) => { if (!(err instanceof ApiError && err.status < 500)) throw err; });
        }
        if (delivered) continue;
        const latest = await store.latestDefinition(knex, m.process);
        const model = latest ? ((typeof latest.model === 'string' ? JSON.parse(latest.model) : latest.model) as ProcessModel) : undefined;
        const startId = model?.messageStarts[m.message];
        if (!latest || !startId) { log.warn({ message: m.message, process: m.process }, 'message flow: nobody waits for the message and it starts nothing'); continue; }
        await startProcess({ definitionId: latest.id, businessKey: from.business_key ?? null, unitId: from.unit_id ?? null, trigger: { messageRef: model.activities[startId]!.message!.id } });
      }
    } finally {
      sendDepth--;
    }
  }

  // ------------------------------------------------------------------ signals

  let signalDepth = 0;
  /**
   * A signal is broadcast (BPMN 2.0 §10.5.4): every instance waiting for it is triggered, each in its
   * own command, and the latest version of every process with that signal start starts once.
   * `origin` already delivered it to itself. Chains of signals stop after 10 hops.
   */
  async function throwSignal(input: { name: string; variables?: Record<string, TypedValue>; userId?: string | null }, origin?: string): Promise<void> {
    if (!input.name || input.name.length > 255) throw badRequest('A signal needs a name of at most 255 characters');
    if (signalDepth >= 10) { log.warn({ signal: input.name }, 'signal chain too deep; not broadcast further'); return; }
    signalDepth++;
    try {
      const subs = await store.messageSubscriptions(knex, { messageName: `signal:${input.name}` });
      for (const instanceId of new Set(subs.map((x) => x.instance_id as string))) {
        if (instanceId === origin) continue;
        try {
          await command(instanceId, input.userId ?? null, async (ctx) => {
            setVariables(ctx, input.variables);
            if (ctx.run instanceof NativeRun) ctx.run.signal(input.name);
          });
        } catch (err) {
          if (!(err instanceof ApiError && err.status < 500)) throw err;
        }
      }
      for (const d of await store.latestWithSignalStart(knex, input.name)) {
        await startProcess({ definitionId: d.id, variables: input.variables, startUser: input.userId ?? null, trigger: { signal: input.name } });
      }
    } finally {
      signalDepth--;
    }
  }

  // ------------------------------------------------------------------ timers

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
    await calls.sweep().catch((err) => log.error({ err }, 'call activity sweep failed'));
    const claimed = await store.claimDueTimersWithState(knex, nodeId, limit, 10_000);
    let fired = 0;
    const fireOne = async (c: Row, first: boolean): Promise<void> => {
      const t = json(c.timer) as Row;
      try {
        if (t.instance_id && firesTooOften(t.instance_id)) {
          await parkFailingTimer(t, new Error(`instance fired more than ${LOOP_FIRES} timers within a minute (a timer loop); parked`));
          return;
        }
        if (t.instance_id) {
          if (!(first && await fireOptimistic(t, c))) {
            await command(t.instance_id, null, async (ctx) => {
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
        const e = err as ApiError;
        // An instance that has ended or a stale timer: drop it rather than retry forever. A model that
        // cannot go on at that point (an expression failing) is retried, then parked with an incident.
        if (e instanceof ApiError && e.status < 500 && e.type !== 'ProcessEngineException') { await knex('engine_timer').where({ id: t.id }).delete(); return; }
        // camunda:failedJobRetryTimeCycle (R<n>/<duration>, compiled into the graph): n attempts, that far apart.
        const retry = t.instance_id ? await loadDefinition(knex, t.definition_id).then((d) => d.model.graph?.nodes[t.activity_id]?.retry, () => undefined) : undefined;
        if (Number(t.attempts) >= (retry?.times ?? MAX_TIMER_ATTEMPTS)) {
          log.error({ err, timerId: t.id }, 'timer failed too often; parked with an incident');
          await parkFailingTimer(t, err).catch((e2) => log.error({ err: e2, timerId: t.id }, 'could not park a failing timer'));
        } else if (retry) {
          log.error({ err, timerId: t.id }, 'job failed; it will be retried as its failedJobRetryTimeCycle says');
          await knex('engine_timer').where({ id: t.id }).update({ locked_until: new Date(Date.now() + retry.intervalMs) });
        } else log.error({ err, timerId: t.id }, 'timer fire failed; it will be retried after its lease');
      }
    };
    // Timers of different instances fire side by side (each waits on its own round trip; the embedded
    // database has one connection, so one at a time there); a second timer of an instance, and
    // start timers, after them, one by one.
    const firsts: Row[] = [];
    const rest: Row[] = [];
    const seen = new Set<string>();
    for (const c of claimed) {
      const id = (json(c.timer) as Row).instance_id as string | null;
      if (id && !seen.has(id)) { seen.add(id); firsts.push(c); } else rest.push(c);
    }
    let next = 0;
    await Promise.all(Array.from({ length: db.kind === 'postgres' ? 8 : 1 }, async () => {
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
  async function fireOptimistic(t: Row, c: Row): Promise<boolean> {
    const inst = json(c.instance) as Row | null;
    if (!inst || inst.state !== 'ACTIVE' || !c.engine_state) return false;
    const instanceId = inst.id as string;
    let done: { ctx: Ctx; res: RunResult; run: Run; row: Row; typed: Record<string, TypedValue>; written: Awaited<ReturnType<typeof persist>> };
    try {
      const def = await loadDefinition(knex, inst.definition_id);
      const typed: Record<string, TypedValue> = {};
      for (const v of json(c.variables) as Row[]) typed[v.name] = { type: v.type, value: v.value, valueInfo: v.valueInfo ?? {} };
      const proj = json(c.projections) as Projections;
      if (!proj.engine_timer?.some((x) => x.id === t.id)) return false;
      const readRows = new Map<string, Row>();
      for (const rows of Object.values(proj)) for (const r of rows) readRows.set(r.id, r);
      const cached = hot.get(instanceId);
      hot.delete(instanceId);
      let run: Run;
      if (cached && cached.revision === inst.revision && cached.run.reusable) {
        run = cached.run;
        run.beginCommand();
      } else {
        run = newRun(def, plainVars(typed));
        await run.resume(json(c.engine_state));
      }
      const row: Row = { ...inst, start_time: new Date(inst.start_time) };
      const ctx: Ctx = {
        trx: knex, optimistic: { kind: 'instance', revision: inst.revision, table: 'engine_timer', itemId: t.id, leasedBy: nodeId },
        row, def, run, typed, changed: {}, userId: null, hist: [], completedTasks: new Set(), proj, projFresh: true, readRows,
      };
      if (!run.fireTimer(t.execution_id)) return false;
      const res = await run.finish();
      const written = await persist(ctx, res);
      done = { ctx, res, run, row, typed, written };
    } catch (err) {
      if (!(err instanceof Stale) && !(err instanceof CommandError) && !(err instanceof ApiError)) log.warn({ err }, 'timer fire without a lock failed; redone under the instance lock');
      return false;
    }
    // Written: what follows the commit never makes the timer fire again.
    const { ctx, res, run, row, typed, written } = done;
    if (!res.ended) keep(instanceId, { revision: inst.revision + 1, row, run, typed, proj: written.proj });
    if (written.newExternal) wake.emit('task');
    if (run instanceof NativeRun) for (const name of run.thrown) await throwSignal({ name, userId: null }, instanceId);
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

  async function fireStartTimer(t: Row): Promise<void> {
    const def = await loadDefinition(knex, t.definition_id);
    await startProcess({ definitionId: t.definition_id, trigger: { timerActivityId: t.activity_id } });
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
  async function parkFailingTimer(t: Row, err: unknown): Promise<void> {
    const message = String((err as Error)?.message ?? err).slice(0, 500);
    await knex.transaction(async (trx) => {
      await trx('engine_timer').where({ id: t.id }).update({ locked_until: new Date('9999-12-31T00:00:00Z'), locked_by: 'incident' });
      // An async continuation is a job, not a timer event: Camunda calls its incident failedJob.
      const node = t.instance_id ? (await loadDefinition(trx, t.definition_id)).model.graph?.nodes[t.activity_id] : undefined;
      const job = Boolean(node && (node.asyncBefore || node.asyncAfter) && node.event?.kind !== 'timer');
      await store.insertIncident(trx, {
        id: crypto.randomUUID(), instance_id: t.instance_id ?? null, definition_id: t.definition_id, activity_id: t.activity_id,
        incident_type: job ? 'failedJob' : 'failedTimer', configuration: t.id, message, created: new Date(),
      });
    });
  }

  async function nextTimerDue(): Promise<Date | null> {
    return store.nextTimerDue(knex);
  }

  // ------------------------------------------------------------------ instances and queries

  async function deleteInstance(id: string, reason: string | null, userId: string | null): Promise<void> {
    hot.delete(id);
    let children: string[] = [];
    await knex.transaction(async (trx) => {
      const row = await store.lockInstance(trx, id);
      if (!row) throw notFound(`Process instance with id ${id} does not exist`);
      if (row.state !== 'ACTIVE') throw notFound(`Process instance with id ${id} does not exist`);
      const ext = await store.rowsOf(trx, 'engine_external_task', id);
      children = (await store.rowsOf(trx, 'engine_call', id)).filter((c) => c.child_id).map((c) => c.child_id as string);
      const now = new Date();
      const hist: Row[] = [];
      const base = { instance_id: id, definition_id: row.definition_id };
      for (const e of ext) await resolveIncidentsOf(trx, e.id, hist, base, now);
      for (const t of await store.rowsOf(trx, 'engine_task', id)) hist.push({ ...base, kind: 'task-deleted', task_id: t.id, activity_id: t.task_definition_key, user_id: userId, at: now });
      await store.deleteAllOf(trx, id);
      await store.updateInstance(trx, id, { state: 'EXTERNALLY_TERMINATED', end_time: now, delete_reason: reason ?? 'deleted', engine_state: null });
      hist.push({ ...base, kind: 'instance-deleted', user_id: userId, data: JSON.stringify({ reason }), at: now });
      await store.appendHistory(trx, hist);
    });
    // What its call activities called goes with it.
    await calls.cancelChildren(children);
  }

  type ModificationInstruction = { type: 'startBeforeActivity' | 'startAfterActivity' | 'cancel'; activityId?: string; activityInstanceId?: string };
  /**
   * Administrators repairing a dossier (`POST /process-instance/{id}/modification`): one command,
   * recorded in the instance history with who did it, what and why. Native instances only.
   */
  async function modifyInstance(id: string, input: { instructions: ModificationInstruction[]; annotation?: string | null; variables?: Record<string, TypedValue>; userId: string | null }): Promise<void> {
    if (!input.instructions.length) throw badRequest('A modification needs at least one instruction');
    await command(id, input.userId, async (ctx) => {
      if (!(ctx.run instanceof NativeRun)) throw invalid('BadUserRequestException', `Process instance ${id} runs on bpmn-engine; migrate it to a version deployed for the native interpreter first`);
      setVariables(ctx, input.variables);
      ctx.hist.push({ instance_id: id, definition_id: ctx.row.definition_id, kind: 'instance-modified', user_id: input.userId, data: JSON.stringify({ instructions: input.instructions, annotation: input.annotation ?? null }), at: new Date() });
      ctx.run.modify(input.instructions);
    });
  }

  async function getInstance(id: string): Promise<InstanceRow> {
    const r = await store.instanceById(knex, id);
    if (!r) throw notFound(`Process instance with id ${id} does not exist`);
    return toInstance(r);
  }

  async function getVariables(instanceId: string): Promise<Record<string, TypedValue>> {
    await getInstance(instanceId);
    return store.variables(knex, instanceId);
  }

  async function start(): Promise<void> {
    if (unlisten) return;
    unlisten = await db.listen(EXTERNAL_TASK_CHANNEL, () => wake.emit('task'));
  }

  async function stop(): Promise<void> {
    const u = unlisten;
    unlisten = null;
    await u?.().catch(() => undefined);
    wake.emit('task');
  }

  return {
    checkDeployable,
    deploy,
    startProcess,
    deleteInstance,
    modifyInstance,
    getInstance,
    getVariables,
    listInstances: async (q: Parameters<typeof store.listInstances>[1]) => (await store.listInstances(knex, q)).map(toInstance),
    listDeployments: async (q: Parameters<typeof store.listDeployments>[1]) => {
      const rows = await store.listDeployments(knex, q);
      return rows.map((r) => ({ id: r.id as string, name: (r.name ?? null) as string | null, source: (r.source ?? null) as string | null, deploymentTime: r.deployment_time as Date }));
    },
    listDefinitions: async (q: Parameters<typeof store.listDefinitions>[1]) => (await store.listDefinitions(knex, q)).map(toDefinition),
    countDefinitions: (q: Parameters<typeof store.countDefinitions>[1]) => store.countDefinitions(knex, q),
    countInstances: (q: Parameters<typeof store.countInstances>[1]) => store.countInstances(knex, q),
    getDefinition: async (id: string) => {
      const r = await store.definitionById(knex, id);
      if (!r) throw notFound(`No matching definition with id ${id}`);
      return toDefinition(r);
    },
    getDefinitionByKey: async (key: string) => {
      const r = await store.latestDefinition(knex, key);
      if (!r) throw notFound(`No matching process definition with key: ${key}`);
      return toDefinition(r);
    },
    /** A suspended definition starts no new instance (by id or key); running ones carry on. */
    setDefinitionSuspended: async (id: string, suspended: boolean, trx?: Knex.Transaction) => {
      if (!(await store.setDefinitionSuspended(trx ?? knex, id, suspended))) throw notFound(`No matching definition with id ${id}`);
    },
    getDefinitionXml: async (id: string) => {
      const r = await knex('engine_resource as r').join('engine_definition as d', 'd.resource_id', 'r.id').where('d.id', id).first('r.content', 'd.id');
      if (!r) throw notFound(`No matching definition with id ${id}`);
      return { id: r.id as string, bpmn20Xml: r.content as string };
    },
    listTasks: async (q: TaskQuery, scope: TaskScope) => (await store.listTasks(knex, q, scope)).map(toTask),
    countTasks: (q: TaskQuery, scope: TaskScope) => store.countTasks(knex, q, scope),
    getTask,
    getTaskVariables: async (id: string, scope: TaskScope) => store.variables(knex, (await getTask(id, scope)).processInstanceId),
    claimTask,
    unclaimTask: (id: string, actor: string | null, scope: TaskScope) => setAssignee(id, null, actor, scope),
    setAssignee,
    completeTask,
    fetchAndLock,
    listExternalTasks: async (q: Parameters<typeof store.listExternalTasks>[1]): Promise<ExternalTaskRow[]> => (await store.listExternalTasks(knex, q)).map(toExternalTask),
    getExternalTask: async (id: string) => {
      const r = await store.externalTaskById(knex, id);
      if (!r) throw notFound(`External task with id ${id} does not exist`);
      return toExternalTask(r);
    },
    completeExternalTask,
    failExternalTask,
    bpmnErrorExternalTask,
    extendLock,
    unlock,
    setRetries,
    correlateMessage,
    throwSignal: (input: { name: string; variables?: Record<string, TypedValue>; userId?: string | null }) => throwSignal(input),
    listIncidents: (q: Parameters<typeof store.listIncidents>[1]) => store.listIncidents(knex, q),
    history: (q: Parameters<typeof store.history>[1]) => store.history(knex, q),
    fireDueTimers,
    nextTimerDue,
    /** Starts listening for external-task notifications from other nodes (long-poll wake-up). */
    start,
    stop,
    typedFromPlain,
  };
}

export type EngineService = ReturnType<typeof createEngine>;

