import type { Knex } from 'knex';

/**
 * The procedure catalogue and the governed process lifecycle.
 * A process version's XML is frozen once it leaves `draft`: a trigger refuses any later change,
 * so "nothing that was approved is ever rewritten" holds even against a buggy caller.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('catalog_level', (t) => {
    t.text('id').primary();
    t.text('name_vi').notNullable();
    t.text('name_en').notNullable();
    t.boolean('active').notNullable().defaultTo(true); // historic levels stay readable
    t.integer('sort').notNullable().defaultTo(0);
  });
  await knex('catalog_level').insert([
    { id: 'province', name_vi: 'Cấp tỉnh', name_en: 'Province', active: true, sort: 0 },
    { id: 'commune', name_vi: 'Cấp xã', name_en: 'Commune', active: true, sort: 1 },
    { id: 'district', name_vi: 'Cấp huyện (trước 01/7/2025)', name_en: 'District (before 1 July 2025)', active: false, sort: 2 },
  ]);

  const hasUnits = await knex.schema.hasTable('org_unit');
  await knex.schema.createTable('procedure', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.text('name_folded').notNullable();
    t.text('field').notNullable();
    t.text('field_folded').notNullable();
    t.text('level').notNullable().references('catalog_level.id');
    const agency = t.text('agency_id').notNullable();
    if (hasUnits) agency.references('org_unit.id').onDelete('RESTRICT');
    t.text('legal_basis').notNullable().defaultTo('');
    t.decimal('limit_value', 10, 2).notNullable();
    t.text('limit_unit').notNullable().checkIn(['days', 'hours']);
    t.boolean('after_cutoff_next_day').notNullable().defaultTo(true);
    t.boolean('pause_on_supplement').notNullable().defaultTo(true);
    t.boolean('requires_supplement_path').notNullable().defaultTo(true);
    t.boolean('requires_refusal_path').notNullable().defaultTo(true);
    t.jsonb('components').notNullable().defaultTo('[]');
    t.jsonb('fees').notNullable().defaultTo('[]');
    t.jsonb('steps').notNullable().defaultTo('[]');
    t.text('online_level').notNullable().checkIn(['partial', 'full']);
    t.text('status').notNullable().defaultTo('active').checkIn(['active', 'withdrawn']);
    t.integer('revision').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['level']);
    t.index(['agency_id']);
    t.index(['field_folded']);
  });

  await knex.schema.createTable('process_model', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('procedure_id').notNullable().references('procedure.id').onDelete('RESTRICT');
    t.text('level').notNullable().references('catalog_level.id');
    t.uuid('active_version_id');
    t.boolean('needs_review').notNullable().defaultTo(false);
    t.text('needs_review_reason');
    t.timestamp('needs_review_at', { useTz: true });
    t.unique(['procedure_id', 'level']);
  });

  await knex.schema.createTable('process_version', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('model_id').notNullable().references('process_model.id').onDelete('RESTRICT');
    t.uuid('procedure_id').notNullable().references('procedure.id').onDelete('RESTRICT');
    t.text('level').notNullable();
    t.integer('number').notNullable();
    t.text('state').notNullable().checkIn(['draft', 'in_review', 'approved', 'active', 'superseded', 'retired', 'rejected']);
    t.text('xml').notNullable();
    t.text('content_hash').notNullable();
    t.text('process_key');
    t.jsonb('roles').notNullable().defaultTo('[]'); // roles the BPMN names, for the re-approval trigger
    t.integer('revision').notNullable().defaultTo(1);
    t.text('author_id').notNullable();
    t.text('author_name').notNullable();
    t.text('author_username').notNullable();
    t.jsonb('editor_usernames').notNullable().defaultTo('[]'); // everyone who saved it: none of them may approve
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('submitted_at', { useTz: true });
    t.text('decision_number');
    t.text('decision_date'); // YYYY-MM-DD, a calendar date in Vietnam, not an instant
    t.text('decision_signer');
    t.text('effective_date');
    t.text('approver_id');
    t.text('approver_name');
    t.timestamp('approved_at', { useTz: true });
    t.text('rejection_comment');
    t.timestamp('activation_requested_at', { useTz: true }); // activate on effective_date (scheduler)
    t.text('activation_requested_by');
    t.text('deployment_id');
    t.text('definition_id');
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true }); // superseded or retired
    t.unique(['model_id', 'number']);
    t.index(['state']);
  });
  await knex.schema.alterTable('process_model', (t) => {
    t.foreign('active_version_id').references('process_version.id');
  });

  await knex.schema.createTable('process_lifecycle_action', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('version_id').notNullable().references('process_version.id').onDelete('RESTRICT');
    t.text('action').notNullable();
    t.text('from_state');
    t.text('to_state');
    t.text('actor_id').notNullable();
    t.text('actor_name').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('comment');
    t.jsonb('details');
    t.index(['version_id']);
  });

  await knex.raw(`
    create function process_version_frozen() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.state <> 'draft' then
          raise exception 'process version % is %: it cannot be deleted', old.id, old.state;
        end if;
        return old;
      end if;
      if old.state <> 'draft' and (new.xml is distinct from old.xml or new.content_hash is distinct from old.content_hash) then
        raise exception 'process version % is %: its XML cannot change', old.id, old.state;
      end if;
      return new;
    end $$`);
  await knex.raw(`create trigger process_version_frozen before update or delete on process_version
    for each row execute function process_version_frozen()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists process_version_frozen on process_version');
  await knex.raw('drop function if exists process_version_frozen()');
  await knex.schema.alterTable('process_model', (t) => t.dropForeign(['active_version_id']));
  await knex.schema.dropTableIfExists('process_lifecycle_action');
  await knex.schema.dropTableIfExists('process_version');
  await knex.schema.dropTableIfExists('process_model');
  await knex.schema.dropTableIfExists('procedure');
  await knex.schema.dropTableIfExists('catalog_level');
}
