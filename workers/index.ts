/**
 * `npm run workers`: the external-task workers on their own. They talk to the engine only through
 * /engine-rest (camunda-external-task-client-js) and to the platform only through its HTTP API,
 * so they run unchanged against Camunda 7 / Operaton and scale out as separate processes.
 */
import pino from 'pino';
import { loadWorkerConfig } from './config.js';
import { HANDLERS } from './handlers/index.js';
import { startWorkers } from './runner.js';

const config = loadWorkerConfig();
const log = pino({ level: config.logLevel, base: { pid: process.pid, workerId: config.workerId } });
const workers = startWorkers(config, HANDLERS, log);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal, inFlight: workers.inFlight }, 'stopping workers');
  await workers.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
