import type { Knex } from 'knex';

/**
 * The staff tasklist's own records, beside the engine's projections (engine_task is the
 * one source of open tasks; these tables add what the engine does not keep):
 * - task_dossier: the dossier facts a task row shows and filters on (code, procedure, applicant,
 *   received, due, paused), one row per process instance, projected when a dossier is received
 *   or first seen by the tasklist. The applicant is stored masked plus folded for search; the
 *   unique key is the instance id, never a personal value.
 * - task_event: every hand-over (received, claimed, assigned, reassigned with a reason,
 *   completed with an outcome and comment): the timeline, the control slip (form 06) and the
 *   "done by me" tab read it. Append-only.
 * - sos: escalations of dossiers at risk (Công văn 2121 item 10).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_dossier', (t) => {
    t.uuid('instance_id').primary();
    t.text('dossier_id');
    t.text('code');
    t.text('procedure_code');
    t.text('procedure_name');
    t.text('applicant_masked');
    t.text('applicant_folded');
    t.text('unit_id');
    t.timestamp('received_at', { useTz: true });
    t.timestamp('due_at', { useTz: true });
    t.boolean('paused').notNullable().defaultTo(false);
    t.text('status');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['unit_id', 'received_at']);
    t.index(['code']);
  });
  await knex.schema.createTable('task_event', (t) => {
    t.bigIncrements('id');
    t.uuid('task_id').notNullable();
    t.uuid('instance_id').notNullable();
    t.text('business_key');
    t.text('unit_id');
    t.text('step_key').notNullable();
    t.text('step_name');
    /** claimed | unclaimed | assigned | reassigned | completed */
    t.text('kind').notNullable();
    t.text('actor').notNullable();
    t.text('actor_name');
    t.text('actor_unit');
    t.text('target_user');
    t.text('outcome');
    t.text('comment');
    /** When the task was handed over (created) and its own due, copied so the slip needs no engine row. */
    t.timestamp('task_created', { useTz: true });
    t.timestamp('task_due', { useTz: true });
    t.text('budget');
    t.jsonb('documents');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['instance_id', 'at']);
    t.index(['actor', 'kind', 'at']);
    t.index(['unit_id', 'kind', 'at']);
  });
  await knex.schema.createTable('sos', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable();
    t.text('business_key');
    t.text('unit_id');
    t.text('reason').notNullable();
    t.text('cause');
    t.text('raised_by').notNullable();
    t.boolean('automatic').notNullable().defaultTo(false);
    t.timestamp('raised_at', { useTz: true }).notNullable();
    /** open | resolved */
    t.text('status').notNullable();
    t.text('resolved_by');
    t.text('action');
    t.timestamp('resolved_at', { useTz: true });
    t.index(['status', 'unit_id']);
    t.index(['instance_id']);
  });
  // Every change of an open task (created, claimed, assigned, completed) is announced to every
  // node, whoever wrote it (the engine, /engine-rest, the tasklist): the tasklists' live updates.
  // NOTIFY delivers on commit and folds identical payloads of one transaction into one.
  await knex.raw(`
    create or replace function task_changed_notify() returns trigger language plpgsql as $$
    declare r record;
    begin
      if tg_op = 'DELETE' then r := old; else r := new; end if;
      perform pg_notify('task_changed', coalesce(r.unit_id, ''));
      return null;
    end $$`);
  await knex.raw(`create trigger engine_task_changed after insert or delete or update of assignee on engine_task
    for each row execute function task_changed_notify()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists engine_task_changed on engine_task');
  await knex.raw('drop function if exists task_changed_notify()');
  await knex.schema.dropTableIfExists('sos');
  await knex.schema.dropTableIfExists('task_event');
  await knex.schema.dropTableIfExists('task_dossier');
}
