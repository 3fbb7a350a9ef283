import type { Knex } from 'knex';

/**
 * Dossiers (hồ sơ) at the one-stop office.
 *
 * - `org_unit.agency_code`: the unit's code in dossier codes `<agency code>-<yyMMdd>-<seq>` (TT 04/2025),
 *   editable by an administrator.
 * - `dossier_code_seq`: one counter row per receiving unit and Vietnamese day. A reception locks its row
 *   (`INSERT … ON CONFLICT DO UPDATE … RETURNING`) in the same transaction as the dossier insert, so codes
 *   are gapless and unique even with several nodes receiving at once; a rolled-back reception gives its
 *   number back with the rollback.
 * - `dossier`: the record. `due_at` is computed once by the calendar and stored; calendar edits never move it.
 *   Personal data (applicant, proxy) lives only in JSON columns; no unique index holds a personal value.
 * - `dossier_event`: the timeline. Status changes (`kind = 'status'`, from/to) are the status history; the
 *   tasklist and the workers append their own kinds through `recordEvent`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('org_unit', (t) => {
    t.text('agency_code');
  });
  await knex.raw('create unique index org_unit_agency_code_uq on org_unit (agency_code) where agency_code is not null');

  await knex.schema.createTable('dossier_code_seq', (t) => {
    t.text('unit_id').notNullable().references('org_unit.id').onDelete('RESTRICT');
    t.date('day').notNullable();
    t.integer('last').notNullable();
    t.primary(['unit_id', 'day']);
  });

  await knex.schema.createTable('dossier', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('code').notNullable().unique();
    t.integer('seq').notNullable();
    t.text('unit_id').notNullable().references('org_unit.id').onDelete('RESTRICT');
    t.text('competent_unit_id').notNullable().references('org_unit.id').onDelete('RESTRICT');
    t.uuid('procedure_id').notNullable().references('procedure.id').onDelete('RESTRICT');
    t.text('level').notNullable();
    t.uuid('process_version_id');
    t.text('definition_id');
    t.uuid('instance_id');
    t.smallint('status').notNullable();
    t.text('channel').notNullable().checkIn(['in-person', 'online', 'post']);
    t.jsonb('applicant').notNullable();
    t.jsonb('proxy');
    /** Folded full name for accent-insensitive search (not unique, never shown). */
    t.text('applicant_folded').notNullable().defaultTo('');
    /** Second factor for the citizen lookup: last 4 digits of the phone and of the ID number. */
    t.text('phone_last4');
    t.text('id_last4');
    t.jsonb('components').notNullable().defaultTo('[]');
    t.jsonb('fees').notNullable().defaultTo('[]');
    t.text('content').notNullable().defaultTo('');
    t.text('notes').notNullable().defaultTo('');
    // clock
    t.timestamp('filed_at', { useTz: true }).notNullable();
    t.timestamp('received_at', { useTz: true });
    t.decimal('limit_value', 10, 2).notNullable();
    t.text('limit_unit').notNullable().checkIn(['days', 'hours']);
    t.timestamp('starts_at', { useTz: true });
    t.timestamp('due_at', { useTz: true });
    t.timestamp('paused_at', { useTz: true });
    t.bigInteger('remaining_ms');
    t.bigInteger('paused_total_ms').notNullable().defaultTo(0);
    t.integer('pauses').notNullable().defaultTo(0);
    t.timestamp('original_due_at', { useTz: true });
    t.timestamp('extended_at', { useTz: true });
    t.text('extension_reason');
    // outcomes
    t.jsonb('supplement');
    t.jsonb('refusal');
    t.jsonb('stop');
    t.timestamp('resolved_at', { useTz: true });
    t.timestamp('returned_at', { useTz: true });
    t.text('collection_method').checkIn(['in-person', 'post', 'online']);
    t.smallint('rating');
    t.text('rating_comment');
    t.timestamp('rated_at', { useTz: true });
    t.text('created_by');
    t.integer('revision').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['unit_id', 'filed_at']);
    t.index(['unit_id', 'status', 'filed_at']);
    t.index(['competent_unit_id', 'filed_at']);
    t.index(['procedure_id']);
    t.index(['instance_id']);
    t.index(['status', 'due_at']);
  });
  await knex.raw('alter table dossier add constraint dossier_status_ck check (status between 1 and 10)');
  await knex.raw('alter table dossier add constraint dossier_rating_ck check (rating between 1 and 3)');

  await knex.schema.createTable('dossier_event', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('dossier_id').notNullable().references('dossier.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.smallint('from_status');
    t.smallint('to_status');
    t.text('actor_id');
    t.text('actor_name');
    t.text('reason');
    t.jsonb('data');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['dossier_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dossier_event');
  await knex.schema.dropTableIfExists('dossier');
  await knex.schema.dropTableIfExists('dossier_code_seq');
  await knex.raw('drop index if exists org_unit_agency_code_uq');
  await knex.schema.alterTable('org_unit', (t) => { t.dropColumn('agency_code'); });
}
