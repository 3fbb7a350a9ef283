import type { Knex } from 'knex';

/**
 * Call activities (BPMN 2.0 §10.2.5): a call activity that waits has a row here, written with the
 * calling instance's command. The called instance is started after that commit, keyed by this row
 * (so a retry cannot start a second one), and linked by `child_id`; when it ends, the calling
 * instance's call activity completes (or gets its uncaught BPMN error). A sweep finishes what a
 * crashed node left half done.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('engine_call', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('engine_instance.id');
    t.text('execution_id').notNullable().unique();
    t.text('activity_id').notNullable();
    /** The calling instance's definition (binding "deployment" resolves against its deployment). */
    t.text('definition_id').notNullable();
    t.text('called_key').notNullable();
    t.text('binding').notNullable();
    t.text('version');
    /** Typed values mapped in by camunda:in. */
    t.jsonb('variables');
    t.text('business_key');
    t.uuid('child_id');
    t.timestamp('created', { useTz: true }).notNullable();
    t.index(['instance_id']);
    t.index(['child_id']);
  });
  await knex.raw('create index engine_call_unstarted on engine_call (created) where child_id is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('engine_call');
}
