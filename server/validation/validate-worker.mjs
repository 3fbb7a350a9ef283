// One validation thread of the pool (pool.ts): parses, lints, checks the domain rules and the
// engine's deployability of a model off the server's event loop. The server runs TypeScript through
// tsx; a worker starts with a fresh loader, so it registers tsx itself before loading the job.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runJob } = await import('./validate-job.ts');

parentPort.on('message', async ({ id, job }) => {
  try {
    parentPort.postMessage({ id, result: await runJob(job) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
});
parentPort.postMessage({ ready: true });
