import type { Knex } from 'knex';

/**
 * camunda:inputOutput: an external task's input mappings are local variables of the task. They are
 * stored with the task (typed values by name) and handed to the worker with the instance's variables,
 * hiding instance variables of the same name, as Camunda's fetchAndLock does.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table engine_external_task add column if not exists local_variables jsonb');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table engine_external_task drop column if exists local_variables');
}
