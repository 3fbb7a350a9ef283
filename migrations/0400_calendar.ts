import type { Knex } from 'knex';

/**
 * Working-time calendar: announced/confirmed years and their days off and worked weekend
 * days, per-unit working hours ('*' = the administrator's default), and the change log.
 * Dossiers store their own due dates, so nothing here is ever joined to recompute one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_year', (t) => {
    t.integer('year').primary();
    t.text('status').notNullable().checkIn(['confirmed', 'provisional']);
    t.text('notice');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('updated_by');
  });
  await knex.schema.createTable('calendar_day', (t) => {
    t.date('day').primary();
    t.integer('year').notNullable().references('year').inTable('calendar_year').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['off', 'working']);
    t.text('name').notNullable();
    t.text('confidence');
    t.index(['year']);
  });
  await knex.raw('alter table calendar_day add constraint calendar_day_year_matches check (extract(year from day) = year)');
  // Unit ids are not foreign keys: '*' is the default row, and hours of a removed unit are harmless.
  await knex.schema.createTable('calendar_unit_hours', (t) => {
    t.text('unit_id').primary();
    t.jsonb('intervals').notNullable();
    t.jsonb('weekdays').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('updated_by');
  });
  await knex.schema.createTable('calendar_change', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('subject').notNullable();
    t.jsonb('before');
    t.jsonb('after');
    t.index(['at']);
  });
  // Every node reloads its unit tree when units change, so a new unit gets its parent's hours at once.
  const { rows } = await knex.raw<{ rows: Array<{ t: string | null }> }>("select to_regclass('org_unit') as t");
  if (rows[0]?.t) {
    await knex.raw(`create function calendar_units_changed() returns trigger language plpgsql as $$
      begin perform pg_notify('calendar_changed', 'units'); return null; end $$`);
    await knex.raw(`create trigger calendar_units_changed after insert or update or delete on org_unit
      for each statement execute function calendar_units_changed()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists calendar_units_changed on org_unit').catch(() => undefined);
  await knex.raw('drop function if exists calendar_units_changed()');
  await knex.schema.dropTableIfExists('calendar_change');
  await knex.schema.dropTableIfExists('calendar_unit_hours');
  await knex.schema.dropTableIfExists('calendar_day');
  await knex.schema.dropTableIfExists('calendar_year');
}
