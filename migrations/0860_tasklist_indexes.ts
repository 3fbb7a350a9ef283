import type { Knex } from 'knex';

/**
 * The tasklist's tabs must answer from indexes at a million open tasks:
 * - "offered to me by name" (`candidate_users @> array[user]`) through a GIN index, so the OR with the
 *   unit branch becomes a BitmapOr instead of a scan of every open task;
 * - "mine" sorted by due straight off (assignee, due, created, id), without sorting a busy person's tasks.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index if not exists engine_task_candidate_users_gin on engine_task using gin (candidate_users)');
  await knex.raw('create index if not exists engine_task_assignee_due on engine_task (assignee, due, created, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists engine_task_assignee_due');
  await knex.raw('drop index if exists engine_task_candidate_users_gin');
}
