import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import { openDatabase, type Database } from '../../server/db/connect.js';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestDatabaseUrl } from '../helpers/db.js';
import { serverNodeArgs } from '../helpers/server-command.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN = basicAuthHeader('admin');
export const WORKER = basicAuthHeader('worker');

/**
 * Where the child servers keep their data: a fresh database on the PostgreSQL server when
 * DATABASE_URL is set, otherwise an embedded data directory (one process at a time).
 * (pglite-socket was tried for sharing the embedded database between processes: it interleaves
 * statements of concurrent connections inside one session, so transactions are not isolated.)
 */
export async function childDatabase(): Promise<{ url?: string; dataDir?: string; open(): Promise<Database>; close(): Promise<void> }> {
  const server = await createTestDatabaseUrl();
  if (server) {
    return { url: server.url, open: () => openDatabase({ url: server.url, poolMax: 2 }), close: server.drop };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tthc-crash-'));
  return {
    dataDir,
    open: () => openDatabase({ dataDir }),
    async close() { fs.rmSync(dataDir, { recursive: true, force: true }); },
  };
}

export interface Child { proc: ChildProcess; base: string; exited: Promise<number | null> }

/** Starts `npm start`'s entry point as a child and resolves once it prints its URL. */
export function startServer(db: { url?: string; dataDir?: string }, name: string): Promise<Child> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DEMO_MODE: 'true', WORKERS: 'false', LOG_LEVEL: 'error', NODE_ID: name };
  delete env.DATABASE_URL;
  if (db.url) env.DATABASE_URL = db.url;
  if (db.dataDir) env.DATA_DIR = db.dataDir;
  // TTHC_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers a bench starts.
  const extra = (process.env.TTHC_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...extra, ...serverNodeArgs()], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    // TTHC_CHILD_START_MS: a longer wait for start-up on a machine loaded by other runs (benchmarks).
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}${err}`)), Number(process.env.TTHC_CHILD_START_MS ?? 60000));
    proc.stderr.on('data', (d) => { err += d; if (process.env.TTHC_CHILD_STDERR) process.stderr.write(d); });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/[^\s]+?)\/?\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `${m[1]!.replace('localhost', '127.0.0.1')}/engine-rest`, exited });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}) before starting: ${err.slice(-2000)}`)); });
  });
}

export async function stopServer(c: Child, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode) return;
  c.proc.kill(signal);
  await c.exited;
}

export async function http(base: string, method: string, url: string, body?: unknown, auth = WORKER): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${url}`, {
    method, headers: { Authorization: auth, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function deployXml(base: string, name: string, xml: string): Promise<void> {
  const form = new FormData();
  form.set('deployment-name', name);
  form.set('deploy-changed-only', 'true');
  form.set(name, new Blob([xml], { type: 'text/xml' }), name);
  const res = await fetch(`${base}/deployment/create`, { method: 'POST', headers: { Authorization: ADMIN }, body: form });
  if (res.status !== 200) throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
}
