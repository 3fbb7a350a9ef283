import type { Knex } from 'knex';

/**
 * Idempotent starts: a client that retries a start whose answer was lost gets the first instance
 * (or dossier) again instead of a second one. The key is written with the row it created, in the
 * same statement, so a crash cannot leave a key without its row or a row without its key.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table engine_instance add column idempotency_key text');
  await knex.raw('create unique index engine_instance_idempotency_key on engine_instance (idempotency_key) where idempotency_key is not null');
  await knex.raw('alter table dossier add column idempotency_key text');
  await knex.raw('create unique index dossier_idempotency_key on dossier (created_by, idempotency_key) where idempotency_key is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists dossier_idempotency_key');
  await knex.raw('alter table dossier drop column if exists idempotency_key');
  await knex.raw('drop index if exists engine_instance_idempotency_key');
  await knex.raw('alter table engine_instance drop column if exists idempotency_key');
}
