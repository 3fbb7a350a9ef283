import type { Knex } from 'knex';

/**
 * Consultations (lấy ý kiến, Công văn 2121 item 6): a step of a dossier's process asks another agency
 * for its opinion before a reply deadline counted in working time.
 *
 * - `consultation_agency`: agencies outside the platform (e.g. the provincial police), reached by
 *   email; their reply is recorded by hand by an officer of the requesting unit.
 * - `consultation`: one request. `request_key` (dossier + step) is what makes the worker's call
 *   idempotent: a task delivered twice finds the consultation already open.
 * - `consultation_event`: sent, reminded, answered, late, explanation, email… (the record; the
 *   dossier's own timeline gets the same entries through the dossier capability).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('consultation_agency', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('name_folded').notNullable();
    t.text('email');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex('consultation_agency').insert({ id: 'cong-an-tinh', name: 'Công an tỉnh', name_folded: 'cong an tinh', email: null });

  await knex.schema.createTable('consultation', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('request_key').notNullable().unique();
    t.text('dossier_code').notNullable();
    t.uuid('dossier_id');
    t.text('instance_id');
    t.text('step_key').notNullable();
    t.text('step_name');
    t.text('requesting_unit_id').notNullable();
    t.text('consulted_unit_id'); // a unit on the platform…
    t.text('agency_id'); // …or an agency outside it (consultation_agency)
    t.text('agency_name').notNullable();
    t.text('question').notNullable();
    t.jsonb('documents').notNullable().defaultTo('[]');
    t.text('reply_deadline').notNullable(); // the working-time budget as drawn ("5d")
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.timestamp('reply_due_at', { useTz: true }).notNullable();
    t.text('status').notNullable().defaultTo('open'); // open | answered
    t.text('opinion'); // agree | agree_with_conditions | disagree
    t.text('reply_text');
    t.jsonb('reply_documents').notNullable().defaultTo('[]');
    t.timestamp('replied_at', { useTz: true });
    t.text('replied_by');
    t.text('replied_by_name');
    t.boolean('recorded_by_hand').notNullable().defaultTo(false);
    t.boolean('late').notNullable().defaultTo(false);
    t.text('delay_explanation');
    t.integer('reminders_sent').notNullable().defaultTo(0);
    t.text('watch_instance_id');
    t.timestamp('correlated_at', { useTz: true }); // the reply message reached the process
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['consulted_unit_id', 'status']);
    t.index(['requesting_unit_id', 'status']);
    t.index(['dossier_code']);
  });
  await knex.raw(`alter table consultation add constraint consultation_target_ck check (consulted_unit_id is not null or agency_id is not null)`);
  await knex.raw(`alter table consultation add constraint consultation_opinion_ck check (opinion is null or opinion in ('agree', 'agree_with_conditions', 'disagree'))`);

  await knex.schema.createTable('consultation_event', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('consultation_id').notNullable().references('consultation.id').onDelete('CASCADE');
    t.text('kind').notNullable(); // sent | reminded | answered | late | explanation | email-sent
    /** Reminders: the Vietnamese working day they are for; unique, so one reminder per day whatever the retries. */
    t.date('day');
    t.text('actor');
    t.jsonb('data');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['consultation_id', 'id']);
  });
  await knex.raw(`create unique index consultation_event_reminder_uq on consultation_event (consultation_id, day) where kind = 'reminded'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('consultation_event');
  await knex.schema.dropTableIfExists('consultation');
  await knex.schema.dropTableIfExists('consultation_agency');
}
