import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Node's arguments for the server exactly as `npm start` gives them (package.json's "start" script),
 * so that the benches, the cluster tests and the browser scenarios run the server a user runs,
 * runtime flags included.
 */
export function serverNodeArgs(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = start.trim().split(/\s+/);
  if (node !== 'node' || !args.includes('server/main.ts')) throw new Error(`package.json's start script is not "node … server/main.ts": ${start}`);
  return args;
}
