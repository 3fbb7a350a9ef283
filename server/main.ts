import type { AddressInfo } from 'node:net';
import { assertZoneOffset } from './calendar/index.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/connect.js';
import { runMigrations } from './db/migrate.js';
import { createLogger } from './log.js';
import { createPlatform } from './platform.js';
import { createWorkersHost } from './workers-host/index.js';
import { DEMO_PASSWORD } from './identity/demo.js';

const config = loadConfig();
// Working time counts Vietnamese time as a fixed UTC+7 (server/calendar/time.ts): refuse a runtime that disagrees.
assertZoneOffset();
const log = createLogger(config.logLevel);
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
await runMigrations(db.knex);
const platform = await createPlatform({ config, db, log });

const server = platform.app.listen(config.port, config.host);
await new Promise<void>((resolve, reject) => {
  server.once('listening', () => resolve());
  server.once('error', reject);
});
const port = (server.address() as AddressInfo).port;
const baseUrl = `http://localhost:${port}`;
// The external-task workers (workers/) as child processes; in demo mode the demo service account.
const workerPassword = config.workers.password ?? (config.demoMode ? DEMO_PASSWORD : undefined);
if (config.workers.count > 0 && workerPassword) {
  // Where the workers push dossier statuses: NATIONAL_PORTAL_URL, or in demo mode the mock portal mounted on this server.
  const portalUrl = config.portal.url ?? (config.portal.mock ? `${baseUrl.replace('localhost', '127.0.0.1')}/mock-portal` : undefined);
  platform.background.push(createWorkersHost({ log, count: config.workers.count, username: config.workers.username, password: workerPassword, env: portalUrl ? { NATIONAL_PORTAL_URL: portalUrl } : {} }));
} else if (config.workers.count > 0) log.warn('WORKER_PASSWORD is not set: the workers are not started (run `npm run workers` with it)');
for (const b of platform.background) await b.start(baseUrl);

console.log(`\nTTHC platform is running at ${baseUrl}/`);
console.log(`  database: ${db.kind === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL server'}`);
console.log(`  Camunda-compatible REST: ${baseUrl}/engine-rest`);
if (config.demoMode && platform.demoLogins.length) {
  console.log('  Demo logins (demo mode only):');
  for (const l of platform.demoLogins) console.log(`    ${l.username.padEnd(16)} ${l.password.padEnd(14)} ${l.role}`);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  // Whatever hangs (a stuck query, a background job), the process exits within 15 s.
  setTimeout(() => {
    log.error({ signal }, 'shutdown did not finish in 15 s; exiting');
    process.exit(1);
  }, 15_000).unref();
  for (const b of [...platform.background].reverse()) await b.stop().catch((err) => log.error({ err }, `stop ${b.name}`));
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
