import type { Knex } from 'knex';
import type { TypedValue } from './values.js';
import type {
  DefinitionRow, ExternalTaskRow, FetchTopic, HistoryRow, InstanceRow, TaskQuery, TaskRow, TaskScope,
} from './types.js';

import type {
  AsJson, EngineCallRow, EngineDefinitionRow, EngineDeploymentRow, EngineExternalTaskRow, EngineHistoryRow, EngineIncidentRow, EngineInstanceRow,
  EngineMessageSubRow, EngineResourceRow, EngineTaskRow, EngineTimerRow, EngineVariableRow, InstanceHead, NewHistory, Projections, ProjectionTable,
} from './rows.js';
import { execRow, stateFromRows, type NativeState } from './runtime/exec.js';
import { exec, EXECUTIONS_OF_I, INSTANCE_COLUMNS, isUuid, rawRows, scopeSql, type Db } from './sql.js';
import { createCommandWriter, type CommandWrite, type NewTimer } from './store-write.js';

export type { InstancePatch } from './store-write.js';

export { isUuid, type WriteGuard } from './sql.js';

/** All engine SQL. Parameterised only; every write takes the caller's transaction. */

/** A definition without its source and compiled model (what lists read). */
type DefinitionHead = Omit<EngineDefinitionRow, 'resource_id' | 'hash' | 'engine_source' | 'model'>;
/** An instance as answered (no revision). */
type InstanceView = Omit<InstanceHead, 'revision'>;
/** An instance's variable as the state reads put it together (jsonb_build_object). */
export interface StoredVariable { name: string; type: string; value: unknown; valueInfo: Record<string, unknown> | null }
/** The task or external task a command acts on, as its read hands it over (to_jsonb). */
export type ItemJson = AsJson<EngineTaskRow> | AsJson<EngineExternalTaskRow>;

export const toDefinition = (r: DefinitionHead): DefinitionRow => ({
  id: r.id, key: r.key, version: r.version, versionTag: r.version_tag ?? null, name: r.name ?? null,
  deploymentId: r.deployment_id, resourceName: r.resource_name, suspended: r.suspended,
});

export const toInstance = (r: InstanceView): InstanceRow => ({
  id: r.id, definitionId: r.definition_id, definitionKey: r.definition_key, businessKey: r.business_key ?? null,
  unitId: r.unit_id ?? null, state: r.state, startTime: r.start_time, endTime: r.end_time ?? null,
  startUserId: r.start_user ?? null, deleteReason: r.delete_reason ?? null,
});

export const toTask = (r: EngineTaskRow): TaskRow => ({
  id: r.id, name: r.name ?? null, assignee: r.assignee ?? null, created: r.created, due: r.due ?? null,
  followUp: r.follow_up ?? null, priority: r.priority, processDefinitionId: r.definition_id,
  processInstanceId: r.instance_id, taskDefinitionKey: r.task_definition_key, executionId: r.execution_id,
  formKey: r.form_key ?? null, candidateUsers: r.candidate_users ?? [], candidateGroups: r.candidate_groups ?? [],
  unitId: r.unit_id ?? null, businessKey: r.business_key ?? null,
});

export const toExternalTask = (r: Omit<EngineExternalTaskRow, 'local_variables'>): ExternalTaskRow => ({
  id: r.id, activityId: r.activity_id, topicName: r.topic, workerId: r.worker_id ?? null,
  lockExpirationTime: r.lock_expiration ?? null, retries: r.retries ?? null, errorMessage: r.error_message ?? null,
  errorDetails: r.error_details ?? null, priority: r.priority, businessKey: r.business_key ?? null,
  processInstanceId: r.instance_id, processDefinitionId: r.definition_id, processDefinitionKey: r.definition_key,
  executionId: r.execution_id, createTime: r.created,
});

/** An instance's variables and projection rows (alias `i`), as JSON columns of one select. */
const STATE_OF_I = `(select coalesce(jsonb_agg(jsonb_build_object('name', v.name, 'type', v.type, 'value', v.value, 'valueInfo', v.value_info)), '[]'::jsonb)
             from engine_variable v where v.instance_id = i.id) as variables,
          (select jsonb_build_object(
             'engine_task', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_task x where x.instance_id = i.id),
             'engine_external_task', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_external_task x where x.instance_id = i.id),
             'engine_timer', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_timer x where x.instance_id = i.id),
             'engine_message_sub', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_message_sub x where x.instance_id = i.id),
             'engine_call', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_call x where x.instance_id = i.id))) as projections,
          i.engine_state, i.exec_prefix, i.exec_seq, ${EXECUTIONS_OF_I}`;
const parseJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
const INSTANCE_VIEW = ['id', 'definition_id', 'definition_key', 'business_key', 'unit_id', 'state', 'start_time', 'end_time', 'start_user', 'delete_reason'] as const;

/** The columns a stored state is made of: bpmn-engine's blob, or the native prefix, counter and execution rows. */
interface StateColumns { engine_state?: unknown; exec_prefix?: string | null; exec_seq?: number | null; executions?: unknown }

/** An instance's stored state from its state columns (null: ended, or nothing stored). */
export function stateOf(r: StateColumns): unknown {
  if (r.engine_state !== null && r.engine_state !== undefined) return parseJson(r.engine_state);
  if (r.exec_prefix === null || r.exec_prefix === undefined) return null;
  return stateFromRows(r.exec_prefix, Number(r.exec_seq ?? 0), parseJson(r.executions ?? '[]') as Parameters<typeof stateFromRows>[2]);
}

/** An instance's stored state in one statement: the bpmn-engine blob, or the native state from its execution rows. */
export async function instanceState(db: Db, id: string): Promise<unknown> {
  if (!isUuid(id)) return null;
  const rows = await exec<StateColumns>(db, `select i.engine_state, i.exec_prefix, i.exec_seq, ${EXECUTIONS_OF_I} from engine_instance i where i.id = ?`, [id]);
  return rows[0] ? stateOf(rows[0]) : null;
}

/** Replaces an instance's stored native state whole (a bpmn-engine instance converted by a migration). */
export async function replaceState(db: Db, id: string, state: NativeState): Promise<void> {
  await db('engine_execution').where({ instance_id: id }).delete();
  const rows = state.x.map((e, i) => {
    const { row } = execRow(e);
    return { instance_id: id, ...row, ord: state.o?.[i] ?? i, data: row.data === null ? null : JSON.stringify(row.data) };
  });
  for (let i = 0; i < rows.length; i += 500) await db('engine_execution').insert(rows.slice(i, i + 500));
  await db<EngineInstanceRow>('engine_instance').where({ id }).update({ engine_state: null, exec_prefix: state.p, exec_seq: state.n });
}

export function createEngineStore() {
  const writer = createCommandWriter();
  return {
    // ---- definitions
    async latestDefinition(db: Db, key: string): Promise<EngineDefinitionRow | undefined> {
      return db<EngineDefinitionRow>('engine_definition').where({ key }).orderBy('version', 'desc').first();
    },
    /** The latest version's id only: its source and model are cached by id (kilobytes per start otherwise). */
    async latestDefinitionId(db: Db, key: string): Promise<string | undefined> {
      return (await db<EngineDefinitionRow>('engine_definition').where({ key }).orderBy('version', 'desc').first('id'))?.id;
    },
    async definitionById(db: Db, id: string): Promise<EngineDefinitionRow | undefined> {
      return db<EngineDefinitionRow>('engine_definition').where({ id }).first();
    },
    /** Latest versions whose model starts with this message name. */
    async latestWithMessageStart(db: Db, messageName: string): Promise<Array<Pick<EngineDefinitionRow, 'id' | 'model'>>> {
      const res: unknown = await db.raw(`
        select d.id, d.model from engine_definition d
        where d.version = (select max(version) from engine_definition x where x.key = d.key)
          and jsonb_exists(d.model->'messageStarts', ?)`, [messageName]);
      return rawRows(res);
    },
    async latestWithSignalStart(db: Db, signalName: string): Promise<Array<Pick<EngineDefinitionRow, 'id' | 'model'>>> {
      const res: unknown = await db.raw(`
        select d.id, d.model from engine_definition d
        where d.version = (select max(version) from engine_definition x where x.key = d.key)
          and not d.suspended and jsonb_exists(coalesce(d.model->'signalStarts', '{}'::jsonb), ?)`, [signalName]);
      return rawRows(res);
    },
    async insertDeployment(db: Db, row: EngineDeploymentRow): Promise<void> { await db<EngineDeploymentRow>('engine_deployment').insert(row); },
    async insertResource(db: Db, row: EngineResourceRow): Promise<void> { await db<EngineResourceRow>('engine_resource').insert(row); },
    /** `model` as JSON text. */
    async insertDefinition(db: Db, row: EngineDefinitionRow & { model: string }): Promise<void> { await db<EngineDefinitionRow>('engine_definition').insert(row); },
    async lockDefinitionKey(db: Db, key: string): Promise<void> {
      // Serialises concurrent deployments of one key so versions stay gapless and unique.
      await db.raw('select pg_advisory_xact_lock(hashtext(?))', [`engine-def:${key}`]);
    },
    async listDeployments(db: Db, q: { id?: string; name?: string; firstResult?: number; maxResults?: number }): Promise<EngineDeploymentRow[]> {
      const b = db<EngineDeploymentRow>('engine_deployment').orderBy('deployment_time', 'desc');
      if (q.id) b.where('id', isUuid(q.id) ? q.id : null);
      if (q.name) b.where({ name: q.name });
      return b.offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },
    async definitionsOfDeployments(db: Db, ids: string[]): Promise<DefinitionHead[]> {
      return ids.length ? db<EngineDefinitionRow>('engine_definition').whereIn('deployment_id', ids).select('id', 'key', 'version', 'version_tag', 'name', 'deployment_id', 'resource_name', 'suspended') : [];
    },
    async listDefinitions(db: Db, q: DefinitionQuery): Promise<DefinitionHead[]> {
      const b = definitionQuery(db, q).select<DefinitionHead[]>('d.id', 'd.key', 'd.version', 'd.version_tag', 'd.name', 'd.deployment_id', 'd.resource_name', 'd.suspended');
      return b.orderBy([{ column: 'd.key' }, { column: 'd.version' }]).offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },
    /** The true number of matches (no page cap). */
    async countDefinitions(db: Db, q: DefinitionQuery): Promise<number> {
      return Number((await definitionQuery(db, q).count<Array<{ n: string | number }>>({ n: '*' }).first())?.n ?? 0);
    },

    // ---- instances
    /** Locks an instance row. Without engine_state: a hot instance does not need it (see instanceState). */
    async lockInstance(db: Db, id: string): Promise<InstanceHead | undefined> {
      if (!isUuid(id)) return undefined;
      return db<EngineInstanceRow>('engine_instance').where({ id }).forUpdate().first<InstanceHead | undefined>(INSTANCE_COLUMNS);
    },
    instanceState,
    replaceState,
    /**
     * Locks a task or external task together with its instance, in one statement. FOR UPDATE OF
     * both returns their latest committed versions after any wait (a row deleted meanwhile drops
     * out), and takes the instance first, the order every command uses.
     */
    async lockInstanceOf(db: Db, table: 'engine_task' | 'engine_external_task', id: string, scope?: TaskScope): Promise<{ instance: InstanceHead; item: ItemJson } | undefined> {
      if (!isUuid(id)) return undefined;
      const b = db('engine_instance as i').join(`${table} as t`, 't.instance_id', 'i.id').where('t.id', id)
        .select([...INSTANCE_COLUMNS.map((c) => `i.${c}`), db.raw('to_jsonb(t) as item')]).forUpdate('i', 't');
      if (scope) applyScope(b, scope);
      const r = await b.first<(InstanceHead & { item: unknown }) | undefined>();
      if (!r) return undefined;
      const { item, ...instance } = r;
      return { instance, item: parseJson(item) as ItemJson };
    },
    async instanceByIdempotencyKey(db: Db, key: string): Promise<InstanceView | undefined> {
      return db<EngineInstanceRow>('engine_instance').where({ idempotency_key: key }).first(...INSTANCE_VIEW);
    },
    async instanceById(db: Db, id: string): Promise<InstanceView | undefined> {
      if (!isUuid(id)) return undefined;
      return db<EngineInstanceRow>('engine_instance').where({ id }).first(...INSTANCE_VIEW);
    },
    async setDefinitionSuspended(db: Db, id: string, suspended: boolean): Promise<number> {
      return db<EngineDefinitionRow>('engine_definition').where({ id }).update({ suspended });
    },
    async updateInstance(db: Db, id: string, patch: Partial<Pick<EngineInstanceRow, 'state' | 'end_time' | 'delete_reason' | 'engine_state' | 'exec_prefix' | 'exec_seq'>>): Promise<void> {
      await db('engine_instance').where({ id }).update({ ...patch, revision: db.raw('revision + 1') });
    },
    async listInstances(db: Db, q: InstanceQuery): Promise<InstanceView[]> {
      const b = instanceQuery(db, q).select<InstanceView[]>(...INSTANCE_VIEW);
      return b.orderBy('start_time', 'asc').orderBy('id').offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },
    /** The true number of matches (no page cap). */
    async countInstances(db: Db, q: InstanceQuery): Promise<number> {
      return Number((await instanceQuery(db, q).count<Array<{ n: string | number }>>({ n: '*' }).first())?.n ?? 0);
    },

    // ---- variables
    async variables(db: Db, instanceId: string): Promise<Record<string, TypedValue>> {
      const rows = await db<EngineVariableRow>('engine_variable').where({ instance_id: instanceId });
      const out: Record<string, TypedValue> = {};
      for (const r of rows) out[r.name] = { type: r.type, value: r.value, valueInfo: r.value_info ?? {} };
      return out;
    },
    // ---- projections of what the engine is waiting for
    async rowsOf<T extends keyof ProjectionTables>(db: Db, table: T, instanceId: string): Promise<Array<ProjectionTables[T]>> {
      const rows: unknown[] = await db(table).where({ instance_id: instanceId });
      return rows as Array<ProjectionTables[T]>;
    },
    /** The four projection tables of one instance in one round trip, keyed by table name. */
    async projectionsOf(db: Db, instanceId: string): Promise<Projections> {
      const res: unknown = await db.raw(`
        select 'engine_task' as t, to_jsonb(x) as r from engine_task x where instance_id = ?
        union all select 'engine_external_task', to_jsonb(x) from engine_external_task x where instance_id = ?
        union all select 'engine_timer', to_jsonb(x) from engine_timer x where instance_id = ?
        union all select 'engine_message_sub', to_jsonb(x) from engine_message_sub x where instance_id = ?
        union all select 'engine_call', to_jsonb(x) from engine_call x where instance_id = ?`, [instanceId, instanceId, instanceId, instanceId, instanceId]);
      const out: Projections = {};
      for (const { t, r } of rawRows<{ t: ProjectionTable; r: unknown }>(res)) (out[t] ??= []).push(parseJson(r) as ProjectionJson);
      return out;
    },
    async deleteByIds(db: Db, table: ProjectionTable, ids: string[]): Promise<void> {
      if (ids.length) await db(table).whereIn('id', ids).delete();
    },
    /** What an instance waits for and its executions: it no longer runs. */
    async deleteAllOf(db: Db, instanceId: string): Promise<void> {
      for (const t of ['engine_task', 'engine_external_task', 'engine_timer', 'engine_message_sub', 'engine_call', 'engine_execution']) await db(t).where({ instance_id: instanceId }).delete();
    },
    async updateTimerDue(db: Db, id: string, dueAt: Date): Promise<void> {
      await db<EngineTimerRow>('engine_timer').where({ id }).update({ due_at: dueAt, locked_until: null, locked_by: null });
    },

    // ---- user tasks
    /** Task lists and counts: SQL text fixed per filter shape, so each shape is a prepared statement (the tasklist's hot read). */
    async listTasks(db: Db, q: TaskQuery, scope: TaskScope): Promise<EngineTaskRow[]> {
      const w = taskWhere(q, scope);
      const col = { created: 't.created', dueDate: 't.due', priority: 't.priority', name: 't.name', assignee: 't.assignee', id: 't.id', followUpDate: 't.follow_up' }[q.sortBy ?? 'created'] ?? 't.created';
      const dir = q.sortOrder === 'desc' ? 'desc' : 'asc';
      return exec<EngineTaskRow>(db, `select t.* from engine_task t where ${w.sql} order by ${col} ${dir}, t.id asc offset ? limit ?`,
        [...w.bindings, q.firstResult ?? 0, Math.min(q.maxResults ?? 1000, 1000)]);
    },
    async countTasks(db: Db, q: TaskQuery, scope: TaskScope): Promise<number> {
      const w = taskWhere(q, scope);
      const rows = await exec<{ n: string | number }>(db, `select count(*) as n from engine_task t where ${w.sql}`, w.bindings);
      return Number(rows[0]?.n ?? 0);
    },
    async taskById(db: Db, id: string, scope: TaskScope, lock = false): Promise<EngineTaskRow | undefined> {
      if (!isUuid(id)) return undefined;
      const b = db('engine_task as t').where('t.id', id).select('t.*');
      applyScope(b, scope);
      if (lock) b.forUpdate();
      return b.first<EngineTaskRow | undefined>();
    },
    async updateTask(db: Db, id: string, patch: Pick<EngineTaskRow, 'assignee'>): Promise<void> { await db<EngineTaskRow>('engine_task').where({ id }).update(patch); },

    // ---- external tasks
    /**
     * Locks up to `limit` fetchable tasks of a topic for a worker in one statement (UPDATE of a
     * SKIP LOCKED sub-select), returned in fetch order: priority first if asked, then creation time.
     */
    async lockExternalTasks(db: Db, t: FetchTopic, limit: number, usePriority: boolean, workerId: string, until: Date): Promise<Array<EngineExternalTaskRow & { variables: unknown }>> {
      const lock = db('engine_external_task').whereIn('id', (b) => {
        b.select('id').from('engine_external_task').where('topic', t.topicName)
          .where((w) => w.whereNull('lock_expiration').orWhere('lock_expiration', '<', db.fn.now()))
          .where((w) => w.whereNull('retries').orWhere('retries', '>', 0));
        if (t.businessKey) b.where('business_key', t.businessKey);
        if (t.processDefinitionKey) b.where('definition_key', t.processDefinitionKey);
        if (t.processDefinitionKeyIn?.length) b.whereIn('definition_key', t.processDefinitionKeyIn);
        if (usePriority) b.orderBy('priority', 'desc');
        b.orderBy('created', 'asc').limit(limit).forUpdate().skipLocked();
      }).update({ worker_id: workerId, lock_expiration: until }).returning('*');
      // The variables the worker asked for come back in the same round trip.
      const names = t.variables ? ' and v.name = any(?::text[])' : '';
      // knex parenthesises a SELECT builder bound into raw SQL, but not an UPDATE.
      const res: unknown = await db.raw(`with locked as (?) select locked.*, (select coalesce(jsonb_agg(jsonb_build_object('name', v.name, 'type', v.type, 'value', v.value, 'valueInfo', v.value_info)), '[]'::jsonb)
        from engine_variable v where v.instance_id = locked.instance_id${names}) as variables from locked`, t.variables ? [lock, t.variables] : [lock]);
      const rows = rawRows<EngineExternalTaskRow & { variables: unknown }>(res);
      const time = (r: EngineExternalTaskRow) => new Date(r.created).getTime();
      return rows.sort((x, y) => (usePriority ? y.priority - x.priority : 0) || time(x) - time(y) || String(x.id).localeCompare(String(y.id)));
    },
    async externalTaskById(db: Db, id: string, lock = false): Promise<EngineExternalTaskRow | undefined> {
      if (!isUuid(id)) return undefined;
      const b = db<EngineExternalTaskRow>('engine_external_task').where({ id });
      if (lock) b.forUpdate();
      return b.first();
    },
    async updateExternalTask(db: Db, id: string, patch: Partial<Pick<EngineExternalTaskRow, 'retries' | 'error_message' | 'error_details' | 'worker_id' | 'lock_expiration'>>): Promise<void> {
      await db<EngineExternalTaskRow>('engine_external_task').where({ id }).update(patch);
    },
    async listExternalTasks(db: Db, q: { topicName?: string; workerId?: string; locked?: boolean; notLocked?: boolean; processInstanceId?: string; activityId?: string; withRetriesLeft?: boolean; noRetriesLeft?: boolean; firstResult?: number; maxResults?: number }): Promise<EngineExternalTaskRow[]> {
      const b = db<EngineExternalTaskRow>('engine_external_task');
      if (q.topicName) b.where({ topic: q.topicName });
      if (q.workerId) b.where({ worker_id: q.workerId });
      if (q.locked) b.where('lock_expiration', '>', db.fn.now());
      if (q.notLocked) b.where((w) => w.whereNull('lock_expiration').orWhere('lock_expiration', '<=', db.fn.now()));
      if (q.processInstanceId) b.where('instance_id', isUuid(q.processInstanceId) ? q.processInstanceId : null);
      if (q.activityId) b.where({ activity_id: q.activityId });
      if (q.withRetriesLeft) b.where((w) => w.whereNull('retries').orWhere('retries', '>', 0));
      if (q.noRetriesLeft) b.where('retries', 0);
      return b.orderBy('created').orderBy('id').offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },

    // ---- timers
    async claimDueTimers(db: Db, nodeId: string, limit: number, leaseMs: number): Promise<EngineTimerRow[]> {
      return db<EngineTimerRow>('engine_timer').whereIn('id', (sub) => {
        sub.select('id').from('engine_timer').where('due_at', '<=', db.fn.now())
          .where((w) => w.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
          .orderBy('due_at').limit(limit).forUpdate().skipLocked();
      }).update({ locked_until: new Date(Date.now() + leaseMs), locked_by: nodeId, attempts: db.raw('attempts + 1') }).returning('*');
    },
    /**
     * Claims due instance timers (leased, SKIP LOCKED) and returns with each everything firing it
     * needs, read in the same statement: the instance row and state, its variables and its projection
     * rows. A fire computed from them is written under a guard on the instance's revision.
     */
    async claimDueTimersWithState(db: Db, nodeId: string, limit: number, leaseMs: number): Promise<ClaimedTimer[]> {
      return exec<ClaimedTimer>(db, `with c as (
          update engine_timer set locked_until = ?, locked_by = ?, attempts = attempts + 1
          where id in (select id from engine_timer where due_at <= now() and (locked_until is null or locked_until < now())
            order by due_at limit ? for update skip locked)
          returning *)
        select to_jsonb(c) as timer, to_jsonb(i) - 'engine_state' - 'exec_prefix' - 'exec_seq' as instance, ${STATE_OF_I}
        from c left join engine_instance i on i.id = c.instance_id
        order by c.due_at`, [new Date(Date.now() + leaseMs), nodeId, limit]);
    },
    /**
     * A task or external task (in the caller's scope) with everything a command on it needs, in one
     * statement and without a lock: its instance row and state, the variables and the projection rows,
     * all of one snapshot. A command computed from them is written under a guard on the instance's
     * revision (the cold path: two round trips instead of a locked transaction's seven).
     */
    async readItemWithState(db: Db, table: 'engine_task' | 'engine_external_task', id: string, scope?: TaskScope): Promise<{ instance: InstanceHead; item: ItemJson; state: unknown; variables: StoredVariable[]; projections: Projections } | undefined> {
      if (!isUuid(id)) return undefined;
      const sc = scope ? scopeSql(scope) : null;
      const rows = await exec<InstanceHead & StateColumns & { item: unknown; variables: unknown; projections: unknown }>(db, `select ${INSTANCE_COLUMNS.map((c) => `i.${c}`).join(', ')}, to_jsonb(t) as item, ${STATE_OF_I}
        from ${table === 'engine_task' ? 'engine_task' : 'engine_external_task'} t join engine_instance i on i.id = t.instance_id
        where t.id = ?${sc ? ` and ${sc.sql}` : ''}`, [id, ...(sc?.bindings ?? [])]);
      const r = rows[0];
      if (!r) return undefined;
      const { engine_state, exec_prefix, exec_seq, executions, item, variables, projections, ...instance } = r;
      return {
        instance, item: parseJson(item) as ItemJson, state: stateOf({ engine_state, exec_prefix, exec_seq, executions }),
        variables: parseJson(variables) as StoredVariable[], projections: parseJson(projections) as Projections,
      };
    },
    /** A cycle's next occurrence: counted, unleased, attempts reset. */
    async rescheduleTimer(db: Db, id: string, due: Date, fired: number): Promise<void> {
      await db<EngineTimerRow>('engine_timer').where({ id }).update({ due_at: due, fired, attempts: 0, locked_until: null, locked_by: null });
    },
    /** The next time a timer can be claimed: a leased (or parked) timer counts from its lease's end. */
    async nextTimerDue(db: Db): Promise<Date | null> {
      const { rows } = await db.raw<{ rows: Array<{ d: Date | null }> }>('select min(greatest(due_at, coalesce(locked_until, due_at))) as d from engine_timer');
      const d = rows[0]?.d;
      return d ? new Date(d) : null;
    },
    async timerById(db: Db, id: string, lock = false): Promise<EngineTimerRow | undefined> {
      const b = db<EngineTimerRow>('engine_timer').where({ id });
      if (lock) b.forUpdate();
      return b.first();
    },
    async deleteStartTimersOfKey(db: Db, key: string): Promise<void> {
      await db('engine_timer').whereNull('instance_id').whereLike('definition_id', `${key.replace(/[%_\\]/g, '\\$&')}:%`).delete();
    },
    async insertTimer(db: Db, row: NewTimer): Promise<void> { await db<EngineTimerRow>('engine_timer').insert(row).onConflict('execution_id').ignore(); },

    // ---- messages
    /** `correlationKeys`: process variables the waiting instance must hold, with equal values (as stored). */
    /** `unitIds`: only instances of these units (a scoped caller's); an instance without a unit is in none. */
    async messageSubscriptions(db: Db, q: { messageName: string; businessKey?: string; processInstanceId?: string; correlationKeys?: Record<string, unknown>; unitIds?: readonly string[] }): Promise<EngineMessageSubRow[]> {
      const b = db('engine_message_sub as s').where({ 's.message_name': q.messageName }).select<EngineMessageSubRow[]>('s.*');
      if (q.unitIds) {
        const units = [...q.unitIds];
        b.whereExists((x) => x.select(db.raw('1')).from('engine_instance as i').whereRaw('i.id = s.instance_id').whereIn('i.unit_id', units));
      }
      if (q.businessKey) b.where({ 's.business_key': q.businessKey });
      if (q.processInstanceId) b.where({ 's.instance_id': isUuid(q.processInstanceId) ? q.processInstanceId : null });
      for (const [name, value] of Object.entries(q.correlationKeys ?? {})) {
        b.whereExists((x) => x.select(db.raw('1')).from('engine_variable as v').whereRaw('v.instance_id = s.instance_id')
          .where('v.name', name).whereRaw('v.value = ?::jsonb', [JSON.stringify(value ?? null)]));
      }
      return b.orderBy('created');
    },

    // ---- incidents
    async insertIncident(db: Db, row: Omit<EngineIncidentRow, 'resolved'>): Promise<void> { await db<EngineIncidentRow>('engine_incident').insert(row); },
    async resolveIncidents(db: Db, configuration: string): Promise<EngineIncidentRow[]> {
      return db<EngineIncidentRow>('engine_incident').where({ configuration }).whereNull('resolved').update({ resolved: new Date() }).returning('*');
    },
    async listIncidents(db: Db, q: { processInstanceId?: string; incidentType?: string; open?: boolean; firstResult?: number; maxResults?: number }): Promise<EngineIncidentRow[]> {
      const b = db<EngineIncidentRow>('engine_incident');
      if (q.processInstanceId) b.where('instance_id', isUuid(q.processInstanceId) ? q.processInstanceId : null);
      if (q.incidentType) b.where({ incident_type: q.incidentType });
      if (q.open !== false) b.whereNull('resolved');
      return b.orderBy('created').offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },

    // ---- history (append-only)
    /** Everything a command writes, as one statement (server/engine/store-write.ts); timer fires of one node are batched. */
    writeCommand: (db: Db, w: CommandWrite) => writer.write(db, w),
    async appendHistory(db: Db, rows: NewHistory[]): Promise<void> {
      if (rows.length) await db('engine_history').insert(rows);
    },
    async history(db: Db, q: { instanceId?: string; kinds?: string[]; taskId?: string }): Promise<HistoryRow[]> {
      const b = db<EngineHistoryRow>('engine_history');
      if (q.instanceId) b.where('instance_id', isUuid(q.instanceId) ? q.instanceId : null);
      if (q.taskId) b.where('task_id', isUuid(q.taskId) ? q.taskId : null);
      if (q.kinds) b.whereIn('kind', q.kinds);
      const rows = await b.orderBy('id').limit(10000);
      return rows.map((r) => ({
        kind: r.kind, activityId: r.activity_id, activityType: r.activity_type, activityName: r.activity_name,
        executionId: r.execution_id, taskId: r.task_id, userId: r.user_id, data: r.data, at: r.at, instanceId: r.instance_id, definitionId: r.definition_id,
      }));
    },
  };
}

export type EngineStore = ReturnType<typeof createEngineStore>;

/** The projection tables read whole, by name. */
interface ProjectionTables { engine_task: EngineTaskRow; engine_external_task: EngineExternalTaskRow; engine_call: EngineCallRow }
/** A projection row as to_jsonb hands it over. */
type ProjectionJson = AsJson<EngineTaskRow> | AsJson<EngineExternalTaskRow> | AsJson<EngineTimerRow> | AsJson<EngineMessageSubRow> | AsJson<EngineCallRow>;

/** A claimed timer with its instance (to_jsonb, without the state columns), state, variables and projections: JSON, parsed by the reader. */
export type ClaimedTimer = StateColumns & { timer: unknown; instance: unknown; variables: unknown; projections: unknown };

type DefinitionQuery = { key?: string; keyLike?: string; latestVersion?: boolean; deploymentId?: string; versionTag?: string; firstResult?: number; maxResults?: number };
function definitionQuery(db: Db, q: DefinitionQuery): Knex.QueryBuilder {
  const b = db('engine_definition as d');
  if (q.key) b.where('d.key', q.key);
  if (q.keyLike) b.whereLike('d.key', q.keyLike);
  if (q.deploymentId) b.where('d.deployment_id', isUuid(q.deploymentId) ? q.deploymentId : null);
  if (q.versionTag) b.where('d.version_tag', q.versionTag);
  if (q.latestVersion) b.whereRaw('d.version = (select max(version) from engine_definition x where x.key = d.key)');
  return b;
}

type InstanceQuery = { active?: boolean; businessKey?: string; processDefinitionId?: string; processDefinitionKey?: string; processInstanceIds?: string[]; unitIds?: string[]; firstResult?: number; maxResults?: number; finished?: boolean };
function instanceQuery(db: Db, q: InstanceQuery): Knex.QueryBuilder {
  const b = db('engine_instance');
  if (q.active) b.where({ state: 'ACTIVE' });
  if (q.finished) b.whereNot({ state: 'ACTIVE' });
  if (q.businessKey) b.where({ business_key: q.businessKey });
  if (q.processDefinitionId) b.where({ definition_id: q.processDefinitionId });
  if (q.processDefinitionKey) b.where({ definition_key: q.processDefinitionKey });
  if (q.processInstanceIds) b.whereIn('id', q.processInstanceIds.filter(isUuid));
  if (q.unitIds) b.whereIn('unit_id', q.unitIds);
  return b;
}

/** The filters of a task query and the caller's scope as SQL text with `?` bindings. */
function taskWhere(q: TaskQuery, scope: TaskScope): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const bindings: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => { parts.push(sql); bindings.push(...values); };
  const sc = scopeSql(scope);
  if (sc) add(sc.sql, ...sc.bindings);
  if (q.assignee) add('t.assignee = ?', q.assignee);
  if (q.unassigned) add('t.assignee is null');
  if (q.candidateGroup) add('? = any(t.candidate_groups) and t.assignee is null', q.candidateGroup);
  if (q.candidateUser) add('? = any(t.candidate_users) and t.assignee is null', q.candidateUser);
  // An id that is not a uuid matches nothing (and never reaches PostgreSQL as a cast error).
  if (q.processInstanceId) { if (isUuid(q.processInstanceId)) add('t.instance_id = ?', q.processInstanceId); else add('false'); }
  if (q.processInstanceBusinessKey) add('t.business_key = ?', q.processInstanceBusinessKey);
  if (q.processDefinitionKey) add('t.definition_id like ?', `${q.processDefinitionKey.replace(/[%_\\]/g, '\\$&')}:%`);
  if (q.taskDefinitionKey) add('t.task_definition_key = ?', q.taskDefinitionKey);
  if (q.dueBefore) add('t.due < ?', q.dueBefore);
  if (q.dueAfter) add('t.due > ?', q.dueAfter);
  return { sql: parts.length ? parts.join(' and ') : 'true', bindings };
}

/**
 * Candidate groups name roles; a scoped user sees a task assigned to them, offered to them, or offered
 * to a role they hold in the task's unit (`role`, or `role@unit` naming the unit outright). A task of an
 * instance without a unit is offered by role to nobody: otherwise it would reach that role in every unit.
 */
function applyScope(b: Knex.QueryBuilder, scope: TaskScope): void {
  if ('all' in scope) return;
  b.where((w) => {
    w.where('t.assignee', scope.username).orWhereRaw('? = any(t.candidate_users)', [scope.username]);
    for (const { unitId, role } of scope.unitRoles) {
      w.orWhere((x) => x.whereRaw('? = any(t.candidate_groups)', [role]).andWhere('t.unit_id', unitId));
      w.orWhereRaw('? = any(t.candidate_groups)', [`${role}@${unitId}`]);
    }
    if (scope.readUnitIds?.length) w.orWhereIn('t.unit_id', [...scope.readUnitIds]);
  });
}
