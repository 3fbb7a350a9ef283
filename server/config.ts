import path from 'node:path';
import { z } from 'zod';

/** Every working-time rule is Vietnamese time, whatever the host's TZ says. */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  /** Demo mode seeds an organisation with known passwords; on by default only for the embedded database. */
  DEMO_MODE: z.enum(['true', 'false']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ID: z.string().optional(),
  SESSION_SECRET: z.string().min(32).optional(),
  ADMIN_USERNAME: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  /** Which BPMN interpreter new deployments use: our own (default) or the hosted bpmn-engine. */
  ENGINE_INTERPRETER: z.enum(['native', 'bpmn-engine']).default('native'),
  /** Tasklist colours: near due with at most this many working days, or this share of the step's budget, left. */
  TASK_NEAR_DUE_DAYS: z.coerce.number().min(0).max(30).default(1),
  TASK_NEAR_DUE_RATIO: z.coerce.number().min(0).max(1).default(0.2),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  demoMode: boolean;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  nodeId: string;
  adminUsername?: string;
  adminPassword?: string;
  engineInterpreter: 'native' | 'bpmn-engine';
  nearDue: { workingDays: number; ratio: number };
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
    logLevel: e.LOG_LEVEL,
    nodeId: e.NODE_ID ?? `node-${process.pid}`,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    engineInterpreter: e.ENGINE_INTERPRETER,
    nearDue: { workingDays: e.TASK_NEAR_DUE_DAYS, ratio: e.TASK_NEAR_DUE_RATIO },
  };
}
