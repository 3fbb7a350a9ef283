import knexFactory, { type Knex } from 'knex';

/**
 * The least-privilege application role: the platform connects as a role that owns its own database
 * and nothing else — not a superuser (a superuser can switch the audit triggers off unseen with
 * `session_replication_role = replica`), cannot create roles, replicate or bypass row security.
 * It owns the tables its migrations create, so it can run them at start-up; dropping or disabling
 * an audit trigger is the owner's only way round the append-only trail, and `npm run audit:verify`
 * reports a missing trigger.
 *
 * `createdb`: only for a test runner (each test file gets a database of its own); never in production.
 */
export interface AppRoleInput {
  /** A connection with CREATEROLE (a superuser, or the cloud provider's admin role). */
  adminUrl: string;
  role: string;
  password: string;
  database: string;
  createdb?: boolean;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `format(%I, %L)` server-side: identifiers and the password are quoted by PostgreSQL itself. */
async function exec(k: Knex, template: string, ...args: string[]): Promise<void> {
  const { rows } = await k.raw(`select format(?, ${args.map(() => '?::text').join(', ')}) as sql`, [template, ...args]) as { rows: Array<{ sql: string }> };
  await k.raw(rows[0]!.sql);
}

export async function ensureAppRole(input: AppRoleInput): Promise<{ url: string; created: { role: boolean; database: boolean } }> {
  if (!NAME.test(input.role)) throw new Error(`role name must match ${NAME}`);
  if (!NAME.test(input.database)) throw new Error(`database name must match ${NAME}`);
  if (input.password.length < 16) throw new Error('the application role needs a password of at least 16 characters');
  const attrs = `login nosuperuser ${input.createdb ? 'createdb' : 'nocreatedb'} nocreaterole noreplication nobypassrls inherit`;
  const admin = knexFactory({ client: 'pg', connection: input.adminUrl, pool: { min: 0, max: 1 } });
  const created = { role: false, database: false };
  try {
    const role = await admin.raw('select 1 from pg_roles where rolname = ?', [input.role]) as { rows: unknown[] };
    created.role = !role.rows.length;
    // Existing role: the same attributes again, which also takes back any it should not have.
    await exec(admin, `${created.role ? 'create' : 'alter'} role %I with ${attrs} password %L`, input.role, input.password);
    const db = await admin.raw('select 1 from pg_database where datname = ?', [input.database]) as { rows: unknown[] };
    created.database = !db.rows.length;
    if (created.database) await exec(admin, 'create database %I owner %I', input.database, input.role);
    else await exec(admin, 'alter database %I owner to %I', input.database, input.role);
    await exec(admin, 'revoke connect, temporary on database %I from public', input.database);
  } finally {
    await admin.destroy();
  }
  // Inside the database: the role owns the schema and every object an earlier superuser install created.
  const url = new URL(input.adminUrl);
  url.pathname = `/${input.database}`;
  const inDb = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  try {
    await exec(inDb, 'alter schema public owner to %I', input.role);
    const owned = await inDb.raw(`
      select format('alter %s %s owner to %I', kind, obj, ?::text) as sql from (
        select case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as kind,
               format('%I.%I', n.nspname, c.relname) as obj, c.relowner as owner
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p', 'S', 'v', 'm')
           and not (c.relkind = 'S' and exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i')))
        union all
        select case p.prokind when 'p' then 'procedure' else 'function' end, p.oid::regprocedure::text, p.proowner
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'
      ) x where owner <> (select oid from pg_roles where rolname = ?)`, [input.role, input.role]) as { rows: Array<{ sql: string }> };
    for (const r of owned.rows) await inDb.raw(r.sql);
  } finally {
    await inDb.destroy();
  }
  const appUrl = new URL(url.toString());
  appUrl.username = input.role;
  appUrl.password = '';
  return { url: appUrl.toString(), created };
}
