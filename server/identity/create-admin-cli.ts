import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { runMigrations } from '../db/migrate.js';
import { createIdentityService } from './service.js';

/**
 * `npm run create-admin -- --username ten.dang.nhap [--display-name "…"]`, password from
 * ADMIN_PASSWORD (kept out of shell history and process lists). Creates the first
 * system administrator; refuses when one exists already.
 */
const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    'display-name': { type: 'string', default: 'Quản trị hệ thống' },
  },
});
const config = loadConfig();
const username = values.username ?? config.adminUsername;
const password = config.adminPassword;
if (!username || !password) {
  console.error('usage: ADMIN_PASSWORD=… npm run create-admin -- --username <name> [--display-name "…"]');
  process.exit(2);
}
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  await runMigrations(db.knex);
  const result = await createIdentityService({ knex: db.knex }).ensureAdmin(username, password, values['display-name']);
  console.log(result === 'created' ? `Created system administrator ${username}.` : 'A system administrator already exists; nothing changed.');
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
