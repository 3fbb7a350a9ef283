import { loadConfig } from '../config.js';
import { openDatabase } from './connect.js';
import { runMigrations } from './migrate.js';

const config = loadConfig();
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  const applied = await runMigrations(db.knex);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
} finally {
  await db.close();
}
