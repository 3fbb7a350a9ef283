import path from 'node:path';
import { z } from 'zod';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  /** Demo mode seeds an organisation with known passwords; on by default only for the embedded database. */
  DEMO_MODE: z.enum(['true', 'false']).optional(),
  /** Demo dossiers on the first start (default: on in demo mode). */
  DEMO_DOSSIERS: z.enum(['true', 'false']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ID: z.string().optional(),
  /** Bearer token a Prometheus scraper sends to /metrics (without it: open in demo mode, else system administrators only). */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  ADMIN_USERNAME: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  // Notifications (server/notifications/): email through SMTP, SMS through an HTTP gateway.
  SMTP_URL: z.string().url().optional(),
  SMTP_FROM: z.string().default('TTHC <no-reply@tthc.local>'),
  SMS_GATEWAY_URL: z.string().url().optional(),
  SMS_GATEWAY_KEY: z.string().optional(),
  // External-task workers started by `npm start` (workers/): `off`, or how many processes; default 1 in demo mode.
  WORKERS: z.string().regex(/^(off|false|on|true|\d{1,2})$/, 'off, false, on, true or a number of processes').optional(),
  WORKER_USERNAME: z.string().default('worker'),
  WORKER_PASSWORD: z.string().optional(),
  /** How long before the due date the watch process reminds (working time: 1d, 4h). */
  REMIND_BEFORE_DUE: z.string().regex(/^\d+(\.\d+)?[dh]$/).default('1d'),
  /** Which BPMN interpreter new deployments use: our own (default) or the hosted bpmn-engine. */
  ENGINE_INTERPRETER: z.enum(['native', 'bpmn-engine']).default('native'),
  /** Tasklist colours: near due with at most this many working days, or this share of the step's budget, left. */
  TASK_NEAR_DUE_DAYS: z.coerce.number().min(0).max(30).default(1),
  TASK_NEAR_DUE_RATIO: z.coerce.number().min(0).max(1).default(0.2),
  /** National public-service portal (server/portal-sync/): where the workers push; unset in demo mode = the local mock at /mock-portal. */
  NATIONAL_PORTAL_URL: z.string().url().optional(),
  PORTAL_RETRY_BASE_MS: z.coerce.number().int().min(0).default(30_000),
  PORTAL_RETRY_MAX_MS: z.coerce.number().int().min(0).default(30 * 60_000),
  /** How often the platform looks for records unacknowledged after 2 working hours. */
  PORTAL_CHECK_MS: z.coerce.number().int().min(50).default(60_000),
  /** Acknowledged sync records are kept this many days, then purged (every PORTAL_PURGE_MS). */
  PORTAL_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(90),
  PORTAL_PURGE_MS: z.coerce.number().int().min(50).default(3_600_000),
  /** Threads that validate and compile large BPMN models off the event loop (default: cores − 1, at most 2). */
  VALIDATION_THREADS: z.coerce.number().int().min(1).max(16).optional(),
  /** POST /api/process-versions/validate calls per user per minute (the designer validates on every edit, debounced). */
  VALIDATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(300),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  demoMode: boolean;
  demoDossiers: boolean;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  nodeId: string;
  metricsToken?: string;
  adminUsername?: string;
  adminPassword?: string;
  notifications: { smtpUrl?: string; smtpFrom: string; smsUrl?: string; smsKey?: string };
  /** Worker processes `npm start` runs (0 = none) and their service account. */
  workers: { count: number; username: string; password?: string };
  remindBeforeDue: string;
  engineInterpreter: 'native' | 'bpmn-engine';
  nearDue: { workingDays: number; ratio: number };
  /** National-portal sync: the portal's URL (unset: the mock in demo mode, else nothing is pushed), backoff, warning check. */
  portal: { url?: string; mock: boolean; retryBaseMs: number; retryMaxMs: number; checkMs: number; retentionDays: number; purgeMs: number };
  validation: { threads?: number; perMinute: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    demoMode: e.DEMO_MODE ? e.DEMO_MODE === 'true' : !e.DATABASE_URL,
    demoDossiers: (e.DEMO_MODE ? e.DEMO_MODE === 'true' : !e.DATABASE_URL) && e.DEMO_DOSSIERS !== 'false',
    logLevel: e.LOG_LEVEL,
    nodeId: e.NODE_ID ?? `node-${process.pid}`,
    metricsToken: e.METRICS_TOKEN,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    workers: {
      count: e.WORKERS === undefined ? ((e.DEMO_MODE ? e.DEMO_MODE === 'true' : !e.DATABASE_URL) ? 1 : 0)
        : e.WORKERS === 'off' || e.WORKERS === 'false' ? 0 : e.WORKERS === 'on' || e.WORKERS === 'true' ? 1 : Number(e.WORKERS),
      username: e.WORKER_USERNAME,
      password: e.WORKER_PASSWORD,
    },
    remindBeforeDue: e.REMIND_BEFORE_DUE,
    notifications: { smtpUrl: e.SMTP_URL, smtpFrom: e.SMTP_FROM, smsUrl: e.SMS_GATEWAY_URL, smsKey: e.SMS_GATEWAY_KEY },
    engineInterpreter: e.ENGINE_INTERPRETER,
    nearDue: { workingDays: e.TASK_NEAR_DUE_DAYS, ratio: e.TASK_NEAR_DUE_RATIO },
    portal: {
      url: e.NATIONAL_PORTAL_URL, mock: !e.NATIONAL_PORTAL_URL && (e.DEMO_MODE ? e.DEMO_MODE === 'true' : !e.DATABASE_URL),
      retryBaseMs: e.PORTAL_RETRY_BASE_MS, retryMaxMs: e.PORTAL_RETRY_MAX_MS, checkMs: e.PORTAL_CHECK_MS,
      retentionDays: e.PORTAL_RETENTION_DAYS, purgeMs: e.PORTAL_PURGE_MS,
    },
    validation: { threads: e.VALIDATION_THREADS, perMinute: e.VALIDATE_PER_MINUTE },
  };
}
