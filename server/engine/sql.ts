import type { Knex } from 'knex';
import type { TaskScope } from './types.js';

/** What the engine's SQL modules share: statement execution, the write guard and the scope as SQL text. */
export type Db = Knex | Knex.Transaction;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids in uuid columns: anything else cannot exist, and must not reach PostgreSQL as a cast error. */
export const isUuid = (id: string) => UUID.test(id);

/** An instance's execution rows (alias `i`) as one JSON column, compact arrays in tree order (runtime/exec.ts `stateFromRows`). */
export const EXECUTIONS_OF_I = `(select coalesce(jsonb_agg(jsonb_build_array(e.id, e.parent_id, e.activity_id, e.kind, e.wait, e.ord, e.data) order by e.ord), '[]'::jsonb)
  from engine_execution e where e.instance_id = i.id) as executions`;

/** engine_instance without its stored state (kilobytes a command on a hot instance never reads). */
export const INSTANCE_COLUMNS = ['id', 'definition_id', 'definition_key', 'business_key', 'unit_id', 'state', 'revision', 'start_user', 'start_time', 'end_time', 'delete_reason'];

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
export function guardSql(g: WriteGuard, instanceId: string): { sql: string; bindings: unknown[] } {
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
export function scopeSql(scope: TaskScope): { sql: string; bindings: unknown[] } | null {
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

/** knex.raw's answer: pg's result (`rows`), or the embedded database's row array. */
export function rawRows<T>(res: unknown): T[] {
  return ((res as { rows?: T[] }).rows ?? res) as T[];
}

type Conn = { query(q: unknown, values?: unknown[]): Promise<{ rows: unknown[] }> };
const positional = new Map<string, { text: string; name: string }>();
let statements = 0;
/**
 * Runs one autocommit statement as a named prepared statement on PostgreSQL (parsed and planned
 * once per connection instead of at every call; `?` bindings as in knex.raw); in a transaction,
 * or on the embedded database, as knex.raw.
 */
export async function exec<T extends object>(db: Db, sql: string, bindings: unknown[]): Promise<T[]> {
  const client = (db as Knex).client as unknown as { config: { client: unknown }; acquireConnection(): Promise<Conn>; releaseConnection(c: Conn): Promise<void> };
  if ((db as Knex.Transaction).isTransaction || client.config.client !== 'pg') {
    return rawRows<T>(await db.raw(sql, bindings as Knex.RawBinding[]));
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
    return (await conn.query({ ...(p.name ? { name: p.name } : {}), text: p.text, values: bindings.map(pgValue) })).rows as T[];
  } finally {
    await client.releaseConnection(conn);
  }
}

/** What knex would send for a binding: arrays of strings as PostgreSQL arrays, dates and the rest as pg converts them. */
function pgValue(v: unknown): unknown {
  return v === undefined ? null : v;
}
