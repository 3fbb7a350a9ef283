import { createCalls } from './calls.js';
import { typedFromPlain, type TypedValue } from './values.js';
import { createCommands } from './service/commands.js';
import { createDeployment } from './service/deploy.js';
import { createExternalTasks } from './service/external-tasks.js';
import { createInstances } from './service/instances.js';
import { createJobAdmin } from './service/job-admin.js';
import { createJobs } from './service/jobs.js';
import { createKernel, EXTERNAL_TASK_CHANNEL, type EngineDeps } from './service/kernel.js';
import { createMessaging } from './service/messages.js';
import { createPersist } from './service/persist.js';
import { createStarts } from './service/start.js';
import { createUserTasks } from './service/tasks.js';

/**
 * The durable engine service: one module per concern under service/ (deployment and definitions,
 * starts, commands and their persistence, user tasks, external tasks, messages and signals, timers
 * and jobs, instances and queries), sharing the kernel's state; this composition root wires the
 * steps they take from one another and is the service's whole public surface.
 */
export function createEngine(deps: EngineDeps) {
  const k = createKernel(deps);
  const { db, knex, store, wake } = k;
  k.calls = createCalls({
    knex, store, log: deps.log,
    deploymentOf: async (id) => String((await k.loadDefinition(knex, id)).row.deployment_id),
    start: (input) => k.startProcess({ ...input, startUser: null }),
    onCaller: (instanceId, fn) => k.command(instanceId, null, async (ctx) => {
      fn(ctx.run, (executionId, vars) => k.setVariablesAt(ctx, executionId, vars), ctx.def.model);
    }),
    deleteInstance: (id, reason) => k.deleteInstance(id, reason, null),
  });
  Object.assign(k, createPersist(k), createCommands(k));
  const deployment = createDeployment(k);
  const { startProcess } = createStarts(k);
  const tasks = createUserTasks(k);
  const external = createExternalTasks(k);
  const messaging = createMessaging(k);
  const jobs = createJobs(k);
  const jobAdmin = createJobAdmin(k);
  const instances = createInstances(k);
  Object.assign(k, { startProcess, deleteInstance: instances.deleteInstance, throwSignal: messaging.throwSignal, deliverSent: messaging.deliverSent });

  let unlisten: (() => Promise<void>) | null = null;

  async function start(): Promise<void> {
    if (unlisten) return;
    unlisten = await db.listen(EXTERNAL_TASK_CHANNEL, () => wake.emit('task'));
  }

  async function stop(): Promise<void> {
    const u = unlisten;
    unlisten = null;
    await u?.().catch(() => undefined);
    wake.emit('task');
  }

  return {
    ...deployment,
    startProcess,
    ...instances,
    ...tasks,
    ...external,
    correlateMessage: messaging.correlateMessage,
    throwSignal: (input: { name: string; variables?: Record<string, TypedValue>; userId?: string | null }) => messaging.throwSignal(input),
    ...jobs,
    ...jobAdmin,
    /** Starts listening for external-task notifications from other nodes (long-poll wake-up). */
    start,
    stop,
    typedFromPlain,
  };
}

export type EngineService = ReturnType<typeof createEngine>;
