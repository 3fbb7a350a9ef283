import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { loadWorkerConfig, type WorkerConfig } from '../../workers/config.js';
import { HANDLERS } from '../../workers/handlers/index.js';
import { startWorkers, type TopicHandler, type Workers } from '../../workers/runner.js';
import { basicAuthHeader, DEMO_PASSWORD } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

export const WORKER = basicAuthHeader('worker');
export const ADMIN = basicAuthHeader('admin');

/** The platform listening on a port, its background services (timer scheduler) running. */
export async function startListening(env: Record<string, string> = {}): Promise<{ platform: TestPlatform; server: Server; baseUrl: string; close(): Promise<void> }> {
  const platform = await createTestPlatform(env);
  const server = platform.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const b of platform.background) await b.start(baseUrl);
  return {
    platform, server, baseUrl,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await platform.close();
    },
  };
}

function workerConfig(baseUrl: string, extra: Record<string, string> = {}): WorkerConfig {
  return loadWorkerConfig({
    ENGINE_REST_URL: `${baseUrl}/engine-rest`, WORKER_PASSWORD: DEMO_PASSWORD, WORKER_POLL_TIMEOUT_MS: '1000',
    WORKER_RETRY_BASE_MS: '100', LOG_LEVEL: 'silent', ...extra,
  });
}

/** The real workers (camunda-external-task-client-js) in this process, optionally with handlers replaced. */
export function runWorkers(baseUrl: string, extra: Record<string, string> = {}, handlers: Partial<Record<string, TopicHandler>> = {}): Workers {
  return startWorkers(workerConfig(baseUrl, extra), { ...HANDLERS, ...handlers }, pino({ level: 'silent' }));
}

export function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const stopAt = Date.now() + ms;
    const loop = async () => {
      const v = await fn().catch(() => undefined);
      if (v !== undefined && v !== false) return resolve(v);
      if (Date.now() > stopAt) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(loop, 100);
    };
    void loop();
  });
}

/** Starts the platform watch process for a dossier, as the dossier service does at acceptance. */
export async function startWatch(app: TestPlatform['app'], dossierCode: string, vars: Record<string, unknown>): Promise<string> {
  const variables = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { value: v }]));
  const res = await request(app).post('/engine-rest/process-definition/key/tthc-watch/start').set('Authorization', WORKER)
    .send({ businessKey: dossierCode, variables });
  if (res.status !== 200) throw new Error(`start watch: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Camunda's date format, which every /engine-rest date variable uses. */
export function camundaDate(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}
