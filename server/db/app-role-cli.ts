import { parseArgs } from 'node:util';
import { ensureAppRole } from './app-role.js';

/**
 * `APP_DB_PASSWORD=… DATABASE_URL=postgres://postgres@host/postgres npm run db:app-role -- [--role tthc_app] [--database tthc] [--createdb]`
 * Creates (or brings back to least privilege) the role the platform connects as, and its database;
 * prints the DATABASE_URL to run the platform with. Idempotent. DATABASE_URL here is an admin
 * connection (CREATEROLE), used only for this. `--createdb` is for test runners only.
 */
const { values } = parseArgs({
  options: {
    role: { type: 'string', default: process.env.APP_DB_ROLE ?? 'tthc_app' },
    database: { type: 'string', default: process.env.APP_DB_NAME ?? 'tthc' },
    createdb: { type: 'boolean', default: false },
  },
});
const adminUrl = process.env.DATABASE_URL;
const password = process.env.APP_DB_PASSWORD;
if (!adminUrl || !password) {
  console.error('usage: APP_DB_PASSWORD=… DATABASE_URL=<admin connection> npm run db:app-role -- [--role tthc_app] [--database tthc] [--createdb]');
  process.exit(2);
}
try {
  const out = await ensureAppRole({ adminUrl, role: values.role, password, database: values.database, createdb: values.createdb });
  console.log(`${out.created.role ? 'Created' : 'Updated'} role ${values.role} (not a superuser${values.createdb ? ', may create databases' : ''}); database ${values.database} ${out.created.database ? 'created' : 'kept'}, owned by it.`);
  const shown = new URL(out.url);
  shown.password = 'APP_DB_PASSWORD';
  console.log(`Run the platform with DATABASE_URL=${shown.toString()}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
