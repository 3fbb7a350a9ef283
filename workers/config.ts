import { z } from 'zod';

/** Every topic the workers can handle; `WORKER_TOPICS` picks a subset (to scale one out separately). */
const ALL_TOPICS = [
  'tthc.notify-citizen',
  'tthc.remind-before-due',
  'tthc.overdue.escalate',
  'tthc.apology.issue',
  'tthc.sync-national-portal',
  'tthc.consultation.request',
  'tthc.consultation.overdue',
] as const;
export type Topic = (typeof ALL_TOPICS)[number];

const Env = z.object({
  ENGINE_REST_URL: z.string().url().default('http://localhost:3000/engine-rest'),
  /** The platform's HTTP API; by default the same host as the engine. */
  PLATFORM_API_URL: z.string().url().optional(),
  WORKER_USERNAME: z.string().min(1).default('worker'),
  WORKER_PASSWORD: z.string().min(1).optional(),
  WORKER_TOPICS: z.string().optional(),
  WORKER_ID: z.string().optional(),
  /** Tasks per fetchAndLock; at most WORKER_MAX_PARALLEL handlers run at once; WORKER_POLL_INTERVAL_MS between fetches. */
  WORKER_MAX_TASKS: z.coerce.number().int().min(1).max(1000).default(50),
  WORKER_MAX_PARALLEL: z.coerce.number().int().min(1).max(5000).default(200),
  WORKER_POLL_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(20),
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(60_000),
  WORKER_RETRIES: z.coerce.number().int().min(0).max(100).default(5),
  /** First retry after this long; each later one waits twice as long (capped at WORKER_RETRY_MAX_MS). */
  WORKER_RETRY_BASE_MS: z.coerce.number().int().min(0).default(5_000),
  WORKER_RETRY_MAX_MS: z.coerce.number().int().min(0).default(3_600_000),
  WORKER_POLL_TIMEOUT_MS: z.coerce.number().int().min(0).default(20_000),
  /** On SIGTERM, wait this long for running handlers before unlocking what is left. */
  WORKER_SHUTDOWN_MS: z.coerce.number().int().min(0).default(10_000),
  LOG_LEVEL: z.string().default('info'),
  /** The national public-service portal (DVCQG) the sync pushes to; unset = no sync pump (workers/handlers/portal.ts). */
  NATIONAL_PORTAL_URL: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  /** Sync pump: wait this long when nothing is pending; records per claim; lease; portal timeout; records pushed at once. */
  PORTAL_POLL_MS: z.coerce.number().int().min(10).default(2_000),
  PORTAL_BATCH: z.coerce.number().int().min(1).max(500).default(50),
  PORTAL_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  PORTAL_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  PORTAL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
});

export interface WorkerConfig {
  engineRestUrl: string;
  apiUrl: string;
  username: string;
  password: string;
  topics: Topic[];
  workerId: string;
  maxTasks: number;
  maxParallel: number;
  pollIntervalMs: number;
  lockMs: number;
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  pollTimeoutMs: number;
  shutdownMs: number;
  logLevel: string;
  portal: { url?: string; pollMs: number; batch: number; leaseMs: number; timeoutMs: number; concurrency: number };
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const r = Env.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`Invalid environment variable ${i.path.join('.')}: ${i.message}`);
  }
  const e = r.data;
  if (!e.WORKER_PASSWORD) throw new Error('WORKER_PASSWORD is required (the service account the workers log in with)');
  const topics = e.WORKER_TOPICS ? e.WORKER_TOPICS.split(',').map((s) => s.trim()).filter(Boolean) : [...ALL_TOPICS];
  const unknown = topics.filter((t) => !(ALL_TOPICS as readonly string[]).includes(t));
  if (unknown.length) throw new Error(`WORKER_TOPICS: unknown topic(s) ${unknown.join(', ')}; known: ${ALL_TOPICS.join(', ')}`);
  const engine = e.ENGINE_REST_URL.replace(/\/+$/, '');
  return {
    engineRestUrl: engine,
    apiUrl: (e.PLATFORM_API_URL ?? engine.replace(/\/engine-rest$/, '')).replace(/\/+$/, '') + (e.PLATFORM_API_URL ? '' : '/api'),
    username: e.WORKER_USERNAME,
    password: e.WORKER_PASSWORD,
    topics: topics as Topic[],
    workerId: e.WORKER_ID ?? `workers-${process.pid}`,
    maxTasks: e.WORKER_MAX_TASKS,
    maxParallel: e.WORKER_MAX_PARALLEL,
    pollIntervalMs: e.WORKER_POLL_INTERVAL_MS,
    lockMs: e.WORKER_LOCK_MS,
    retries: e.WORKER_RETRIES,
    retryBaseMs: e.WORKER_RETRY_BASE_MS,
    retryMaxMs: e.WORKER_RETRY_MAX_MS,
    pollTimeoutMs: e.WORKER_POLL_TIMEOUT_MS,
    shutdownMs: e.WORKER_SHUTDOWN_MS,
    logLevel: e.LOG_LEVEL,
    portal: {
      url: e.NATIONAL_PORTAL_URL?.replace(/\/+$/, ''), pollMs: e.PORTAL_POLL_MS, batch: e.PORTAL_BATCH, leaseMs: e.PORTAL_LEASE_MS,
      timeoutMs: e.PORTAL_TIMEOUT_MS, concurrency: e.PORTAL_CONCURRENCY,
    },
  };
}
