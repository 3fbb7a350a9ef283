import type { Knex } from 'knex';
import client from 'prom-client';
import type { AuditWriterHealth } from '../audit/service.js';

/** What the platform's gauges are read from at each scrape. */
export interface MetricsSources {
  knex: Knex;
  audit: () => AuditWriterHealth;
}

/** tarn's pool, as knex keeps it (pg: up to `poolMax` connections; embedded: one). */
interface Pool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

const PREFIX = 'tthc_';

/**
 * The platform's Prometheus series, on a registry of its own (several platforms in one test process never clash).
 * Counters and histograms are updated as things happen (server/metrics/http.ts, engine.ts); the gauges that
 * describe the database's state (open tasks, due timers, external-task queue, pool) are read at each scrape.
 */
export function createMetrics(src: MetricsSources) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const httpDuration = new client.Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by method, route template (mount path + route path; "unmatched" when no route answered) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const engineCommand = new client.Histogram({
    name: `${PREFIX}engine_command_duration_seconds`,
    help: 'Engine commands (service calls: startProcess, completeTask, fetchAndLock, fireDueTimers, …) by outcome; fetchAndLock includes its long-poll wait',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const openTasks = gauge('engine_open_user_tasks', 'User tasks waiting in the engine');
  const timersDue = gauge('engine_timers_due', 'Timers whose due time has passed and that have not fired yet');
  const timerLag = gauge('engine_timer_lag_seconds', 'How late the oldest due timer is (0 when none is due)');
  const timersWaiting = gauge('engine_timers', 'Timers waiting in the engine (due or not)');
  const externalTasks = gauge('engine_external_tasks', 'External tasks by topic: available to fetch, locked by a worker, or failed (no retries left: an incident)', ['topic', 'state']);
  const auditQueue = gauge('audit_queue_length', 'Audit rows queued in this process, not yet committed');
  const auditLastWrite = gauge('audit_last_write_timestamp_seconds', 'When the audit writer last committed rows (0: not yet in this process)');
  const auditWritten = gauge('audit_rows_written', 'Audit rows this process has committed since it started');
  const auditFailing = gauge('audit_writer_up', '1 when the audit writer is writing, 0 when it is retrying a failed batch or stopped');
  const pool = gauge('db_pool_connections', 'Database pool connections by state (used, free, pending acquires) and the pool maximum', ['state']);

  function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): client.Gauge<L> {
    return new client.Gauge({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });
  }

  /** Reads the gauges from the database and the audit writer; one round of small indexed queries. */
  async function refresh(): Promise<void> {
    const a = src.audit();
    auditQueue.set(a.queueLength);
    auditLastWrite.set(a.lastWrittenAt ? Date.parse(a.lastWrittenAt) / 1000 : 0);
    auditWritten.set(a.rowsWritten);
    auditFailing.set(a.status === 'ok' ? 1 : 0);

    const p = (src.knex.client as { pool?: Pool }).pool;
    if (p) {
      pool.set({ state: 'used' }, p.numUsed());
      pool.set({ state: 'free' }, p.numFree());
      pool.set({ state: 'pending' }, p.numPendingAcquires());
      pool.set({ state: 'max' }, p.max);
    }

    const tasks = await src.knex('engine_task').count<{ n: number }[]>({ n: '*' });
    openTasks.set(Number(tasks[0]?.n ?? 0));
    const timers = (await src.knex.raw(`select count(*) as waiting,
        count(*) filter (where due_at <= now()) as due,
        coalesce(extract(epoch from now() - min(due_at) filter (where due_at <= now())), 0) as lag
      from engine_timer`)) as { rows: Array<{ waiting: number | string; due: number | string; lag: number | string }> };
    const t = timers.rows[0];
    timersWaiting.set(Number(t?.waiting ?? 0));
    timersDue.set(Number(t?.due ?? 0));
    timerLag.set(Number(t?.lag ?? 0));
    const topics = (await src.knex.raw(`select topic,
        count(*) filter (where retries = 0) as failed,
        count(*) filter (where retries is distinct from 0 and (lock_expiration is null or lock_expiration <= now())) as available,
        count(*) filter (where retries is distinct from 0 and lock_expiration > now()) as locked
      from engine_external_task group by topic`)) as { rows: Array<{ topic: string; available: number | string; locked: number | string; failed: number | string }> };
    externalTasks.reset();
    for (const r of topics.rows) {
      externalTasks.set({ topic: r.topic, state: 'available' }, Number(r.available));
      externalTasks.set({ topic: r.topic, state: 'locked' }, Number(r.locked));
      externalTasks.set({ topic: r.topic, state: 'failed' }, Number(r.failed));
    }
  }

  return {
    registry,
    httpDuration,
    engineCommand,
    /** The exposition text (Prometheus 0.0.4), gauges freshly read. */
    async scrape(): Promise<{ contentType: string; body: string }> {
      await refresh();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
