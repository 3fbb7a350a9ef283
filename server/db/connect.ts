import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';

export type DatabaseKind = 'postgres' | 'pglite';
export type Unlisten = () => Promise<void>;

/**
 * The one handle every store receives. `knex` runs queries; `listen` receives
 * PostgreSQL NOTIFY payloads (send them with `notify`, inside the writing transaction,
 * so listeners only hear about committed work).
 */
export interface Database {
  knex: Knex;
  kind: DatabaseKind;
  listen(channel: string, onPayload: (payload: string) => void): Promise<Unlisten>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… for a server; omitted for the embedded database. */
  url?: string;
  /** Folder for the embedded database; 'memory' keeps it in RAM (tests). */
  dataDir?: string;
  poolMax?: number;
  /** A `dumpDataDir()` tarball to start the embedded database from (tests: a migrated template). */
  embeddedTemplate?: string;
}

// COUNT(*) and BIGINT ids come back as strings by default; every count we keep fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export async function notify(db: Knex | Knex.Transaction, channel: string, payload: string): Promise<void> {
  await db.raw('select pg_notify(?, ?)', [channel, payload]);
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.url
    ? openPostgres(opts.url, opts.poolMax ?? 20)
    : openEmbedded(opts.dataDir ?? 'memory', opts.embeddedTemplate);
}

async function openPostgres(url: string, poolMax: number): Promise<Database> {
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'tthc-platform' },
    pool: { min: 0, max: poolMax },
  });
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(p: string) => void>>();

  async function ensureListener(): Promise<pg.Client> {
    if (listener) return listener;
    const client = new pg.Client({ connectionString: url, application_name: 'tthc-listener' });
    await client.connect();
    client.on('notification', (n) => {
      for (const h of handlers.get(n.channel) ?? []) h(n.payload ?? '');
    });
    // A dropped listener connection must not crash the process; consumers also poll.
    client.on('error', () => { listener = null; });
    listener = client;
    return client;
  }

  return {
    knex,
    kind: 'postgres',
    async listen(channel, onPayload) {
      const client = await ensureListener();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(onPayload);
      return async () => { set!.delete(onPayload); };
    },
    async close() {
      await listener?.end().catch(() => undefined);
      listener = null;
      await knex.destroy();
    },
  };
}

async function openEmbedded(dataDir: string, template?: string): Promise<Database> {
  if (dataDir !== 'memory') fs.mkdirSync(dataDir, { recursive: true });
  const loadDataDir = template ? new Blob([fs.readFileSync(template)]) : undefined;
  // One options object: PGlite reads its second argument only when the first is a string, so an in-memory
  // database given `(undefined, options)` silently dropped the template, the parsers and the extensions.
  const pglite = new PGlite({
    dataDir: dataDir === 'memory' ? undefined : dataDir,
    loadDataDir,
    // Trigram search of applicant names (migration 0861); bundled with PGlite, nothing is downloaded.
    extensions: { pg_trgm },
    parsers: {
      [pgliteTypes.INT8]: (v: string) => Number(v),
      [pgliteTypes.NUMERIC]: (v: string) => Number(v),
    },
  });
  await pglite.waitReady;
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
  });
  return {
    knex,
    kind: 'pglite',
    async listen(channel, onPayload) {
      return pglite.listen(channel, onPayload);
    },
    async close() {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
