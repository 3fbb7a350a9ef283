import type { Knex } from 'knex';

/** A draft its author gives up is kept, as `discarded`, with its history: nothing is deleted. */
export async function up(knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ conname: string }> }>(`select conname from pg_constraint where conrelid = 'process_version'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%in_review%'`);
  for (const r of rows) await knex.raw(`alter table process_version drop constraint "${r.conname}"`);
  await knex.raw(`alter table process_version add constraint process_version_state_check
    check (state in ('draft', 'in_review', 'approved', 'active', 'superseded', 'retired', 'rejected', 'discarded'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table process_version drop constraint process_version_state_check');
  await knex.raw(`alter table process_version add constraint process_version_state_check
    check (state in ('draft', 'in_review', 'approved', 'active', 'superseded', 'retired', 'rejected'))`);
}
