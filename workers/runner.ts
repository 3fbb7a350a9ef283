import { BasicAuthInterceptor, Client, Variables, type Task, type TaskService } from 'camunda-external-task-client-js';
import pino from 'pino';
import type { Topic, WorkerConfig } from './config.js';
import { startPortalPump } from './handlers/portal.js';
import { createHttp, Refused, type Http } from './http.js';

export type Logger = pino.Logger;

export interface HandlerContext {
  task: Task;
  /** The task's process variables, deserialised (Json as objects). */
  vars: Record<string, unknown>;
  /** The dossier code: the `dossierCode` variable, else the business key. */
  dossier: string;
  api: Http;
  engine: Http;
  config: WorkerConfig;
  log: Logger;
}

/** A handler returns the variables to complete the task with. It must be idempotent (see README). */
export type TopicHandler = (ctx: HandlerContext) => Promise<Record<string, unknown> | void>;

/** Retries left after this failure, and when the engine hands the task out again (grows each time). */
function retryPlan(task: Pick<Task, 'retries'>, err: unknown, cfg: Pick<WorkerConfig, 'retries' | 'retryBaseMs' | 'retryMaxMs'>): { retries: number; retryTimeout: number } {
  if (err instanceof Refused) return { retries: 0, retryTimeout: 0 }; // the platform said no: an incident, not a loop
  const left = Math.max(0, (task.retries ?? cfg.retries) - 1);
  const attempt = Math.max(0, cfg.retries - left - 1);
  return { retries: left, retryTimeout: Math.min(cfg.retryMaxMs, cfg.retryBaseMs * 2 ** attempt) };
}

export interface Workers {
  readonly inFlight: number;
  stop(): Promise<void>;
}

/**
 * Subscribes each configured topic with camunda-external-task-client-js against /engine-rest.
 * Success completes the task with the handler's variables; failure calls handleFailure with a
 * decreasing retry count and a growing retryTimeout (at 0 the engine raises an incident).
 */
export function startWorkers(config: WorkerConfig, handlers: Partial<Record<Topic, TopicHandler>>, log: Logger = pino({ level: config.logLevel })): Workers {
  const auth = { username: config.username, password: config.password };
  const api = createHttp(config.apiUrl, auth);
  const engine = createHttp(config.engineRestUrl, auth);
  const client = new Client({
    baseUrl: config.engineRestUrl,
    workerId: config.workerId,
    maxTasks: config.maxTasks,
    lockDuration: config.lockMs,
    asyncResponseTimeout: config.pollTimeoutMs,
    // The client waits `interval` after every fetch, whatever it brought: with the long poll doing the
    // waiting when there is nothing to do, a short pause keeps a storm flowing (300 ms × 10 tasks
    // capped a process at 33 tasks/s); maxParallelExecutions bounds what runs at once.
    interval: config.pollIntervalMs,
    maxParallelExecutions: config.maxParallel,
    autoPoll: false,
    use: () => undefined,
    interceptors: new BasicAuthInterceptor(auth),
  });
  client.on('poll:error', (e: Error) => log.warn({ err: e.message }, 'fetchAndLock failed; polling again'));

  const running = new Map<string, Promise<void>>();
  const locked = new Map<string, { task: Task; taskService: TaskService }>();
  let stopping = false;

  for (const topic of config.topics) {
    const handler = handlers[topic];
    if (!handler) continue;
    client.subscribe(topic, { lockDuration: config.lockMs }, ({ task, taskService }) => {
      const id = String(task.id);
      if (stopping) return taskService.unlock(task).catch(() => undefined);
      locked.set(id, { task, taskService });
      const run = (async () => {
        // Dates arrive as Date objects (typed Date variables); handlers and the API speak ISO-8601.
        const vars = Object.fromEntries(Object.entries(task.variables.getAll())
          .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
        const dossier = String(vars.dossierCode ?? task.businessKey ?? task.processInstanceId);
        const ctx: HandlerContext = { task, vars, dossier, api, engine, config, log: log.child({ topic, taskId: id, dossier }) };
        try {
          const out = await handler(ctx);
          const v = new Variables();
          for (const [k, val] of Object.entries(out ?? {})) v.set(k, val);
          await taskService.complete(task, v);
        } catch (err) {
          const plan = retryPlan(task, err, config);
          ctx.log.warn({ err: (err as Error).message, retries: plan.retries, retryTimeout: plan.retryTimeout }, 'handler failed');
          await taskService.handleFailure(task, {
            errorMessage: (err as Error).message.slice(0, 300),
            errorDetails: err instanceof Refused ? `${err.status} ${err.type}` : String((err as Error).stack ?? '').slice(0, 2000),
            retries: plan.retries,
            retryTimeout: plan.retryTimeout,
          }).catch((e: Error) => ctx.log.warn({ err: e.message }, 'handleFailure failed; the lock will expire'));
        } finally {
          locked.delete(id);
          running.delete(id);
        }
      })();
      running.set(id, run);
      return run;
    });
  }
  client.start();
  log.info({ topics: config.topics, workerId: config.workerId, engine: config.engineRestUrl }, 'workers polling');
  // National-portal sync is a pump over the platform's outbox, not an engine task (see workers/handlers/portal.ts).
  const pump = config.portal.url && config.topics.includes('tthc.sync-national-portal') ? startPortalPump(config, api, log) : undefined;

  return {
    get inFlight() { return running.size; },
    /** Stops polling, lets running handlers finish for up to shutdownMs, then unlocks what is still locked. */
    async stop() {
      stopping = true;
      client.stop();
      const pumped = pump?.stop();
      const all = Promise.allSettled([...running.values()]);
      await Promise.race([all, new Promise((r) => setTimeout(r, config.shutdownMs).unref())]);
      await Promise.allSettled([...locked.values()].map(({ task, taskService }) => taskService.unlock(task)));
      await pumped;
      log.info({ released: locked.size }, 'workers stopped');
    },
  };
}
