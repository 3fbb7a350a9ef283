import fs from 'node:fs';
import { openDatabase } from '../../server/db/connect.js';
import { runMigrations } from '../../server/db/migrate.js';

/** Writes a migrated embedded-database tarball to the path given as the first argument. */
const file = process.argv[2];
if (!file) throw new Error('usage: make-template.ts <output.tar>');
const db = await openDatabase({ dataDir: 'memory' });
await runMigrations(db.knex);
const pglite = (db.knex.client as unknown as { pglite: { dumpDataDir(c: 'none'): Promise<Blob> } }).pglite;
fs.writeFileSync(file, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
await db.close();
process.exit(0);
