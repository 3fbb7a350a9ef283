import type { Knex } from 'knex';

/**
 * The durable BPMN engine. bpmn-engine's state lives in engine_instance.state (without the BPMN
 * source, kept once per definition); everything a query or a worker needs is projected into
 * its own table in the same transaction as the state.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('engine_deployment', (t) => {
    t.uuid('id').primary();
    t.text('name');
    t.text('source');
    t.timestamp('deployment_time', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('engine_resource', (t) => {
    t.uuid('id').primary();
    t.uuid('deployment_id').notNullable().references('engine_deployment.id');
    t.text('name').notNullable();
    t.text('content').notNullable();
    t.text('hash').notNullable();
    t.index(['deployment_id']);
  });
  await knex.schema.createTable('engine_definition', (t) => {
    t.text('id').primary();
    t.text('key').notNullable();
    t.integer('version').notNullable();
    t.text('version_tag');
    t.text('name');
    t.uuid('deployment_id').notNullable().references('engine_deployment.id');
    t.uuid('resource_id').notNullable().references('engine_resource.id');
    t.text('resource_name').notNullable();
    t.text('hash').notNullable();
    /** bpmn-engine's serialized moddle context: recovering an instance needs it, so it is stored once here. */
    t.text('engine_source').notNullable();
    t.jsonb('model').notNullable();
    t.boolean('suspended').notNullable().defaultTo(false);
    t.unique(['key', 'version']);
  });
  await knex.schema.createTable('engine_instance', (t) => {
    t.uuid('id').primary();
    t.text('definition_id').notNullable().references('engine_definition.id');
    t.text('definition_key').notNullable();
    t.text('business_key');
    t.text('unit_id');
    /** ACTIVE, COMPLETED, EXTERNALLY_TERMINATED, INTERNALLY_TERMINATED */
    t.text('state').notNullable();
    t.jsonb('engine_state');
    /** Bumped by every command; an in-memory copy is only trusted if its revision matches. */
    t.integer('revision').notNullable().defaultTo(0);
    t.text('start_user');
    t.text('start_activity_id');
    t.text('delete_reason');
    t.timestamp('start_time', { useTz: true }).notNullable();
    t.timestamp('end_time', { useTz: true });
    t.index(['business_key']);
    t.index(['definition_id']);
    t.index(['state']);
  });
  await knex.schema.createTable('engine_variable', (t) => {
    t.uuid('instance_id').notNullable().references('engine_instance.id');
    t.text('name').notNullable();
    t.text('type').notNullable();
    t.jsonb('value');
    t.jsonb('value_info');
    t.primary(['instance_id', 'name']);
  });
  await knex.schema.createTable('engine_task', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('engine_instance.id');
    /** bpmn-engine's executionId: resume re-announces waiting tasks, this keeps them single. */
    t.text('execution_id').notNullable().unique();
    t.text('definition_id').notNullable();
    t.text('task_definition_key').notNullable();
    t.text('name');
    t.text('assignee');
    t.specificType('candidate_users', 'text[]').notNullable().defaultTo('{}');
    t.specificType('candidate_groups', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('due', { useTz: true });
    t.timestamp('follow_up', { useTz: true });
    t.integer('priority').notNullable().defaultTo(50);
    t.text('form_key');
    t.text('unit_id');
    t.text('business_key');
    t.timestamp('created', { useTz: true }).notNullable();
    t.index(['instance_id']);
    t.index(['assignee']);
    t.index(['unit_id']);
  });
  await knex.schema.createTable('engine_external_task', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('engine_instance.id');
    t.text('execution_id').notNullable().unique();
    t.text('activity_id').notNullable();
    t.text('topic').notNullable();
    t.integer('priority').notNullable().defaultTo(0);
    t.text('worker_id');
    t.timestamp('lock_expiration', { useTz: true });
    t.integer('retries');
    t.text('error_message');
    t.text('error_details');
    t.text('business_key');
    t.text('definition_id').notNullable();
    t.text('definition_key').notNullable();
    t.timestamp('created', { useTz: true }).notNullable();
    t.index(['topic', 'priority', 'created']);
    t.index(['instance_id']);
  });
  await knex.schema.createTable('engine_timer', (t) => {
    t.uuid('id').primary();
    /** Null for a timer start event (then definition_id says which process to start). */
    t.uuid('instance_id').references('engine_instance.id');
    t.text('definition_id').notNullable();
    t.text('execution_id').notNullable().unique();
    t.text('activity_id').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    /** A scheduler claims a due timer for a while; if its node dies the claim lapses. */
    t.timestamp('locked_until', { useTz: true });
    t.text('locked_by');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('repeat');
    t.index(['due_at']);
    t.index(['instance_id']);
  });
  await knex.schema.createTable('engine_message_sub', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('engine_instance.id');
    t.text('execution_id').notNullable().unique();
    t.text('activity_id').notNullable();
    t.text('message_name').notNullable();
    t.text('message_ref').notNullable();
    t.text('business_key');
    t.timestamp('created', { useTz: true }).notNullable();
    t.index(['message_name', 'business_key']);
    t.index(['instance_id']);
  });
  await knex.schema.createTable('engine_incident', (t) => {
    t.uuid('id').primary();
    t.uuid('instance_id').notNullable().references('engine_instance.id');
    t.text('definition_id').notNullable();
    t.text('activity_id');
    t.text('incident_type').notNullable();
    t.text('configuration');
    t.text('message');
    t.timestamp('created', { useTz: true }).notNullable();
    t.timestamp('resolved', { useTz: true });
    t.index(['instance_id']);
    t.index(['configuration']);
  });
  // Append-only: one row per fact, never updated.
  await knex.schema.createTable('engine_history', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('instance_id').notNullable();
    t.text('definition_id').notNullable();
    /** activity-start, activity-end, task-created, task-claimed, task-unclaimed, task-completed, task-deleted, variable-set, incident-created, incident-resolved */
    t.text('kind').notNullable();
    t.text('activity_id');
    t.text('activity_type');
    t.text('activity_name');
    t.text('execution_id');
    t.uuid('task_id');
    t.text('user_id');
    t.jsonb('data');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['instance_id']);
    t.index(['task_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['engine_history', 'engine_incident', 'engine_message_sub', 'engine_timer', 'engine_external_task', 'engine_task', 'engine_variable', 'engine_instance', 'engine_definition', 'engine_resource', 'engine_deployment']) {
    await knex.schema.dropTableIfExists(t);
  }
}
