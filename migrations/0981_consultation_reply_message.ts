import type { Knex } from 'knex';

/**
 * The message a consultation's reply is correlated with: the name the catch event after its step
 * waits for (`tthc.consultation.reply`, or a per-step `tthc.consultation.reply.<step>` so two
 * consultations running in parallel in one process are told apart). Null = the generic name.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('consultation', (t) => {
    t.text('reply_message');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('consultation', (t) => {
    t.dropColumn('reply_message');
  });
}
