import type { Knex } from 'knex';

/**
 * Uploaded files (dossier components): the bytes live outside the web root (`DATA_DIR/files`,
 * content-addressed by sha256); this table holds what was uploaded, by whom, for which owner.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stored_file', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('owner_type').notNullable();
    t.text('owner_id').notNullable();
    t.text('label').notNullable().defaultTo('');
    t.text('file_name').notNullable();
    t.text('mime').notNullable();
    t.bigInteger('size').notNullable();
    t.text('sha256').notNullable();
    t.text('storage_key').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['owner_type', 'owner_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('stored_file');
}
