import type {
  AsJson, EngineCallRow, EngineExecutionRow, EngineExternalTaskRow, EngineMessageSubRow, EngineTaskRow, EngineTimerRow, InstanceHead, NewHistory, NewInstance, ProjectionTable,
} from './rows.js';
import type { StateRows } from './runtime/exec.js';
import { exec, guardSql, INSTANCE_COLUMNS, type Db, type WriteGuard } from './sql.js';

/**
 * The instance row's state columns after a command: bpmn-engine's blob (JSON text), or the native
 * interpreter's id prefix and counter (its executions are `CommandWrite.executions`).
 */
export interface InstancePatch { engine_state: string | null; exec_prefix: string | null; exec_seq: number | null; state?: string; end_time?: Date; delete_reason?: string }

/** A variable as a command upserts it (engine_variable). */
export interface NewVariable { instance_id: string; name: string; type: string; value: unknown; value_info: Record<string, unknown> }

/** A new external task: unlocked, without an error; its input mappings as JSON text. */
export type NewExternalTask = Omit<EngineExternalTaskRow, 'worker_id' | 'lock_expiration' | 'error_message' | 'error_details' | 'local_variables'> & { local_variables: string | null };
/** A new timer: unleased, never fired (those columns keep their defaults). */
export type NewTimer = Pick<EngineTimerRow, 'id' | 'instance_id' | 'definition_id' | 'execution_id' | 'activity_id' | 'due_at'> & { repeat?: string | null };
/** A row a command inserts into a projection table (a column it does not name keeps its default). */
export type NewProjectionRow = EngineTaskRow | NewExternalTask | NewTimer | EngineMessageSubRow | EngineCallRow;

/** What one command writes (server/engine/service/persist.ts builds it). */
export interface CommandWrite {
  instanceId: string; patch: InstancePatch;
  /** The execution rows the command changed (native instances). */
  executions?: Pick<StateRows, 'put' | 'del'>;
  variables: NewVariable[]; deletes: Partial<Record<ProjectionTable, string[]>>; inserts: Partial<Record<ProjectionTable, NewProjectionRow[]>>; history: NewHistory[];
  notify?: { channel: string; payload: string };
  guard?: WriteGuard;
  insertInstance?: NewInstance;
}

/** An instance a start's idempotency key already made, as the write statement reads it back (to_jsonb). */
export type ExistingInstance = AsJson<Omit<InstanceHead, 'revision'>>;

export interface WriteResult { ok: boolean; inserted: Partial<Record<ProjectionTable, Array<{ id: string; execution_id: string }>>>; existing?: ExistingInstance | null }

/** JSON a statement hands back: parsed already (pg) or as text (the embedded database). */
const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
/** A history row's data for jsonb_populate_recordset: the JSON itself, not its text. */
const historyRecord = (h: NewHistory) => ({ ...h, data: typeof h.data === 'string' ? parse(h.data) : h.data ?? null });

/**
 * Writes one command's outcome in one statement (each round trip costs more than the SQL):
 * variables upserted, projections deleted and inserted (ignoring an execution id that already
 * has its row), history appended in the given order ('task-created' rows only for tasks really
 * inserted), the instance row updated with its revision bumped, and NOTIFY when an external
 * task was inserted. Data-modifying CTEs always run, referenced or not.
 *
 * Normally the caller holds the instance lock in its transaction. With a `guard` the statement
 * stands alone (autocommit): it locks the rows the command was computed from and writes only if
 * they are still as the caller saw them; `ok` is false otherwise and nothing was written. With
 * `insertInstance` it creates the instance too.
 */
/** engine_execution's columns, and a JSON array of ExecRow as records (the instance id bound apart). */
const EXEC_COLS = 'instance_id, id, parent_id, activity_id, kind, wait, ord, data';
const EXEC_COLS_X = 'x.id, x.parent_id, x.activity_id, x.kind, x.wait, x.ord, x.data';
const EXEC_RECORDS = 'jsonb_to_recordset(?::jsonb) as x(id text, parent_id text, activity_id text, kind text, wait text, ord int, data jsonb, instance_id uuid)';
const EXEC_UPDATE = 'parent_id = excluded.parent_id, activity_id = excluded.activity_id, kind = excluded.kind, wait = excluded.wait, ord = excluded.ord, data = excluded.data';

async function writeOne(db: Db, w: CommandWrite): Promise<WriteResult> {
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
    const inst = { ...w.insertInstance, ...w.patch, engine_state: w.patch.engine_state === null ? null : parse(w.patch.engine_state) };
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
    if (!ids?.length) continue;
    ctes.push(`d${n++} as (delete from ${table} where id in (select jsonb_array_elements_text(?::jsonb)::uuid)${after})`);
    bindings.push(JSON.stringify(ids));
  }
  const x = w.executions;
  if (x?.del === 'all') {
    ctes.push(`xd as (delete from engine_execution where instance_id = ?${after})`);
    bindings.push(w.instanceId);
  } else if (x?.del.length) {
    ctes.push(`xd as (delete from engine_execution where instance_id = ? and id in (select jsonb_array_elements_text(?::jsonb))${after})`);
    bindings.push(w.instanceId, JSON.stringify(x.del));
  }
  if (x?.put.length) {
    ctes.push(`xp as (insert into engine_execution (${EXEC_COLS}) select ?::uuid, ${EXEC_COLS_X} from ${EXEC_RECORDS} where true${after}
      on conflict (instance_id, id) do update set ${EXEC_UPDATE})`);
    bindings.push(w.instanceId, JSON.stringify(x.put));
  }
  const inserted: ProjectionTable[] = [];
  for (const [table, rows] of Object.entries(w.inserts) as Array<[ProjectionTable, NewProjectionRow[] | undefined]>) {
    if (!rows?.length) continue;
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
    bindings.push(JSON.stringify(w.history.map(historyRecord)));
  }
  if (!w.insertInstance) {
    const p = w.patch;
    ctes.push(`u as (update engine_instance set engine_state = ?::jsonb, exec_prefix = ?, exec_seq = ?::int, state = coalesce(?, state), end_time = coalesce(?, end_time),
      delete_reason = coalesce(?, delete_reason), revision = revision + 1 where id = ?${when})`);
    bindings.push(p.engine_state, p.exec_prefix, p.exec_seq, p.state ?? null, p.end_time ?? null, p.delete_reason ?? null, w.instanceId);
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
  const row = (await exec<Record<string, unknown>>(db, `with ${ctes.join(',\n')} select ${outs.join(', ')}`, bindings))[0] ?? {};
  const out: WriteResult['inserted'] = {};
  for (const t of inserted) out[t] = parse(row[t]) as Array<{ id: string; execution_id: string }>;
  const ok = row.ok === true || row.ok === 't';
  if (!keyed) return { ok, inserted: out };
  const created = row.created === true || row.created === 't';
  const existing = (parse(row.existing) ?? null) as ExistingInstance | null;
  return { ok: ok && created, inserted: out, existing: ok && !created ? existing : undefined };
}

/**
 * A guarded write without a transaction whose guard the batch statement can state as data: a timer
 * fire (the lease), an external task's completion (the worker's lock), a user task's completion by a
 * caller who acts on every task (no scope, no assignee check).
 */
function batchable(db: Db, w: CommandWrite): boolean {
  const g = w.guard;
  if (!g || g.kind !== 'instance' || w.insertInstance || (db as { isTransaction?: boolean }).isTransaction) return false;
  if ((db as { client: { config: { client: unknown } } }).client.config.client !== 'pg') return false;
  const unscoped = !g.assignee && (!g.scope || 'all' in g.scope);
  if (g.table === 'engine_timer') return !!g.leasedBy && g.workerId === undefined && unscoped;
  if (g.table === 'engine_external_task') return g.workerId !== undefined && !g.leasedBy && unscoped;
  return g.workerId === undefined && !g.leasedBy && unscoped;
}

/** What each item table's guard checks beyond the instance's revision (as in guardSql). */
const ITEM_CHECK: Record<string, string> = {
  engine_timer: 't.locked_by = w.leased_by',
  engine_external_task: 't.worker_id = w.worker_id and t.lock_expiration >= now() and (t.retries is null or t.retries > 0)',
  engine_task: 'true',
};

const quote = (v: unknown) => JSON.stringify(v ?? null);

/**
 * Several commands' writes in ONE statement (one round trip, one commit, one NOTIFY), each exactly as
 * `writeOne` would write it: the guards lock every instance at the revision its write was computed
 * from, with the item it acts on (instance order, so two batches lock alike), and each table's rows are
 * written only for the instances that passed. At most one write per instance (the caller ensures it).
 */
async function writeMany(db: Db, ws: CommandWrite[]): Promise<WriteResult[]> {
  const ctes: string[] = [];
  const bindings: unknown[] = [];
  const guards = ws.map((w) => {
    const g = w.guard as Extract<WriteGuard, { kind: 'instance' }>;
    return { instance_id: w.instanceId, revision: g.revision, item_table: g.table, item_id: g.itemId, leased_by: g.leasedBy ?? null, worker_id: g.workerId ?? null };
  });
  ctes.push(`w as (select * from jsonb_to_recordset(?::jsonb) as x(instance_id uuid, revision int, item_table text, item_id uuid, leased_by text, worker_id text))`);
  bindings.push(JSON.stringify(guards));
  const kinds = [...new Set(guards.map((g) => g.item_table))].sort();
  for (const table of kinds) {
    ctes.push(`ok_${table} as (select i.id from w join engine_instance i on i.id = w.instance_id join ${table} t on t.id = w.item_id and t.instance_id = i.id
      where w.item_table = '${table}' and i.revision = w.revision and i.state = 'ACTIVE' and ${ITEM_CHECK[table]} order by i.id for update of i, t)`);
  }
  ctes.push(`ok as (${kinds.map((t) => `select id from ok_${t}`).join(' union all ')})`);
  const passed = (alias: string) => ` and ${alias}.instance_id in (select id from ok)`;
  const variables = ws.flatMap((w) => w.variables);
  if (variables.length) {
    ctes.push(`v as (insert into engine_variable (instance_id, name, type, value, value_info)
      select instance_id, name, type, value, value_info from jsonb_populate_recordset(null::engine_variable, ?::jsonb) x where true${passed('x')}
      on conflict (instance_id, name) do update set type = excluded.type, value = excluded.value, value_info = excluded.value_info)`);
    bindings.push(JSON.stringify(variables));
  }
  const tables = (pick: (w: CommandWrite) => Partial<Record<ProjectionTable, unknown[]>>) => [...new Set(ws.flatMap((w) => (Object.keys(pick(w)) as ProjectionTable[]).filter((t) => pick(w)[t]!.length)))].sort();
  let n = 0;
  for (const table of tables((w) => w.deletes)) {
    const ids = ws.flatMap((w) => (w.deletes[table] ?? []).map((id) => ({ id, instance_id: w.instanceId })));
    ctes.push(`d${n++} as (delete from ${table} where id in (select x.id from jsonb_to_recordset(?::jsonb) as x(id uuid, instance_id uuid) where true${passed('x')}))`);
    bindings.push(JSON.stringify(ids));
  }
  // Executions: ids of each instance to delete (an id of null: all of them, the instance ended), rows to upsert.
  const xdel = ws.flatMap((w): Array<{ instance_id: string; id: string | null }> => (w.executions?.del === 'all' ? [{ instance_id: w.instanceId, id: null }] : (w.executions?.del ?? []).map((id) => ({ instance_id: w.instanceId, id }))));
  if (xdel.length) {
    ctes.push(`xd as (delete from engine_execution e using jsonb_to_recordset(?::jsonb) as x(instance_id uuid, id text)
      where e.instance_id = x.instance_id and (x.id is null or e.id = x.id)${passed('x')})`);
    bindings.push(JSON.stringify(xdel));
  }
  const xput: EngineExecutionRow[] = ws.flatMap((w) => (w.executions?.put ?? []).map((r) => ({ ...r, instance_id: w.instanceId })));
  if (xput.length) {
    ctes.push(`xp as (insert into engine_execution (${EXEC_COLS}) select x.instance_id, ${EXEC_COLS_X} from ${EXEC_RECORDS} where true${passed('x')}
      on conflict (instance_id, id) do update set ${EXEC_UPDATE})`);
    bindings.push(JSON.stringify(xput));
  }
  // One insert per table and column set: a column a row does not name keeps its default.
  const inserted: Array<{ table: ProjectionTable; cte: string }> = [];
  for (const table of tables((w) => w.inserts)) {
    const byCols = new Map<string, NewProjectionRow[]>();
    for (const w of ws) for (const r of w.inserts[table] ?? []) {
      const cols = Object.keys(r).map((c) => `"${c}"`).join(', ');
      if (!byCols.has(cols)) byCols.set(cols, []);
      byCols.get(cols)!.push(r);
    }
    for (const [cols, rows] of [...byCols].sort(([a], [b]) => a.localeCompare(b))) {
      const cte = `i${inserted.length}`;
      ctes.push(`${cte} as (insert into ${table} (${cols}) select ${cols} from jsonb_populate_recordset(null::${table}, ?::jsonb) x where true${passed('x')}
        on conflict (execution_id) do nothing returning id, execution_id, instance_id)`);
      bindings.push(JSON.stringify(rows));
      inserted.push({ table, cte });
    }
  }
  const history = ws.flatMap((w) => w.history);
  if (history.length) {
    const cols = '"instance_id", "definition_id", "kind", "activity_id", "activity_type", "activity_name", "execution_id", "task_id", "user_id", "data", "at"';
    const tasks = inserted.filter((i) => i.table === 'engine_task').map((i) => `select execution_id from ${i.cte}`);
    ctes.push(`h as (insert into engine_history (${cols}) select ${cols} from jsonb_populate_recordset(null::engine_history, ?::jsonb) with ordinality x
      where (x.kind <> 'task-created' or x.execution_id in (${tasks.length ? tasks.join(' union all ') : 'select null::text where false'}))${passed('x')} order by ordinality)`);
    bindings.push(JSON.stringify(history.map(historyRecord)));
  }
  // The states as JSON text put together, not parsed and serialised again.
  const patches = `[${ws.map((w) => `{"id":${quote(w.instanceId)},"engine_state":${w.patch.engine_state ?? 'null'},"exec_prefix":${quote(w.patch.exec_prefix)},"exec_seq":${quote(w.patch.exec_seq)},"state":${quote(w.patch.state)},"end_time":${quote(w.patch.end_time)},"delete_reason":${quote(w.patch.delete_reason)}}`).join(',')}]`;
  ctes.push(`u as (update engine_instance e set engine_state = x.engine_state, exec_prefix = x.exec_prefix, exec_seq = x.exec_seq, state = coalesce(x.state, e.state), end_time = coalesce(x.end_time, e.end_time),
    delete_reason = coalesce(x.delete_reason, e.delete_reason), revision = e.revision + 1
    from jsonb_populate_recordset(null::engine_instance, ?::jsonb) x where e.id = x.id and x.id in (select id from ok))`);
  bindings.push(patches);
  const outs = ['(select coalesce(jsonb_agg(id), \'[]\'::jsonb) from ok) as ok'];
  outs.push(...inserted.map((i) => `(select coalesce(jsonb_agg(jsonb_build_object('id', id, 'execution_id', execution_id, 'instance_id', instance_id)), '[]'::jsonb) from ${i.cte}) as "${i.cte}"`));
  const external = inserted.filter((i) => i.table === 'engine_external_task');
  const notify = ws.find((w) => w.notify)?.notify;
  if (notify && external.length) {
    outs.push(`(select pg_notify(?, ?) where exists (${external.map((i) => `select 1 from ${i.cte}`).join(' union all ')})) as notified`);
    bindings.push(notify.channel, notify.payload);
  }
  const row = (await exec<Record<string, unknown>>(db, `with ${ctes.join(',\n')} select ${outs.join(', ')}`, bindings))[0] ?? {};
  const ok = new Set(parse(row.ok) as string[]);
  const results = ws.map((w): WriteResult => ({ ok: ok.has(w.instanceId), inserted: {} }));
  const index = new Map(ws.map((w, i) => [w.instanceId, i]));
  for (const w of ws) for (const t of Object.keys(w.inserts) as ProjectionTable[]) if (w.inserts[t]!.length) results[index.get(w.instanceId)!]!.inserted[t] = [];
  for (const i of inserted) {
    for (const r of parse(row[i.cte]) as Array<{ id: string; execution_id: string; instance_id: string }>) {
      results[index.get(r.instance_id)!]!.inserted[i.table]!.push({ id: r.id, execution_id: r.execution_id });
    }
  }
  return results;
}

interface Pending { db: Db; w: CommandWrite; resolve(r: WriteResult): void; reject(e: unknown): void }

/**
 * Writes commands. Guarded writes without a transaction (`batchable`: timer fires — many at once in a
 * storm, issue 12's 10,000 reminders due at one instant — and the completions that follow them) are
 * gathered while the previous batch is being written and then written together, up to `max` per
 * statement and one per instance (a second write of an instance waits for the next batch, where its
 * guard sees the first). A batch that fails as a whole is written again write by write, so each gets
 * the outcome it would have had alone.
 */
export function createCommandWriter(max = 250) {
  let queue: Pending[] = [];
  let busy = false;
  let scheduled = false;

  function kick(): void {
    if (busy || scheduled || !queue.length) return;
    scheduled = true;
    // After the current turn: the fires computed side by side in it join the same batch.
    setImmediate(() => { scheduled = false; void flush(); });
  }

  async function flush(): Promise<void> {
    if (busy || !queue.length) return;
    const take: Pending[] = [];
    const rest: Pending[] = [];
    const seen = new Set<string>();
    for (const p of queue) {
      if (take.length < max && !seen.has(p.w.instanceId)) { seen.add(p.w.instanceId); take.push(p); } else rest.push(p);
    }
    queue = rest;
    busy = true;
    try {
      if (take.length === 1) {
        await writeOne(take[0]!.db, take[0]!.w).then(take[0]!.resolve, take[0]!.reject);
      } else {
        let results: WriteResult[] | null = null;
        try {
          results = await writeMany(take[0]!.db, take.map((p) => p.w));
        } catch {
          // A deadlock with another node's batch, a row one write cannot store: each alone, as without batching.
          for (const p of take) await writeOne(p.db, p.w).then(p.resolve, p.reject);
        }
        if (results) take.forEach((p, i) => p.resolve(results[i]!));
      }
    } finally {
      busy = false;
      kick();
    }
  }

  return {
    write(db: Db, w: CommandWrite): Promise<WriteResult> {
      if (!batchable(db, w)) return writeOne(db, w);
      return new Promise((resolve, reject) => {
        queue.push({ db, w, resolve, reject });
        kick();
      });
    },
  };
}
