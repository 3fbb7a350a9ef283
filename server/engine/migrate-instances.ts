import type { Knex } from 'knex';
import type { Database } from '../db/connect.js';
import { EngineError } from './errors.js';
import type { Logger } from '../log.js';
import { EngineRun } from './host.js';
import { convertWaitingState } from './runtime/convert.js';
import type { NativeState } from './runtime/exec.js';
import { NativeRun } from './runtime/run.js';
import type { ProcessModel } from './model.js';
import type { EngineDefinitionRow, EngineInstanceRow, EngineMessageSubRow, EngineTimerRow, EngineVariableRow } from './rows.js';
import { instanceState, isUuid, replaceState } from './store.js';
import { plainValue, type TypedValue } from './values.js';

/**
 * Moves running instances from one version of a process to another. bpmn-engine's stored state
 * is kept as it is: it names elements by id, so it recovers against the new definition as long as
 * every element the instance is in still exists there with the same type. That is checked two
 * ways before anything is written: structurally (ids and types), then by a trial — the state is
 * resumed in memory on the new definition and must wait in exactly the same executions as the
 * tables say it does now. The row's revision is bumped so every node's hot cache drops the old run.
 */

interface InstanceMigrationPlan {
  instanceId: string;
  businessKey: string | null;
  /** Everything the instance is in: waiting tasks, timers, message catches and every element bpmn-engine's state has running. */
  waitingActivityIds: string[];
  canMigrate: boolean;
  /** Waiting ids the target version does not have. */
  missing: string[];
  /** Other reasons it cannot move (an element whose type changed, a trial resume that waits elsewhere, …). */
  problems: string[];
}

interface MigrationOutcome {
  fromDefinitionId: string;
  toDefinitionId: string;
  migrated: InstanceMigrationPlan[];
  skipped: InstanceMigrationPlan[];
}

export interface InstanceMigrator {
  planMigration(fromDefinitionId: string, toDefinitionId: string, instanceIds?: string[]): Promise<InstanceMigrationPlan[]>;
  migrateInstances(fromDefinitionId: string, toDefinitionId: string, instanceIds: string[], actor: string | null): Promise<MigrationOutcome>;
}

type Db = Knex | Knex.Transaction;
/** What is read of an instance: the stored state is read apart (instanceState). */
type Instance = Omit<EngineInstanceRow, 'engine_state'>;
/** bpmn-engine's state, as far as it is read here: the element executions and whether each runs. */
interface EngineStateNode { id?: unknown; type?: unknown; status?: unknown; execution?: { children?: Array<EngineStateNode | null> } }
interface EngineStateShape { definitions?: Array<{ execution?: { processes?: Array<{ execution?: { children?: Array<EngineStateNode | null> } }> } }> }
/** bpmn-engine's serialised moddle context, as far as it is read here: where each activity sits. */
interface EngineSourceShape { activities?: Array<{ id?: unknown; parent?: { id?: string }; behaviour?: { attachedTo?: { id?: string } } }> }
interface Def { id: string; key: string; version: number; suspended: boolean; engineSource: string; model: ProcessModel; shape?: Map<string, string> }

const PROJECTIONS = [
  { table: 'engine_task', kind: 'userTask', activity: 'task_definition_key' },
  { table: 'engine_external_task', kind: 'external', activity: 'activity_id' },
  { table: 'engine_timer', kind: 'timer', activity: 'activity_id' },
  { table: 'engine_message_sub', kind: 'message', activity: 'activity_id' },
] as const;
/** What each projection kind must be in the target model. */
const KIND_FITS: Record<string, (a: ProcessModel['activities'][string]) => boolean> = {
  userTask: (a) => a.type === 'bpmn:UserTask',
  external: (a) => a.type === 'bpmn:ServiceTask' || a.type === 'bpmn:SendTask',
  timer: (a) => Boolean(a.timer),
  message: (a) => Boolean(a.message),
};

/** Elements an instance's state has running: the native executions, or bpmn-engine's (a status set), subprocess contents included. */
export function runningElements(state: unknown, model?: ProcessModel): Array<{ id: string; type: string }> {
  const native = state as NativeState | null;
  if (native?.v === 1) {
    return native.x.filter((e) => e.k !== 'root' && e.w !== 'join').map((e) => ({ id: e.a, type: model?.activities[e.a]?.type ?? 'unknown' }));
  }
  const out: Array<{ id: string; type: string }> = [];
  const visit = (children: Array<EngineStateNode | null> | undefined) => {
    for (const c of children ?? []) {
      if (!c?.status) continue;
      out.push({ id: String(c.id), type: String(c.type) });
      visit(c.execution?.children);
    }
  };
  for (const d of (state as EngineStateShape | null)?.definitions ?? []) for (const p of d.execution?.processes ?? []) visit(p.execution?.children);
  return out;
}

export function createInstanceMigrator(deps: { db: Database; log?: Logger }): InstanceMigrator {
  const knex = deps.db.knex;

  async function loadPair(db: Db, fromId: string, toId: string): Promise<[Def, Def]> {
    if (fromId === toId) throw new EngineError('engine.migrateSameDefinition');
    const rows = await sql.definitions(db, [fromId, toId]);
    const from = rows.find((r) => r.id === fromId);
    const to = rows.find((r) => r.id === toId);
    if (!from) throw new EngineError('engine.noDefinition', { id: fromId });
    if (!to) throw new EngineError('engine.noDefinition', { id: toId });
    if (from.key !== to.key) throw new EngineError('engine.migrateOtherProcess', { from: from.key, to: to.key });
    if (to.suspended) throw new EngineError('engine.definitionSuspended', { id: toId });
    return [from, to];
  }

  /** The check, on one instance row (read under its lock when migrating). Never writes. */
  /** States converted by the last assessment of an instance (bpmn-engine → native), written by the move. */
  const converted = new Map<string, NativeState>();

  async function assess(db: Db, row: Instance, from: Def, to: Def): Promise<InstanceMigrationPlan> {
    const plan: InstanceMigrationPlan = { instanceId: row.id, businessKey: row.business_key ?? null, waitingActivityIds: [], canMigrate: false, missing: [], problems: [] };
    const state = row.state === 'ACTIVE' ? await instanceState(db, row.id) : null;
    if (!state) {
      plan.problems.push(`not running (${row.state})`);
      return plan;
    }
    if (row.definition_id !== from.id) {
      plan.problems.push(`runs on ${row.definition_id}, not ${from.id}`);
      return plan;
    }
    const items = await sql.projections(db, row.id);
    const running = runningElements(state, from.model);
    plan.waitingActivityIds = [...new Set([...items.map((i) => i.activityId), ...running.map((r) => r.id)])].sort();
    const target = to.model.activities;
    plan.missing = plan.waitingActivityIds.filter((id) => !target[id]);
    const [was, will] = [shapeOf(from), shapeOf(to)];
    for (const r of running) {
      const t = target[r.id];
      if (t && t.type !== r.type) plan.problems.push(`'${r.id}' is ${r.type.replace('bpmn:', '')} here but ${t.type.replace('bpmn:', '')} in the new version`);
      else if (t && was.get(r.id) !== will.get(r.id)) plan.problems.push(`'${r.id}' sits elsewhere in the new version (${was.get(r.id)} → ${will.get(r.id)})`);
    }
    for (const i of items) {
      const t = target[i.activityId];
      if (t && !KIND_FITS[i.kind]!(t)) plan.problems.push(`'${i.activityId}' waits as ${i.kind} but the new version's element cannot`);
    }
    if (!plan.missing.length && !plan.problems.length) {
      const why = await trialResume(db, row, state, from, to, items);
      if (typeof why === 'string') plan.problems.push(why);
      else if (why) converted.set(row.id, why);
    }
    plan.canMigrate = !plan.missing.length && !plan.problems.length;
    return plan;
  }

  /** Resumes the stored state on the target definition in memory; it must wait exactly where it waits now. */
  /**
   * Returns null when the stored state resumes as it is on the target, a converted state when an
   * instance of bpmn-engine moves to a natively run version (convert.ts), or why it cannot move.
   */
  async function trialResume(db: Db, row: Instance, stored: unknown, from: Def, to: Def, items: Array<{ kind: string; executionId: string; activityId: string }>): Promise<string | NativeState | null> {
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(await sql.variables(db, row.id))) vars[k] = plainValue(v);
    let state = stored;
    let converted: NativeState | null = null;
    if (to.model.graph && !from.model.graph) {
      const dues = await sql.timerDues(db, row.id);
      const c = convertWaitingState(to.model.graph, runningElements(stored), items.map((i) => ({ ...i, dueAt: dues.get(i.executionId) })));
      if (typeof c === 'string') return `its bpmn-engine state cannot be converted for the native interpreter: ${c}`;
      state = converted = c;
    } else if (!to.model.graph && from.model.graph) return 'a natively run instance cannot move back to a bpmn-engine version';
    try {
      const run = to.model.graph ? new NativeRun(to.model.graph, vars) : new EngineRun(to.engineSource, to.model, vars);
      await run.resume(state);
      const res = await run.finish();
      if (res.ended) return `the new version would end it at once${res.failure ? `: ${res.failure}` : ''}`;
      const key = (i: { kind: string; executionId: string; activityId: string }) => `${i.kind} ${i.activityId} (${i.executionId})`;
      const now = new Set(items.map(key));
      const misfits = run instanceof NativeRun ? run.misfits() : new Set<string>();
      const then = new Set([...res.live.values()].filter((i) => !misfits.has(i.executionId)).map(key));
      const lost = [...now].filter((k) => !then.has(k));
      const gained = [...then].filter((k) => !now.has(k));
      if (lost.length || gained.length) {
        return `on the new version it would not wait the same way (${[...lost.map((k) => `no longer ${k}`), ...gained.map((k) => `new ${k}`)].join('; ')})`;
      }
      return converted;
    } catch (err) {
      return `the new version cannot resume it: ${(err as Error).message}`;
    }
  }

  async function planMigration(fromDefinitionId: string, toDefinitionId: string, instanceIds?: string[]): Promise<InstanceMigrationPlan[]> {
    const [from, to] = await loadPair(knex, fromDefinitionId, toDefinitionId);
    const rows = instanceIds ? await sql.instancesByIds(knex, instanceIds) : await sql.activeInstancesOf(knex, from.id);
    const out: InstanceMigrationPlan[] = [];
    for (const id of instanceIds ?? rows.map((r) => r.id)) {
      const row = rows.find((r) => r.id === id);
      if (row) converted.delete(row.id);
      out.push(row ? await assess(knex, row, from, to).finally(() => converted.delete(row.id)) : { instanceId: id, businessKey: null, waitingActivityIds: [], canMigrate: false, missing: [], problems: ['no such process instance'] });
    }
    return out;
  }

  /** Each instance in its own transaction: one that cannot move (or fails) is reported and left as it was. */
  async function migrateInstances(fromDefinitionId: string, toDefinitionId: string, instanceIds: string[], actor: string | null): Promise<MigrationOutcome> {
    const [from, to] = await loadPair(knex, fromDefinitionId, toDefinitionId);
    const outcome: MigrationOutcome = { fromDefinitionId, toDefinitionId, migrated: [], skipped: [] };
    for (const id of [...new Set(instanceIds)]) {
      try {
        const plan = await knex.transaction(async (trx) => {
          const row = await sql.lockInstance(trx, id);
          if (!row) return { instanceId: id, businessKey: null, waitingActivityIds: [], canMigrate: false, missing: [], problems: ['no such process instance'] };
          const p = await assess(trx, row, from, to);
          if (!p.canMigrate) return p;
          await sql.moveInstance(trx, row, from, to, actor, converted.get(row.id));
          converted.delete(row.id);
          return p;
        });
        (plan.canMigrate ? outcome.migrated : outcome.skipped).push(plan);
      } catch (err) {
        deps.log?.error({ err, instanceId: id }, 'instance migration failed; left on its version');
        outcome.skipped.push({ instanceId: id, businessKey: null, waitingActivityIds: [], canMigrate: false, missing: [], problems: [`failed: ${(err as Error).message}`] });
      }
    }
    return outcome;
  }

  return { planMigration, migrateInstances };
}

/**
 * Where each activity sits (its scope, and for a boundary event what it is attached to), read from
 * bpmn-engine's serialized source: a running element that moved scope would resume in the wrong place.
 */
function shapeOf(def: Def): Map<string, string> {
  if (def.shape) return def.shape;
  const shape = new Map<string, string>();
  if (def.model.graph) {
    for (const n of Object.values(def.model.graph.nodes)) shape.set(n.id, `in ${n.scope}${n.attachedTo ? `, attached to ${n.attachedTo}` : ''}`);
    def.shape = shape;
    return shape;
  }
  const ctx = JSON.parse(def.engineSource) as EngineSourceShape;
  for (const a of ctx.activities ?? []) {
    shape.set(String(a.id), `in ${a.parent?.id ?? '?'}${a.behaviour?.attachedTo?.id ? `, attached to ${a.behaviour.attachedTo.id}` : ''}`);
  }
  def.shape = shape;
  return shape;
}

// ------------------------------------------------------------------ SQL (parameterised only)

const sql = {
  async definitions(db: Db, ids: string[]): Promise<Def[]> {
    const rows = await db<EngineDefinitionRow>('engine_definition').whereIn('id', ids).select('id', 'key', 'version', 'suspended', 'engine_source', 'model');
    return rows.map((r) => ({
      id: r.id, key: r.key, version: r.version, suspended: r.suspended, engineSource: r.engine_source,
      model: (typeof r.model === 'string' ? JSON.parse(r.model) as unknown : r.model) as ProcessModel,
    }));
  },
  async activeInstancesOf(db: Db, definitionId: string): Promise<EngineInstanceRow[]> {
    return db<EngineInstanceRow>('engine_instance').where({ definition_id: definitionId, state: 'ACTIVE' }).orderBy('start_time').orderBy('id');
  },
  async instancesByIds(db: Db, ids: string[]): Promise<EngineInstanceRow[]> {
    const valid = ids.filter((i) => isUuid(i));
    return valid.length ? db<EngineInstanceRow>('engine_instance').whereIn('id', valid) : [];
  },
  async lockInstance(trx: Knex.Transaction, id: string): Promise<EngineInstanceRow | undefined> {
    if (!isUuid(id)) return undefined;
    return trx<EngineInstanceRow>('engine_instance').where({ id }).forUpdate().first();
  },
  async projections(db: Db, instanceId: string): Promise<Array<{ kind: string; executionId: string; activityId: string }>> {
    const out: Array<{ kind: string; executionId: string; activityId: string }> = [];
    for (const p of PROJECTIONS) {
      const rows = await db(p.table).where({ instance_id: instanceId }).select<Array<{ execution_id: string; activity_id: string }>>('execution_id', `${p.activity} as activity_id`);
      for (const r of rows) out.push({ kind: p.kind, executionId: r.execution_id, activityId: r.activity_id });
    }
    return out;
  },
  async variables(db: Db, instanceId: string): Promise<Record<string, TypedValue>> {
    const out: Record<string, TypedValue> = {};
    for (const r of await db<EngineVariableRow>('engine_variable').where({ instance_id: instanceId })) out[r.name] = { type: r.type, value: r.value, valueInfo: r.value_info ?? {} };
    return out;
  },
  async timerDues(db: Db, instanceId: string): Promise<Map<string, Date>> {
    const rows = await db<EngineTimerRow>('engine_timer').where({ instance_id: instanceId }).select('execution_id', 'due_at');
    return new Map(rows.map((r) => [r.execution_id, new Date(r.due_at)]));
  },
  /** Switches the instance and its open projections; the revision moves on (a converted state replaces the stored one). */
  async moveInstance(trx: Knex.Transaction, row: Instance, from: Def, to: Def, actor: string | null, state?: NativeState): Promise<void> {
    await trx('engine_instance').where({ id: row.id }).update({ definition_id: to.id, revision: trx.raw('revision + 1') });
    if (state) await replaceState(trx, row.id, state);
    for (const t of ['engine_task', 'engine_external_task', 'engine_timer']) await trx(t).where({ instance_id: row.id }).update({ definition_id: to.id });
    // Correlation reads the message from the instance's definition: keep the subscription in step with it.
    for (const s of await trx<EngineMessageSubRow>('engine_message_sub').where({ instance_id: row.id }).select('id', 'activity_id')) {
      const m = to.model.activities[s.activity_id]?.message;
      if (m) await trx('engine_message_sub').where({ id: s.id }).update({ message_name: m.name, message_ref: m.id });
    }
    await trx('engine_incident').where({ instance_id: row.id }).whereNull('resolved').update({ definition_id: to.id });
    await trx('engine_history').insert({
      instance_id: row.id, definition_id: to.id, kind: 'migrated', user_id: actor, at: new Date(),
      data: JSON.stringify({ fromDefinitionId: from.id, toDefinitionId: to.id, fromVersion: from.version, toVersion: to.version }),
    });
  },
};
