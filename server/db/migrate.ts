import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

/**
 * Reads `migrations/NNNN_name.ts` in name order and imports each one ourselves,
 * so migrations load the same way under tsx, jest and a compiled build.
 */
class FolderMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir)
      .filter((f) => /^\d{4}_[\w-]+\.(ts|js)$/.test(f))
      .sort();
  }

  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js)$/, '');
  }

  async getMigration(file: string): Promise<Knex.Migration> {
    const mod = (await import(pathToFileURL(path.join(this.dir, file)).href)) as MigrationModule;
    return { up: mod.up, down: mod.down ?? (async () => undefined) };
  }
}

/** Idempotent: runs only what has not run yet; safe for several nodes starting at once (knex takes a lock). */
export async function runMigrations(knex: Knex, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({
    migrationSource: new FolderMigrationSource(dir),
    tableName: 'knex_migrations',
  })) as [number, string[]];
  return applied;
}

/** Migrations in the folder that the database has not run yet (readiness: a node is ready only when none is left). */
export async function pendingMigrations(knex: Knex, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const source = new FolderMigrationSource(dir);
  const files = (await source.getMigrations()).map((f) => source.getMigrationName(f));
  if (!(await knex.schema.hasTable('knex_migrations'))) return files;
  const done = new Set((await knex('knex_migrations').select<{ name: string }[]>('name')).map((r) => r.name.replace(/\.(ts|js)$/, '')));
  return files.filter((f) => !done.has(f));
}
