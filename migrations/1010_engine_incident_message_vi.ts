import type { Knex } from 'knex';

/**
 * The Vietnamese text of an incident the engine raises itself (a timer or background step parked after
 * failing, a call that could not start): `message` stays the English Camunda's tools read, and
 * /engine-rest answers with this one to a reader who asks for Vietnamese. Null for a worker's own message.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engine_incident', (t) => {
    t.text('message_vi');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('engine_incident', (t) => {
    t.dropColumn('message_vi');
  });
}
