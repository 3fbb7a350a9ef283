import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/**
 * Starting the embedded database and migrating it takes seconds; doing it once and
 * letting each test file start from a copy keeps the suite fast. Workers inherit the env.
 * (Plain JS: jest loads global setup outside its module mapper.)
 */
export default async function globalSetup() {
  if (process.env.DATABASE_URL) return;
  const file = path.join(os.tmpdir(), `tthc-pglite-template-${process.pid}.tar`);
  execFileSync(process.execPath, ['--import', 'tsx', 'test/helpers/make-template.ts', file], { stdio: 'inherit' });
  process.env.TTHC_PGLITE_TEMPLATE = file;
}
