import { EngineError } from '../errors.js';
import { toTask } from '../store.js';
import type { TaskQuery, TaskRow, TaskScope } from '../types.js';
import type { TypedValue } from '../values.js';
import type { Kernel } from './kernel.js';

/** User tasks: read, claim, assign, complete. */
export function createUserTasks(k: Kernel) {
  const { knex, store, setVariablesAt } = k;

  async function getTask(id: string, scope: TaskScope): Promise<TaskRow> {
    const r = await store.taskById(knex, id, scope);
    if (!r) throw new EngineError('engine.taskNotFound', { id });
    return toTask(r);
  }

  async function claimTask(id: string, userId: string, scope: TaskScope): Promise<void> {
    await knex.transaction(async (trx) => {
      const t = await store.taskById(trx, id, scope, true);
      if (!t) throw new EngineError('engine.taskNotFound', { id });
      if (t.assignee && t.assignee !== userId) throw new EngineError('engine.taskClaimed', { id });
      await store.updateTask(trx, id, { assignee: userId });
      await store.appendHistory(trx, [{ instance_id: t.instance_id, definition_id: t.definition_id, kind: 'task-claimed', task_id: id, activity_id: t.task_definition_key, user_id: userId, at: new Date() }]);
    });
  }

  async function setAssignee(id: string, assignee: string | null, actor: string | null, scope: TaskScope): Promise<void> {
    await knex.transaction(async (trx) => {
      const t = await store.taskById(trx, id, scope, true);
      if (!t) throw new EngineError('engine.taskNotFound', { id });
      await store.updateTask(trx, id, { assignee });
      await store.appendHistory(trx, [{ instance_id: t.instance_id, definition_id: t.definition_id, kind: assignee ? 'task-assigned' : 'task-unclaimed', task_id: id, activity_id: t.task_definition_key, user_id: actor, data: JSON.stringify({ assignee }), at: new Date() }]);
    });
  }

  /** Returns the task's process instance (for `withVariablesInReturn`, without reading the task first). */
  async function completeTask(id: string, input: { variables?: Record<string, TypedValue>; userId: string | null }, scope: TaskScope): Promise<{ processInstanceId: string }> {
    const assignee = 'all' in scope ? undefined : scope.username;
    return k.command({ table: 'engine_task', id, missing: 'engine.taskNotFound', scope, assignee }, input.userId, async (ctx) => {
      // Locked with the instance, so a concurrent completion on another node has either finished or not begun.
      const t = ctx.item!;
      // A user task's row, or what the hot instance's projections remember of it: its key either way.
      const key = t.task_definition_key!;
      if (!ctx.run.live.has(t.execution_id)) throw new EngineError('engine.taskNotWaiting', { id });
      setVariablesAt(ctx, t.execution_id, input.variables);
      ctx.hist.push({ instance_id: t.instance_id, definition_id: t.definition_id, kind: 'task-completed', task_id: id, activity_id: key, activity_name: t.name, execution_id: t.execution_id, user_id: input.userId ?? t.assignee, at: new Date() });
      ctx.completedTasks.add(id);
      ctx.run.signalTask(key, t.execution_id);
      return { processInstanceId: ctx.row.id };
    });
  }


  return { 
    getTask,
    listTasks: async (q: TaskQuery, scope: TaskScope) => (await store.listTasks(knex, q, scope)).map(toTask),
    countTasks: (q: TaskQuery, scope: TaskScope) => store.countTasks(knex, q, scope),
    getTaskVariables: async (id: string, scope: TaskScope) => store.variables(knex, (await getTask(id, scope)).processInstanceId),
    claimTask,
    unclaimTask: (id: string, actor: string | null, scope: TaskScope) => setAssignee(id, null, actor, scope),
    setAssignee,
    completeTask,
  };
}
