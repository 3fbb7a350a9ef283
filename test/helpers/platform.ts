import { loadConfig } from '../../server/config.js';
import type { Database } from '../../server/db/connect.js';
import { createLogger, type Logger } from '../../server/log.js';
import { createPlatform, type Platform } from '../../server/platform.js';
import { createTestDatabase } from './db.js';

export interface TestPlatform extends Platform {
  db: Database;
  close(): Promise<void>;
}

/** The whole platform on a fresh database, as `npm start` builds it, without listening. */
export async function createTestPlatform(env: Record<string, string> = {}, opts: { now?: () => Date; log?: Logger } = {}): Promise<TestPlatform> {
  const db = await createTestDatabase();
  // Demo dossiers only where a test asks for them (DEMO_DOSSIERS: 'true'): they cost every platform a few seconds.
  const config = loadConfig({ DEMO_MODE: 'true', DEMO_DOSSIERS: 'false', ...env });
  const platform = await createPlatform({ config, db, log: opts.log ?? createLogger((process.env.TEST_LOG_LEVEL as 'silent') ?? 'silent'), now: opts.now });
  return {
    ...platform,
    db,
    async close() {
      for (const b of [...platform.background].reverse()) await b.stop();
      await db.close();
    },
  };
}
