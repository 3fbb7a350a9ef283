import type { Knex } from 'knex';

/**
 * A procedure's managing agency (cơ quan quản lý lĩnh vực) is distinct from the agency that executes
 * it: a commune-level procedure is executed by every commune, while its one process is drafted by the
 * provincial department that manages the field (Sở Tư pháp for civil status). Drafting rights follow
 * the managing agency. Existing rows keep today's behaviour: managed by their executing agency.
 */
export async function up(knex: Knex): Promise<void> {
  const hasUnits = await knex.schema.hasTable('org_unit');
  await knex.schema.alterTable('procedure', (t) => {
    const c = t.text('managing_agency_id');
    if (hasUnits) c.references('org_unit.id').onDelete('RESTRICT');
  });
  await knex('procedure').update({ managing_agency_id: knex.ref('agency_id') });
  await knex.schema.alterTable('procedure', (t) => {
    t.dropNullable('managing_agency_id');
    t.index(['managing_agency_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('procedure', (t) => t.dropColumn('managing_agency_id'));
}
