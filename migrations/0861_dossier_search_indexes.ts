import type { Knex } from 'knex';

/**
 * Searching dossiers by applicant name (`applicant_folded like '%…%'`, accent-insensitive) must not read
 * every dossier of a unit: a trigram GIN index serves infix matches. pg_trgm is a trusted extension (the
 * database owner may create it) shipped with PostgreSQL's contrib and with the embedded PGlite; where it
 * is not available the search still works, only slower.
 */
export async function up(knex: Knex): Promise<void> {
  const available = await knex.raw<{ rows: unknown[] }>("select 1 from pg_available_extensions where name = 'pg_trgm'");
  if (!available.rows.length) return;
  await knex.raw('create extension if not exists pg_trgm');
  await knex.raw('create index if not exists dossier_applicant_trgm on dossier using gin (applicant_folded gin_trgm_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists dossier_applicant_trgm');
}
