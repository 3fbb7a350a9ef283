import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/connect.js';
import type { Logger } from '../../log.js';
import type { createCalls } from '../calls.js';
import { EngineError, type EngineMessageKey } from '../errors.js';
import { CommandError, EngineRun, type LiveItem, type RunResult } from '../host.js';
import { parseDefinitions, type Interpreter, type ParsedDefinitions, type ProcessModel } from '../model.js';
import { NativeRun } from '../runtime/run.js';
import type { Run } from '../runtime/types.js';
import type { EngineDefinitionRow, InstanceHead, NewHistory, NewInstance, ProjectionKey, Projections, ProjectionTable } from '../rows.js';
import { createEngineStore, type EngineStore, type WriteGuard } from '../store.js';
import type { ExistingInstance } from '../store-write.js';
import type { InstanceRow, TaskScope, WorkingTime } from '../types.js';
import { plainValue, type TypedValue } from '../values.js';

/**
 * What the engine service's concern modules share (deploy.ts, start.ts, commands.ts, persist.ts,
 * tasks.ts, external-tasks.ts, messages.ts, jobs.ts, instances.ts): the database, the caches of
 * definitions and hot instances, the long-poll wake-up, and the steps one module takes from
 * another. `createKernel` makes the shared state; `createEngine` (../service.ts) wires the steps in.
 */

export const EXTERNAL_TASK_CHANNEL = 'engine_external_task';

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

export type Trx = Knex.Transaction;
export type { Projections };

export interface LoadedDefinition { row: EngineDefinitionRow; model: ProcessModel; engineSource: string }

export interface Hot { revision: number; row: InstanceHead; run: Run; typed: Record<string, TypedValue>; proj: Projections | null }

/**
 * The task or external task a command targets: locked or read whole (as JSON), or, on a hot instance,
 * what its projections remember of it (a user task's key columns; the guard re-checks the rest).
 */
export interface CommandItem extends ProjectionKey {
  instance_id: string; definition_id: string; name?: string | null; assignee?: string | null;
  activity_id?: string; worker_id?: string | null; lock_expiration?: string | Date | null;
}

/** The task or external task a command acts on, and what must hold for the caller to act on it. */
export interface ItemTarget {
  table: 'engine_task' | 'engine_external_task';
  id: string;
  /** The refusal when it is not there (or not in the caller's scope). */
  missing: EngineMessageKey;
  scope?: TaskScope;
  /** A user task assigned to someone else is refused. */
  assignee?: string;
  /** An external task must be locked by this worker, the lock unexpired. */
  workerId?: string;
}

export interface Ctx {
  trx: Trx | Knex; row: InstanceHead; def: LoadedDefinition; run: Run; typed: Record<string, TypedValue>; changed: Record<string, TypedValue>; userId: string | null;
  /** Set when the command runs without a transaction (a hot instance, a start): persist writes under this guard or throws Stale. */
  optimistic?: WriteGuard;
  /** History rows the command itself adds; written with the rest in one insert. */
  hist: NewHistory[];
  /** User tasks this command completed: persist drops them without a 'task-deleted' fact. */
  completedTasks: Set<string>;
  /** The hot instance's projection rows, when trusted (same revision). */
  proj: Projections | null;
  /** `proj` holds full rows read with the instance's revision (a timer's claim): trusted even with timers. */
  projFresh?: boolean;
  /** Projection rows read under the instance lock in this command, by id. */
  readRows: Map<string, ProjectionKey>;
  /** The task / external task a command targets, locked (latest version) with its instance. */
  item?: CommandItem;
  /** Work for after the commit: call activities to start, called instances to delete, a caller to resume. */
  after?: Array<() => Promise<void>>;
}

export interface StartInput {
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

/** The instance a history row belongs to. */
export type HistoryBase = Pick<NewHistory, 'instance_id' | 'definition_id'>;

export type Started = InstanceRow & { ended: boolean; replayed?: boolean };
export interface Persisted { newExternal: number; proj: Projections | null }
export interface SignalInput { name: string; variables?: Record<string, TypedValue>; userId?: string | null }
export type SentMessages = Array<{ process: string; message: string }>;

/** An optimistic command found its hot instance out of date: it is redone under the instance lock. */
export class Stale extends Error {}
/** A start by key found a newer version than the cached latest: it is redone with the latest. */
export class NotLatest extends Error {}
/** A keyed start whose key was already used: nothing was written; `existing` is the instance it made (if visible). */
export class Replay extends Error { constructor(readonly existing: ExistingInstance | null) { super('replayed start'); } }

export const TABLE: Record<LiveItem['kind'], ProjectionTable> = {
  userTask: 'engine_task', external: 'engine_external_task', timer: 'engine_timer', message: 'engine_message_sub', call: 'engine_call',
};

export interface Kernel {
  deps: EngineDeps;
  db: Database;
  knex: Knex;
  log: Logger;
  store: EngineStore;
  nodeId: string;
  compile: (xml: string) => Promise<ParsedDefinitions>;
  interpreter: Interpreter;
  /** A definition runs on the interpreter it was compiled for: a graph means ours. */
  newRun(def: LoadedDefinition, vars: Record<string, unknown>): Run;
  defCache: LRUCache<string, LoadedDefinition>;
  /**
   * Hot instances: the live bpmn-engine of an instance after its last command on this node,
   * trusted only while the row's revision is the one it was saved at (other nodes bump it).
   */
  hot: LRUCache<string, Hot>;
  /** Which instance a task or external task belongs to, for the optimistic path (a hint, never trusted alone). */
  itemOwner: LRUCache<string, string>;
  keep(id: string, h: Hot): void;
  /** Wakes local long polls; PostgreSQL NOTIFY feeds it from other nodes. */
  wake: EventEmitter;
  /**
   * The latest version's id per key, as this node last saw it. A start from it is written only
   * while it is still the latest (its guard checks), so a deployment on another node costs one retry.
   */
  latestByKey: LRUCache<string, string>;
  loadDefinition(trx: Knex | Trx, id: string): Promise<LoadedDefinition>;
  runAfter(ctx: { after?: Array<() => Promise<void>> }): Promise<void>;
  setVariables(ctx: Ctx, vars: Record<string, TypedValue> | undefined): void;
  setVariablesAt(ctx: Ctx, executionId: string, vars: Record<string, TypedValue> | undefined): void;
  plainVars(typed: Record<string, TypedValue>): Record<string, unknown>;
  guardRun<T>(fn: () => Promise<T>): Promise<T>;

  // Steps of the concern modules, wired by createEngine (used only once it has returned).
  calls: ReturnType<typeof createCalls>;
  persist(ctx: Ctx, res: RunResult, start?: NewInstance): Promise<Persisted>;
  resolveIncidentsOf(trx: Trx, externalTaskId: string, hist: NewHistory[], base: HistoryBase, now: Date): Promise<void>;
  command<T>(target: string | ItemTarget, userId: string | null, fn: (ctx: Ctx) => Promise<T>): Promise<T>;
  startProcess(input: StartInput): Promise<Started>;
  deleteInstance(id: string, reason: string | null, userId: string | null): Promise<void>;
  throwSignal(input: SignalInput, origin?: string): Promise<void>;
  deliverSent(sent: SentMessages, from: InstanceHead): Promise<void>;
}

/** The shared state; the steps of the concern modules are added by createEngine. */
export function createKernel(deps: EngineDeps): Kernel {
  const { db, log } = deps;
  const knex = db.knex;
  const store = createEngineStore();
  const interpreter: Interpreter = deps.interpreter ?? 'native';
  const defCache = new LRUCache<string, LoadedDefinition>({ max: 200 });
  const hot = new LRUCache<string, Hot>({ max: 2000 });
  const itemOwner = new LRUCache<string, string>({ max: 20000 });
  const wake = new EventEmitter();
  wake.setMaxListeners(0);

  async function loadDefinition(trx: Knex | Trx, id: string): Promise<LoadedDefinition> {
    const hit = defCache.get(id);
    if (hit) return hit;
    const row = await store.definitionById(trx, id);
    if (!row) throw new EngineError('engine.definitionNotFound', { id });
    const loaded = { row, model: row.model as ProcessModel, engineSource: row.engine_source };
    defCache.set(id, loaded);
    return loaded;
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
      throw new EngineError('engine.unitFixed', { unit: ctx.row.unit_id ?? 'none' });
    }
    for (const [k, v] of Object.entries(vars ?? {})) {
      ctx.typed[k] = v;
      ctx.changed[k] = v;
      ctx.run.vars[k] = plainValue(v);
    }
  }

  async function guardRun<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CommandError) throw new EngineError('engine.modelFailure', { reason: err.reason });
      throw err;
    }
  }

  function plainVars(typed: Record<string, TypedValue>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(typed)) out[k] = plainValue(v);
    return out;
  }

  // The steps below are set by createEngine before anything runs.
  const base: Omit<Kernel, 'calls' | 'persist' | 'resolveIncidentsOf' | 'command' | 'startProcess' | 'deleteInstance' | 'throwSignal' | 'deliverSent'> = {
    deps, db, knex, log, store, interpreter, defCache, hot, itemOwner, wake,
    nodeId: deps.nodeId ?? `node-${process.pid}`,
    compile: deps.compile ?? ((xml: string) => parseDefinitions(xml, interpreter)),
    newRun: (def, vars) => (def.model.graph ? new NativeRun(def.model.graph, vars) : new EngineRun(def.engineSource, def.model, vars)),
    keep(id, h) {
      hot.set(id, h);
      for (const t of ['engine_task', 'engine_external_task'] as const) for (const r of h.proj?.[t] ?? []) itemOwner.set(r.id, id);
    },
    latestByKey: new LRUCache<string, string>({ max: 500 }),
    loadDefinition, runAfter, setVariables, setVariablesAt, plainVars, guardRun,
  };
  return base as Kernel;
}
