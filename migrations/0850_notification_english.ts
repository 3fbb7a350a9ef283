import type { Knex } from 'knex';

/**
 * A staff notice may carry its English text beside the Vietnamese one (the bell shows the reader's
 * language; templates without English keep showing Vietnamese). Nullable: nothing to backfill.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notification', (t) => {
    t.text('title_en');
    t.text('body_en');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notification', (t) => {
    t.dropColumn('title_en');
    t.dropColumn('body_en');
  });
}
