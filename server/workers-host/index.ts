import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkersHostOptions {
  log: Logger;
  /** Worker processes to run (each polls every topic). */
  count: number;
  /** Service account the workers log in with; the demo one in demo mode. */
  username: string;
  password: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `workers/index.ts` as child processes once the server listens (`npm start`), pointing them at
 * this server's /engine-rest. The workers still speak HTTP only; `npm run workers` runs the same
 * program alone. A worker that exits unexpectedly is restarted after a pause.
 */
export function createWorkersHost(opts: WorkersHostOptions) {
  const children = new Set<ChildProcess>();
  let stopped = false;

  function launch(baseUrl: string, n: number): void {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'index.ts')], {
      cwd: ROOT,
      env: {
        ...process.env, ...opts.env,
        ENGINE_REST_URL: `${baseUrl}/engine-rest`, WORKER_USERNAME: opts.username, WORKER_PASSWORD: opts.password,
        WORKER_ID: `workers-${process.pid}-${n}`,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.add(child);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (stopped) return;
      opts.log.warn({ code, signal }, 'worker process exited; restarting in 5 s');
      setTimeout(() => { if (!stopped) launch(baseUrl, n); }, 5000).unref();
    });
  }

  return {
    name: 'workers',
    async start(baseUrl: string): Promise<void> {
      stopped = false;
      for (let i = 0; i < opts.count; i++) launch(baseUrl.replace('localhost', '127.0.0.1'), i);
    },
    /** SIGTERM each worker: it finishes or unlocks its tasks, then exits. */
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all([...children].map((c) => new Promise<void>((resolve) => {
        const kill = setTimeout(() => c.kill('SIGKILL'), 15_000);
        c.once('exit', () => { clearTimeout(kill); resolve(); });
        c.kill('SIGTERM');
      })));
    },
  };
}
