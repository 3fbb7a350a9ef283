import type { Knex } from 'knex';

/**
 * The native interpreter's execution tree as rows (issue #13), instead of one JSON blob rewritten
 * whole by every command: a command now writes only the executions it changed. The id prefix and
 * counter new execution ids are made from (`exec_prefix`, `exec_seq`) are columns of the instance:
 * every command already updates that row (its revision), so they cost no extra write, where a root
 * row would be one more row rewritten whenever an execution is added.
 *
 * `engine_state` stays for instances of definitions deployed for bpmn-engine (its state is that
 * library's opaque snapshot); it is null for natively run instances from here on.
 */
/** Every stored native state (`{v: 1, p, n, x: Exec[]}`) as rows, the array's order as `ord`. */
const convertSql = `insert into engine_execution (instance_id, id, parent_id, activity_id, kind, wait, ord, data)
  select i.id, x.e->>'id', x.e->>'p', x.e->>'a', x.e->>'k', x.e->>'w', x.ord - 1,
         nullif(x.e - 'id' - 'p' - 'a' - 'k' - 'w', '{}'::jsonb)
  from engine_instance i cross join lateral jsonb_array_elements(i.engine_state->'x') with ordinality as x(e, ord)
  where i.engine_state->>'v' = '1'`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engine_instance', (t) => {
    t.text('exec_prefix');
    t.integer('exec_seq');
  });
  await knex.schema.createTable('engine_execution', (t) => {
    t.uuid('instance_id').notNullable().references('engine_instance.id').onDelete('cascade');
    /** Deterministic per instance: `<exec_prefix>.<counter>` (or the bpmn-engine id it was converted from). */
    t.text('id').notNullable();
    t.text('parent_id');
    t.text('activity_id').notNullable();
    /** root, scope, mi, token, sub, comp (server/engine/runtime/exec.ts). */
    t.text('kind').notNullable();
    /** What it waits for (null: nothing, e.g. a scope). */
    t.text('wait');
    /** The tree's order (creation order): the interpreter walks executions in it. */
    t.integer('ord').notNullable();
    /** The rest of the compact record (due, local variables, multi-instance counters, ...). */
    t.jsonb('data');
    // Reads are by instance (all its rows): the primary key's leading column serves them.
    t.primary(['instance_id', 'id']);
  });
  await knex.raw(convertSql);
  await knex.raw(`update engine_instance set exec_prefix = engine_state->>'p', exec_seq = (engine_state->>'n')::int, engine_state = null
    where engine_state->>'v' = '1'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`update engine_instance i set engine_state = jsonb_build_object('v', 1, 'p', i.exec_prefix, 'n', i.exec_seq, 'x',
      (select coalesce(jsonb_agg(jsonb_build_object('id', e.id, 'p', e.parent_id, 'a', e.activity_id, 'k', e.kind)
        || case when e.wait is null then '{}'::jsonb else jsonb_build_object('w', e.wait) end || coalesce(e.data, '{}'::jsonb) order by e.ord), '[]'::jsonb)
       from engine_execution e where e.instance_id = i.id))
    where i.exec_prefix is not null`);
  await knex.schema.dropTableIfExists('engine_execution');
  await knex.schema.alterTable('engine_instance', (t) => {
    t.dropColumn('exec_prefix');
    t.dropColumn('exec_seq');
  });
}
