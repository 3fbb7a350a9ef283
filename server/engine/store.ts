import type { Knex } from 'knex';
import type { TypedValue } from './values.js';
import type {
  DefinitionRow, ExternalTaskRow, FetchTopic, HistoryRow, InstanceRow, TaskQuery, TaskRow, TaskScope,
} from './types.js';

/** All engine SQL. Parameterised only; every write takes the caller's transaction. */
type Db = Knex | Knex.Transaction;

type Row = Record<string, any>;

export const toDefinition = (r: Row): DefinitionRow => ({
  id: r.id, key: r.key, version: r.version, versionTag: r.version_tag ?? null, name: r.name ?? null,
  deploymentId: r.deployment_id, resourceName: r.resource_name, suspended: r.suspended,
});

export const toInstance = (r: Row): InstanceRow => ({
  id: r.id, definitionId: r.definition_id, definitionKey: r.definition_key, businessKey: r.business_key ?? null,
  unitId: r.unit_id ?? null, state: r.state, startTime: r.start_time, endTime: r.end_time ?? null,
  startUserId: r.start_user ?? null, deleteReason: r.delete_reason ?? null,
});

export const toTask = (r: Row): TaskRow => ({
  id: r.id, name: r.name ?? null, assignee: r.assignee ?? null, created: r.created, due: r.due ?? null,
  followUp: r.follow_up ?? null, priority: r.priority, processDefinitionId: r.definition_id,
  processInstanceId: r.instance_id, taskDefinitionKey: r.task_definition_key, executionId: r.execution_id,
  formKey: r.form_key ?? null, candidateUsers: r.candidate_users ?? [], candidateGroups: r.candidate_groups ?? [],
  unitId: r.unit_id ?? null, businessKey: r.business_key ?? null,
});

export const toExternalTask = (r: Row): ExternalTaskRow => ({
  id: r.id, activityId: r.activity_id, topicName: r.topic, workerId: r.worker_id ?? null,
  lockExpirationTime: r.lock_expiration ?? null, retries: r.retries ?? null, errorMessage: r.error_message ?? null,
  errorDetails: r.error_details ?? null, priority: r.priority, businessKey: r.business_key ?? null,
  processInstanceId: r.instance_id, processDefinitionId: r.definition_id, processDefinitionKey: r.definition_key,
  executionId: r.execution_id, createTime: r.created,
});

/** engine_instance without engine_state (kilobytes a command on a hot instance never reads). */
const INSTANCE_COLUMNS = ['id', 'definition_id', 'definition_key', 'business_key', 'unit_id', 'state', 'revision', 'start_user', 'start_time', 'end_time', 'delete_reason'];

/** An instance's variables and projection rows (alias `i`), as JSON columns of one select. */
const STATE_OF_I = `(select coalesce(jsonb_agg(jsonb_build_object('name', v.name, 'type', v.type, 'value', v.value, 'valueInfo', v.value_info)), '[]'::jsonb)
             from engine_variable v where v.instance_id = i.id) as variables,
          (select jsonb_build_object(
             'engine_task', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_task x where x.instance_id = i.id),
             'engine_external_task', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_external_task x where x.instance_id = i.id),
             'engine_timer', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_timer x where x.instance_id = i.id),
             'engine_message_sub', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_message_sub x where x.instance_id = i.id),
             'engine_call', (select coalesce(jsonb_agg(to_jsonb(x)), '[]'::jsonb) from engine_call x where x.instance_id = i.id))) as projections`;
const parseJson = (v: unknown): any => (typeof v === 'string' ? JSON.parse(v) : v);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids in uuid columns: anything else cannot exist, and must not reach PostgreSQL as a cast error. */
export const isUuid = (id: string) => UUID.test(id);

export function createEngineStore() {
  return {
    // ---- definitions
    async latestDefinition(db: Db, key: string): Promise<Row | undefined> {
      return db('engine_definition').where({ key }).orderBy('version', 'desc').first();
    },
    /** The latest version's id only: its source and model are cached by id (kilobytes per start otherwise). */
    async latestDefinitionId(db: Db, key: string): Promise<string | undefined> {
      return (await db('engine_definition').where({ key }).orderBy('version', 'desc').first('id'))?.id;
    },
    async definitionById(db: Db, id: string): Promise<Row | undefined> {
      return db('engine_definition').where({ id }).first();
    },
    /** Latest versions whose model starts with this message name. */
    async latestWithMessageStart(db: Db, messageName: string): Promise<Row[]> {
      const res = await db.raw(`
        select d.id, d.model from engine_definition d
        where d.version = (select max(version) from engine_definition x where x.key = d.key)
          and jsonb_exists(d.model->'messageStarts', ?)`, [messageName]);
      return (res.rows ?? res) as Row[];
    },
    async latestWithSignalStart(db: Db, signalName: string): Promise<Row[]> {
      const res = await db.raw(`
        select d.id, d.model from engine_definition d
        where d.version = (select max(version) from engine_definition x where x.key = d.key)
          and not d.suspended and jsonb_exists(coalesce(d.model->'signalStarts', '{}'::jsonb), ?)`, [signalName]);
      return (res.rows ?? res) as Row[];
    },
    async insertDeployment(db: Db, row: Row): Promise<void> { await db('engine_deployment').insert(row); },
    async insertResource(db: Db, row: Row): Promise<void> { await db('engine_resource').insert(row); },
    async insertDefinition(db: Db, row: Row): Promise<void> { await db('engine_definition').insert(row); },
    async lockDefinitionKey(db: Db, key: string): Promise<void> {
      // Serialises concurrent deployments of one key so versions stay gapless and unique.
      await db.raw('select pg_advisory_xact_lock(hashtext(?))', [`engine-def:${key}`]);
    },
    async listDeployments(db: Db, q: { id?: string; name?: string; firstResult?: number; maxResults?: number }): Promise<Row[]> {
      const b = db('engine_deployment').orderBy('deployment_time', 'desc');
      if (q.id) b.where({ id: isUuid(q.id) ? q.id : null });
      if (q.name) b.where({ name: q.name });
      return b.offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },
    async definitionsOfDeployments(db: Db, ids: string[]): Promise<Row[]> {
      return ids.length ? db('engine_definition').whereIn('deployment_id', ids).select('id', 'key', 'version', 'version_tag', 'name', 'deployment_id', 'resource_name', 'suspended') : [];
    },
    async listDefinitions(db: Db, q: DefinitionQuery): Promise<Row[]> {
      const b = definitionQuery(db, q).select('d.id', 'd.key', 'd.version', 'd.version_tag', 'd.name', 'd.deployment_id', 'd.resource_name', 'd.suspended');
      return b.orderBy([{ column: 'd.key' }, { column: 'd.version' }]).offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },
    /** The true number of matches (no page cap). */
    async countDefinitions(db: Db, q: DefinitionQuery): Promise<number> {
      return Number((await definitionQuery(db, q).count({ n: '*' }).first())?.n ?? 0);
    },

    // ---- instances
    /** Locks an instance row. Without engine_state: a hot instance does not need it (see instanceState). */
    async lockInstance(db: Db, id: string): Promise<Row | undefined> {
      if (!isUuid(id)) return undefined;
      return db('engine_instance').where({ id }).forUpdate().first(INSTANCE_COLUMNS);
    },
    async instanceState(db: Db, id: string): Promise<unknown> {
      const r = await db('engine_instance').where({ id }).first('engine_state');
      return r?.engine_state ?? null;
    },
    /**
     * Locks a task or external task together with its instance, in one statement. FOR UPDATE OF
     * both returns their latest committed versions after any wait (a row deleted meanwhile drops
     * out), and takes the instance first, the order every command uses.
     */
    async lockInstanceOf(db: Db, table: 'engine_task' | 'engine_external_task', id: string, scope?: TaskScope): Promise<{ instance: Row; item: Row } | undefined> {
      if (!isUuid(id)) return undefined;
      const b = db('engine_instance as i').join(`${table} as t`, 't.instance_id', 'i.id').where('t.id', id)
        .select([...INSTANCE_COLUMNS.map((c) => `i.${c}`), db.raw('to_jsonb(t) as item')]).forUpdate('i', 't');
      if (scope) applyScope(b, scope);
      const r = await b.first();
      if (!r) return undefined;
      const { item, ...instance } = r;
      return { instance, item: (typeof item === 'string' ? JSON.parse(item) : item) as Row };
    },
    async instanceByIdempotencyKey(db: Db, key: string): Promise<Row | undefined> {
      return db('engine_instance').where({ idempotency_key: key }).first('id', 'definition_id', 'definition_key', 'business_key', 'unit_id', 'state', 'start_time', 'end_time', 'start_user', 'delete_reason');
    },
    async instanceById(db: Db, id: string): Promise<Row | undefined> {
      if (!isUuid(id)) return undefined;
      return db('engine_instance').where({ id }).first('id', 'definition_id', 'definition_key', 'business_key', 'unit_id', 'state', 'start_time', 'end_time', 'start_user', 'delete_reason');
    },
    async setDefinitionSuspended(db: Db, id: string, suspended: boolean): Promise<number> {
      return db('engine_definition').where({ id }).update({ suspended });
    },
    async updateInstance(db: Db, id: string, patch: Row): Promise<void> {
      await db('engine_instance').where({ id }).update({ ...patch, revision: db.raw('revision + 1') });
    },
    async listInstances(db: Db, q: InstanceQuery): Promise<Row[]> {
      const b = instanceQuery(db, q).select('id', 'definition_id', 'definition_key', 'business_key', 'unit_id', 'state', 'start_time', 'end_time', 'start_user', 'delete_reason');
      return b.orderBy('start_time', 'asc').orderBy('id').offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },
    /** The true number of matches (no page cap). */
    async countInstances(db: Db, q: InstanceQuery): Promise<number> {
      return Number((await instanceQuery(db, q).count({ n: '*' }).first())?.n ?? 0);
    },

    // ---- variables
    async variables(db: Db, instanceId: string): Promise<Record<string, TypedValue>> {
      const rows = await db('engine_variable').where({ instance_id: instanceId });
      const out: Record<string, TypedValue> = {};
      for (const r of rows) out[r.name] = { type: r.type, value: r.value, valueInfo: r.value_info ?? {} };
      return out;
    },
    // ---- projections of what the engine is waiting for
    async rowsOf(db: Db, table: string, instanceId: string): Promise<Row[]> {
      return db(table).where({ instance_id: instanceId });
    },
    /** The four projection tables of one instance in one round trip, keyed by table name. */
    async projectionsOf(db: Db, instanceId: string): Promise<Record<string, Row[]>> {
      const res = await db.raw(`
        select 'engine_task' as t, to_jsonb(x) as r from engine_task x where instance_id = ?
        union all select 'engine_external_task', to_jsonb(x) from engine_external_task x where instance_id = ?
        union all select 'engine_timer', to_jsonb(x) from engine_timer x where instance_id = ?
        union all select 'engine_message_sub', to_jsonb(x) from engine_message_sub x where instance_id = ?
        union all select 'engine_call', to_jsonb(x) from engine_call x where instance_id = ?`, [instanceId, instanceId, instanceId, instanceId, instanceId]);
      const out: Record<string, Row[]> = {};
      for (const { t, r } of (res.rows ?? res) as Array<{ t: string; r: Row }>) (out[t] ??= []).push(r);
      return out;
    },
    async deleteByIds(db: Db, table: string, ids: string[]): Promise<void> {
      if (ids.length) await db(table).whereIn('id', ids).delete();
    },
    async deleteAllOf(db: Db, instanceId: string): Promise<void> {
      for (const t of ['engine_task', 'engine_external_task', 'engine_timer', 'engine_message_sub', 'engine_call']) await db(t).where({ instance_id: instanceId }).delete();
    },
    async updateTimerDue(db: Db, id: string, dueAt: Date): Promise<void> {
      await db('engine_timer').where({ id }).update({ due_at: dueAt, locked_until: null, locked_by: null });
    },

    // ---- user tasks
    /** Task lists and counts: SQL text fixed per filter shape, so each shape is a prepared statement (the tasklist's hot read). */
    async listTasks(db: Db, q: TaskQuery, scope: TaskScope): Promise<Row[]> {
      const w = taskWhere(q, scope);
      const col = { created: 't.created', dueDate: 't.due', priority: 't.priority', name: 't.name', assignee: 't.assignee', id: 't.id', followUpDate: 't.follow_up' }[q.sortBy ?? 'created'] ?? 't.created';
      const dir = q.sortOrder === 'desc' ? 'desc' : 'asc';
      return exec(db, `select t.* from engine_task t where ${w.sql} order by ${col} ${dir}, t.id asc offset ? limit ?`,
        [...w.bindings, q.firstResult ?? 0, Math.min(q.maxResults ?? 1000, 1000)]);
    },
    async countTasks(db: Db, q: TaskQuery, scope: TaskScope): Promise<number> {
      const w = taskWhere(q, scope);
      const rows = await exec(db, `select count(*) as n from engine_task t where ${w.sql}`, w.bindings);
      return Number(rows[0]?.n ?? 0);
    },
    async taskById(db: Db, id: string, scope: TaskScope, lock = false): Promise<Row | undefined> {
      if (!isUuid(id)) return undefined;
      const b = db('engine_task as t').where('t.id', id).select('t.*');
      applyScope(b, scope);
      if (lock) b.forUpdate();
      return b.first();
    },
    async updateTask(db: Db, id: string, patch: Row): Promise<void> { await db('engine_task').where({ id }).update(patch); },

    // ---- external tasks
    /**
     * Locks up to `limit` fetchable tasks of a topic for a worker in one statement (UPDATE of a
     * SKIP LOCKED sub-select), returned in fetch order: priority first if asked, then creation time.
     */
    async lockExternalTasks(db: Db, t: FetchTopic, limit: number, usePriority: boolean, workerId: string, until: Date): Promise<Row[]> {
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
      const res = await db.raw(`with locked as (?) select locked.*, (select coalesce(jsonb_agg(jsonb_build_object('name', v.name, 'type', v.type, 'value', v.value, 'valueInfo', v.value_info)), '[]'::jsonb)
        from engine_variable v where v.instance_id = locked.instance_id${names}) as variables from locked`, t.variables ? [lock, t.variables] : [lock]);
      const rows = (res.rows ?? res) as Row[];
      const time = (r: Row) => new Date(r.created).getTime();
      return rows.sort((x, y) => (usePriority ? y.priority - x.priority : 0) || time(x) - time(y) || String(x.id).localeCompare(String(y.id)));
    },
    async externalTaskById(db: Db, id: string, lock = false): Promise<Row | undefined> {
      if (!isUuid(id)) return undefined;
      const b = db('engine_external_task').where({ id });
      if (lock) b.forUpdate();
      return b.first();
    },
    async updateExternalTask(db: Db, id: string, patch: Row): Promise<void> { await db('engine_external_task').where({ id }).update(patch); },
    async listExternalTasks(db: Db, q: { topicName?: string; workerId?: string; locked?: boolean; notLocked?: boolean; processInstanceId?: string; activityId?: string; withRetriesLeft?: boolean; noRetriesLeft?: boolean; firstResult?: number; maxResults?: number }): Promise<Row[]> {
      const b = db('engine_external_task');
      if (q.topicName) b.where({ topic: q.topicName });
      if (q.workerId) b.where({ worker_id: q.workerId });
      if (q.locked) b.where('lock_expiration', '>', db.fn.now());
      if (q.notLocked) b.where((w) => w.whereNull('lock_expiration').orWhere('lock_expiration', '<=', db.fn.now()));
      if (q.processInstanceId) b.where({ instance_id: isUuid(q.processInstanceId) ? q.processInstanceId : null });
      if (q.activityId) b.where({ activity_id: q.activityId });
      if (q.withRetriesLeft) b.where((w) => w.whereNull('retries').orWhere('retries', '>', 0));
      if (q.noRetriesLeft) b.where('retries', 0);
      return b.orderBy('created').orderBy('id').offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },

    // ---- timers
    async claimDueTimers(db: Db, nodeId: string, limit: number, leaseMs: number): Promise<Row[]> {
      return db('engine_timer').whereIn('id', (sub) => {
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
    async claimDueTimersWithState(db: Db, nodeId: string, limit: number, leaseMs: number): Promise<Row[]> {
      return exec(db, `with c as (
          update engine_timer set locked_until = ?, locked_by = ?, attempts = attempts + 1
          where id in (select id from engine_timer where due_at <= now() and (locked_until is null or locked_until < now())
            order by due_at limit ? for update skip locked)
          returning *)
        select to_jsonb(c) as timer, to_jsonb(i) - 'engine_state' as instance, i.engine_state, ${STATE_OF_I}
        from c left join engine_instance i on i.id = c.instance_id
        order by c.due_at`, [new Date(Date.now() + leaseMs), nodeId, limit]);
    },
    /**
     * A task or external task (in the caller's scope) with everything a command on it needs, in one
     * statement and without a lock: its instance row and state, the variables and the projection rows,
     * all of one snapshot. A command computed from them is written under a guard on the instance's
     * revision (the cold path: two round trips instead of a locked transaction's seven).
     */
    async readItemWithState(db: Db, table: 'engine_task' | 'engine_external_task', id: string, scope?: TaskScope): Promise<{ instance: Row; item: Row; state: unknown; variables: Row[]; projections: Record<string, Row[]> } | undefined> {
      if (!isUuid(id)) return undefined;
      const sc = scope ? scopeSql(scope) : null;
      const rows = await exec(db, `select ${INSTANCE_COLUMNS.map((c) => `i.${c}`).join(', ')}, i.engine_state, to_jsonb(t) as item, ${STATE_OF_I}
        from ${table === 'engine_task' ? 'engine_task' : 'engine_external_task'} t join engine_instance i on i.id = t.instance_id
        where t.id = ?${sc ? ` and ${sc.sql}` : ''}`, [id, ...(sc?.bindings ?? [])]);
      const r = rows[0];
      if (!r) return undefined;
      const { engine_state: state, item, variables, projections, ...instance } = r;
      return { instance, item: parseJson(item), state: parseJson(state), variables: parseJson(variables), projections: parseJson(projections) };
    },
    /** A cycle's next occurrence: counted, unleased, attempts reset. */
    async rescheduleTimer(db: Db, id: string, due: Date, fired: number): Promise<void> {
      await db('engine_timer').where({ id }).update({ due_at: due, fired, attempts: 0, locked_until: null, locked_by: null });
    },
    /** The next time a timer can be claimed: a leased (or parked) timer counts from its lease's end. */
    async nextTimerDue(db: Db): Promise<Date | null> {
      const { rows } = await db.raw<{ rows: Array<{ d: Date | null }> }>('select min(greatest(due_at, coalesce(locked_until, due_at))) as d from engine_timer');
      const d = rows[0]?.d;
      return d ? new Date(d) : null;
    },
    async timerById(db: Db, id: string, lock = false): Promise<Row | undefined> {
      const b = db('engine_timer').where({ id });
      if (lock) b.forUpdate();
      return b.first();
    },
    async deleteStartTimersOfKey(db: Db, key: string): Promise<void> {
      await db('engine_timer').whereNull('instance_id').whereLike('definition_id', `${key.replace(/[%_\\]/g, '\\$&')}:%`).delete();
    },
    async insertTimer(db: Db, row: Row): Promise<void> { await db('engine_timer').insert(row).onConflict('execution_id').ignore(); },

    // ---- messages
    /** `correlationKeys`: process variables the waiting instance must hold, with equal values (as stored). */
    /** `unitIds`: only instances of these units (a scoped caller's); an instance without a unit is in none. */
    async messageSubscriptions(db: Db, q: { messageName: string; businessKey?: string; processInstanceId?: string; correlationKeys?: Record<string, unknown>; unitIds?: readonly string[] }): Promise<Row[]> {
      const b = db('engine_message_sub as s').where({ 's.message_name': q.messageName }).select('s.*');
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
    async insertIncident(db: Db, row: Row): Promise<void> { await db('engine_incident').insert(row); },
    async resolveIncidents(db: Db, configuration: string): Promise<Row[]> {
      return db('engine_incident').where({ configuration }).whereNull('resolved').update({ resolved: new Date() }).returning('*');
    },
    async listIncidents(db: Db, q: { processInstanceId?: string; incidentType?: string; open?: boolean; firstResult?: number; maxResults?: number }): Promise<Row[]> {
      const b = db('engine_incident');
      if (q.processInstanceId) b.where({ instance_id: isUuid(q.processInstanceId) ? q.processInstanceId : null });
      if (q.incidentType) b.where({ incident_type: q.incidentType });
      if (q.open !== false) b.whereNull('resolved');
      return b.orderBy('created').offset(q.firstResult ?? 0).limit(Math.min(q.maxResults ?? 1000, 1000));
    },

    // ---- history (append-only)
    /**
     * Everything a command writes, as ONE statement (each round trip costs more than the SQL):
     * variables upserted, projections deleted and inserted (ignoring an execution id that already
     * has its row), history appended in the given order ('task-created' rows only for tasks really
     * inserted), the instance row updated with its revision bumped, and NOTIFY when an external
     * task was inserted. Data-modifying CTEs always run, referenced or not.
     */
    /**
     * Writes one command's outcome in one statement. Normally the caller holds the instance lock in
     * its transaction. With a `guard` the statement stands alone (autocommit): it locks the rows the
     * command was computed from and writes only if they are still as the caller saw them; `ok` is
     * false otherwise and nothing was written. With `insertInstance` it creates the instance too.
     */
    async writeCommand(db: Db, w: {
      instanceId: string; patch: { engine_state: string | null; state?: string; end_time?: Date; delete_reason?: string };
      variables: Row[]; deletes: Record<string, string[]>; inserts: Record<string, Row[]>; history: Row[];
      notify?: { channel: string; payload: string };
      guard?: WriteGuard;
      insertInstance?: Row;
    }): Promise<{ ok: boolean; inserted: Record<string, Array<{ id: string; execution_id: string }>>; existing?: Row | null }> {
      const ctes: string[] = [];
      const bindings: unknown[] = [];
      // Every write below is conditional on the guard's locked row(s), so a stale guard writes nothing;
      // a start with an idempotency key also on its instance row being new (ON CONFLICT DO NOTHING).
      const keyed = Boolean(w.insertInstance?.idempotency_key);
      const conds: string[] = [];
      if (w.guard) {
        const g = guardSql(w.guard, w.instanceId);
        ctes.push(`ok as ${g.sql}`);
        bindings.push(...g.bindings);
        conds.push('exists (select 1 from ok)');
      }
      const when = conds.length ? ` and ${conds.join(' and ')}` : '';
      if (w.insertInstance) {
        const inst = { ...w.insertInstance, ...w.patch, engine_state: w.patch.engine_state === null ? null : JSON.parse(w.patch.engine_state) };
        const cols = Object.keys(inst).map((c) => `"${c}"`).join(', ');
        ctes.push(`ins as (insert into engine_instance (${cols}) select ${cols} from jsonb_populate_record(null::engine_instance, ?::jsonb) where true${when}
          ${keyed ? 'on conflict (idempotency_key) where idempotency_key is not null do nothing' : ''} returning id)`);
        bindings.push(JSON.stringify(inst));
      }
      // The rest of a keyed start is written only if its instance row was.
      const after = keyed ? `${when} and exists (select 1 from ins)` : when;
      if (w.variables.length) {
        ctes.push(`v as (insert into engine_variable (instance_id, name, type, value, value_info)
          select instance_id, name, type, value, value_info from jsonb_populate_recordset(null::engine_variable, ?::jsonb) where true${after}
          on conflict (instance_id, name) do update set type = excluded.type, value = excluded.value, value_info = excluded.value_info)`);
        bindings.push(JSON.stringify(w.variables));
      }
      let n = 0;
      for (const [table, ids] of Object.entries(w.deletes)) {
        if (!ids.length) continue;
        ctes.push(`d${n++} as (delete from ${table} where id in (select jsonb_array_elements_text(?::jsonb)::uuid)${after})`);
        bindings.push(JSON.stringify(ids));
      }
      const inserted: string[] = [];
      for (const [table, rows] of Object.entries(w.inserts)) {
        if (!rows.length) continue;
        const cols = Object.keys(rows[0]!).map((c) => `"${c}"`).join(', ');
        ctes.push(`i_${table} as (insert into ${table} (${cols}) select ${cols} from jsonb_populate_recordset(null::${table}, ?::jsonb) where true${after}
          on conflict (execution_id) do nothing returning id, execution_id)`);
        bindings.push(JSON.stringify(rows));
        inserted.push(table);
      }
      if (w.history.length) {
        const cols = '"instance_id", "definition_id", "kind", "activity_id", "activity_type", "activity_name", "execution_id", "task_id", "user_id", "data", "at"';
        const created = inserted.includes('engine_task') ? 'select execution_id from i_engine_task' : 'select null::text where false';
        ctes.push(`h as (insert into engine_history (${cols}) select ${cols} from jsonb_populate_recordset(null::engine_history, ?::jsonb) with ordinality x
          where (x.kind <> 'task-created' or x.execution_id in (${created}))${after} order by ordinality)`);
        bindings.push(JSON.stringify(w.history.map((h) => ({ ...h, data: typeof h.data === 'string' ? JSON.parse(h.data) : h.data ?? null }))));
      }
      if (!w.insertInstance) {
        const p = w.patch;
        ctes.push(`u as (update engine_instance set engine_state = ?::jsonb, state = coalesce(?, state), end_time = coalesce(?, end_time),
          delete_reason = coalesce(?, delete_reason), revision = revision + 1 where id = ?${when})`);
        bindings.push(p.engine_state, p.state ?? null, p.end_time ?? null, p.delete_reason ?? null, w.instanceId);
      }
      const outs = inserted.map((t) => `(select coalesce(jsonb_agg(jsonb_build_object('id', id, 'execution_id', execution_id)), '[]'::jsonb) from i_${t}) as "${t}"`);
      if (w.notify && inserted.includes('engine_external_task')) {
        outs.push(`(select pg_notify(?, ?) where exists (select 1 from i_engine_external_task)) as notified`);
        bindings.push(w.notify.channel, w.notify.payload);
      }
      outs.push(w.guard ? 'exists (select 1 from ok) as ok' : 'true as ok');
      if (keyed) {
        // A replayed start: the instance the key already made (committed before this statement began).
        outs.push(`(select to_jsonb(e) from (select ${INSTANCE_COLUMNS.filter((c) => c !== 'revision').join(', ')} from engine_instance
          where idempotency_key = ? and not exists (select 1 from ins)) e) as existing`, 'exists (select 1 from ins) as created');
        bindings.push(w.insertInstance!.idempotency_key);
      }
      const row = (await exec(db, `with ${ctes.join(',\n')} select ${outs.join(', ')}`, bindings))[0] ?? {};
      const out: Record<string, Array<{ id: string; execution_id: string }>> = {};
      for (const t of inserted) out[t] = typeof row[t] === 'string' ? JSON.parse(row[t]) : row[t];
      const ok = row.ok === true || row.ok === 't';
      if (!keyed) return { ok, inserted: out };
      const created = row.created === true || row.created === 't';
      const existing = typeof row.existing === 'string' ? JSON.parse(row.existing) : row.existing ?? null;
      return { ok: ok && created, inserted: out, existing: ok && !created ? existing : undefined };
    },
    async appendHistory(db: Db, rows: Row[]): Promise<void> {
      if (rows.length) await db('engine_history').insert(rows);
    },
    async history(db: Db, q: { instanceId?: string; kinds?: string[]; taskId?: string }): Promise<HistoryRow[]> {
      const b = db('engine_history');
      if (q.instanceId) b.where({ instance_id: isUuid(q.instanceId) ? q.instanceId : null });
      if (q.taskId) b.where({ task_id: isUuid(q.taskId) ? q.taskId : null });
      if (q.kinds) b.whereIn('kind', q.kinds);
      const rows = await b.orderBy('id').limit(10000);
      return rows.map((r: Row) => ({
        kind: r.kind, activityId: r.activity_id, activityType: r.activity_type, activityName: r.activity_name,
        executionId: r.execution_id, taskId: r.task_id, userId: r.user_id, data: r.data, at: r.at, instanceId: r.instance_id, definitionId: r.definition_id,
      }));
    },
  };
}

export type EngineStore = ReturnType<typeof createEngineStore>;

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

/**
 * What an optimistic write must still find, locked, for its outcome to stand:
 * - `instance`: the instance at the revision its hot engine was saved at, and the task / external
 *   task the command targets still there, still in the caller's scope, still the caller's to act on;
 * - `definition`: for a start, the definition not suspended (held FOR SHARE against a concurrent suspend).
 */
export type WriteGuard =
  | { kind: 'instance'; revision: number; table: 'engine_task' | 'engine_external_task' | 'engine_timer'; itemId: string; scope?: TaskScope; assignee?: string; workerId?: string; leasedBy?: string }
  | { kind: 'definition'; definitionId: string; latest?: boolean };

/** The guard as SQL text with `?` bindings: the statement's text then depends only on its shape, so it is prepared once. */
function guardSql(g: WriteGuard, instanceId: string): { sql: string; bindings: unknown[] } {
  if (g.kind === 'definition') {
    // A start by key from the cached latest version also needs it to still be the latest.
    const latest = g.latest ? ' and not exists (select 1 from engine_definition n where n.key = d.key and n.version > d.version)' : '';
    return { sql: `(select d.id from engine_definition d where d.id = ? and not d.suspended${latest} for share of d)`, bindings: [g.definitionId] };
  }
  const table = g.table === 'engine_task' ? 'engine_task' : g.table === 'engine_timer' ? 'engine_timer' : 'engine_external_task';
  let sql = `(select i.id from engine_instance i join ${table} t on t.instance_id = i.id
    where i.id = ? and i.revision = ? and i.state = 'ACTIVE' and t.id = ?`;
  const bindings: unknown[] = [instanceId, g.revision, g.itemId];
  if (g.scope) {
    const sc = scopeSql(g.scope);
    if (sc) { sql += ` and ${sc.sql}`; bindings.push(...sc.bindings); }
  }
  if (g.assignee) { sql += ' and (t.assignee is null or t.assignee = ?)'; bindings.push(g.assignee); }
  if (g.workerId) { sql += ' and t.worker_id = ? and t.lock_expiration >= now() and (t.retries is null or t.retries > 0)'; bindings.push(g.workerId); }
  if (g.leasedBy) { sql += ' and t.locked_by = ?'; bindings.push(g.leasedBy); }
  return { sql: `${sql} for update of i, t)`, bindings };
}

/** `applyScope` as SQL text (null: no restriction). */
function scopeSql(scope: TaskScope): { sql: string; bindings: unknown[] } | null {
  if ('all' in scope) return null;
  const parts = ['t.assignee = ?', '? = any(t.candidate_users)'];
  const bindings: unknown[] = [scope.username, scope.username];
  for (const { unitId, role } of scope.unitRoles) {
    parts.push('(? = any(t.candidate_groups) and t.unit_id = ?)', '? = any(t.candidate_groups)');
    bindings.push(role, unitId, `${role}@${unitId}`);
  }
  // As a JSON text: an array binding is a PostgreSQL array to pg but a list of parameters to knex.raw (embedded database).
  if (scope.readUnitIds?.length) { parts.push('t.unit_id in (select jsonb_array_elements_text(?::jsonb))'); bindings.push(JSON.stringify(scope.readUnitIds)); }
  return { sql: `(${parts.join(' or ')})`, bindings };
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

type Conn = { query(q: unknown, values?: unknown[]): Promise<{ rows: Row[] }> };
const positional = new Map<string, { text: string; name: string }>();
let statements = 0;
/**
 * Runs one autocommit statement as a named prepared statement on PostgreSQL (parsed and planned
 * once per connection instead of at every call; `?` bindings as in knex.raw); in a transaction,
 * or on the embedded database, as knex.raw.
 */
async function exec(db: Db, sql: string, bindings: unknown[]): Promise<Row[]> {
  const client = (db as Knex).client as unknown as { config: { client: unknown }; acquireConnection(): Promise<Conn>; releaseConnection(c: Conn): Promise<void> };
  if ((db as Knex.Transaction).isTransaction || client.config.client !== 'pg') {
    const res = await db.raw(sql, bindings as Knex.RawBinding[]);
    return (res.rows ?? res) as Row[];
  }
  let p = positional.get(sql);
  if (!p) {
    let n = 0;
    p = { text: sql.replace(/\?/g, () => `$${++n}`), name: `tthc_engine_${++statements}` };
    // Statement shapes are few (which tables a command touches, how many roles a scope has); bound the map anyway.
    if (positional.size < 5000) positional.set(sql, p);
    else p = { text: p.text, name: '' };
  }
  const conn = await client.acquireConnection();
  try {
    return (await conn.query({ ...(p.name ? { name: p.name } : {}), text: p.text, values: bindings.map(pgValue) })).rows;
  } finally {
    await client.releaseConnection(conn);
  }
}

/** What knex would send for a binding: arrays of strings as PostgreSQL arrays, dates and the rest as pg converts them. */
function pgValue(v: unknown): unknown {
  return v === undefined ? null : v;
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
