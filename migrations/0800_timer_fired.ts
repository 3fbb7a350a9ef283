import type { Knex } from 'knex';

/**
 * engine_timer.fired counts the fires of a timer start event's cycle, so `R<n>` ends after n.
 * attempts (claims since the last successful fire) decides when a failing timer becomes an incident;
 * a timer start event has no instance, so its incident has none either.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engine_timer', (t) => {
    t.integer('fired').notNullable().defaultTo(0);
  });
  // A failing timer start event (no instance yet) can have an incident too.
  await knex.raw('alter table engine_incident alter column instance_id drop not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engine_timer', (t) => {
    t.dropColumn('fired');
  });
}
