import type { Knex } from 'knex';

/**
 * A dossier's single extension (the apology of form 04) and its lateness record.
 * The primary key on the dossier code is what makes "at most one apology" hold under any race.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dossier_extension', (t) => {
    t.text('dossier_code').primary();
    t.text('unit_id').notNullable();
    t.timestamp('original_due_at', { useTz: true }).notNullable();
    t.timestamp('new_due_at', { useTz: true }).notNullable();
    t.text('reason').notNullable();
    t.text('signed_by').notNullable();
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.boolean('late').notNullable(); // issued after the original due date
  });
  await knex.schema.createTable('dossier_late', (t) => {
    t.text('dossier_code').primary();
    t.text('unit_id').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('counted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.boolean('without_apology').notNullable();
    t.index(['unit_id', 'counted_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dossier_late');
  await knex.schema.dropTableIfExists('dossier_extension');
}
