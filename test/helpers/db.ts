import crypto from 'node:crypto';
import knexFactory from 'knex';
import { openDatabase, type Database } from '../../server/db/connect.js';
import { runMigrations } from '../../server/db/migrate.js';

/**
 * A fresh, migrated database for one test file: an in-memory embedded PostgreSQL,
 * or, when DATABASE_URL is set (CI), a new database on that server, dropped afterwards.
 */
export async function createTestDatabase(): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const template = process.env.TTHC_PGLITE_TEMPLATE;
    const db = await openDatabase({ dataDir: 'memory', embeddedTemplate: template });
    // The template is already migrated; this only applies migrations newer than it.
    await runMigrations(db.knex);
    return db;
  }
  const name = `tthc_test_${crypto.randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (admin) => admin.raw(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolMax: 10 });
  await runMigrations(db.knex);
  return {
    ...db,
    async close() {
      await db.close();
      await withAdmin(serverUrl, (admin) => admin.raw(`drop database if exists ${name} with (force)`));
    },
  };
}

/** The URL of a fresh database for a child process, or undefined for embedded mode. */
export async function createTestDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return undefined;
  const name = `tthc_test_${crypto.randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (admin) => admin.raw(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(serverUrl, (admin) => admin.raw(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function withAdmin<T>(serverUrl: string, fn: (k: ReturnType<typeof knexFactory>) => Promise<T>): Promise<T> {
  const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  try {
    return await fn(admin);
  } finally {
    await admin.destroy();
  }
}
