import crypto from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import knexFactory from 'knex';
import { ensureAppRole } from '../../server/db/app-role.js';
import { runMigrations } from '../../server/db/migrate.js';

/**
 * The platform connects as a least-privilege role (README, "Database role"): not a superuser, so
 * `session_replication_role = replica` — which would silence the audit triggers unseen — is refused.
 * With a superuser connection the test creates such a role; when the suite itself already runs as
 * the application role (CI), it checks that role.
 */
const serverUrl = process.env.DATABASE_URL;

describe('the application database role', () => {
  it('refuses unsafe names and short passwords before connecting', async () => {
    const base = { adminUrl: 'postgres://nobody@127.0.0.1:1/x', database: 'tthc', password: 'p'.repeat(20) };
    await expect(ensureAppRole({ ...base, role: 'x; drop role postgres' })).rejects.toThrow(/role name/);
    await expect(ensureAppRole({ ...base, role: 'tthc_app', database: 'a"b' })).rejects.toThrow(/database name/);
    await expect(ensureAppRole({ ...base, role: 'tthc_app', password: 'short' })).rejects.toThrow(/16 characters/);
  });

  if (serverUrl) {
    it('is no superuser: it runs the migrations, owns its tables, and cannot switch the audit triggers off unseen', async () => {
      const probe = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
      const me = (await probe.raw('select rolsuper, rolcreaterole from pg_roles where rolname = current_user')).rows[0] as { rolsuper: boolean; rolcreaterole: boolean };
      await probe.destroy();
      let appUrl = serverUrl;
      let cleanup = async () => undefined as unknown;
      if (me.rolsuper || me.rolcreaterole) {
        const suffix = crypto.randomBytes(4).toString('hex');
        const role = `tthc_app_${suffix}`;
        const database = `tthc_role_${suffix}`;
        const password = crypto.randomBytes(18).toString('base64url');
        const out = await ensureAppRole({ adminUrl: serverUrl, role, database, password });
        expect(out.created).toEqual({ role: true, database: true });
        // Idempotent: run again, nothing new.
        expect((await ensureAppRole({ adminUrl: serverUrl, role, database, password })).created).toEqual({ role: false, database: false });
        const u = new URL(out.url);
        u.password = password;
        appUrl = u.toString();
        cleanup = async () => {
          const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
          await admin.raw(`drop database if exists ${database} with (force)`);
          await admin.raw(`drop role if exists ${role}`);
          await admin.destroy();
        };
      }
      const app = knexFactory({ client: 'pg', connection: appUrl, pool: { min: 0, max: 1 } });
      try {
        const role = (await app.raw('select rolsuper, rolcreaterole, rolbypassrls from pg_roles where rolname = current_user')).rows[0];
        expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolbypassrls: false });
        await expect(app.raw('set session_replication_role = replica')).rejects.toMatchObject({ code: '42501' });
        if (me.rolsuper || me.rolcreaterole) {
          await runMigrations(app);
          const owner = (await app.raw("select tableowner from pg_tables where tablename = 'audit_log'")).rows[0].tableowner;
          expect(owner).toBe((await app.raw('select current_user as u')).rows[0].u);
          await app('audit_log').insert({ seq: 1, at: new Date(), action: 'probe', outcome: 'ok', prev_hash: '0', hash: '1' });
          await expect(app.raw('update audit_log set action = ?', ['edited'])).rejects.toMatchObject({ code: '42501' });
        }
      } finally {
        await app.destroy();
        await cleanup();
      }
    });
  }
});
