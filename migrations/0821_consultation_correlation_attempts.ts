import type { Knex } from 'knex';

/**
 * How many times the relay tried to deliver a reply message to a process that was not waiting for it:
 * it stops after a bound, so a drawing without a catch event for the reply (the validator warns) does
 * not keep the relay busy for the dossier's lifetime.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('consultation', (t) => {
    t.integer('correlation_attempts').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('consultation', (t) => {
    t.dropColumn('correlation_attempts');
  });
}
