import type { Knex } from 'knex';
import { foldText, likeContains } from '../text/fold.js';
import type { Role } from './permissions.js';

export type Db = Knex | Knex.Transaction;

/** Rows as PostgreSQL returns them (migrations/0200_identity.ts); queries that alias columns state their result type. */
interface OrgUnitKindRow { id: string; name: string; rank: number }
interface OrgUnitRow { id: string; parent_id: string | null; name: string; name_folded: string; kind: string; level: number; created_at: Date }
interface UserRoleRow { user_id: string; role: Role; unit_id: string; title: string | null; created_at: Date }

/** A unit as the service sees it. */
export interface Unit {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  level: number;
}

interface RoleHeld { role: Role; unitId: string; unitName: string; title: string | null }

export interface Account {
  id: string;
  username: string;
  displayName: string;
  kind: 'user' | 'service';
  passwordHash: string | null;
  disabled: boolean;
}

interface ThrottleState { failures: number; lockedUntil: Date | null }
interface Session { userId: string; csrfToken: string; createdAt: Date; expiresAt: Date; lastSeenAt: Date }
interface TokenHead { id: string; userId: string; expiresAt: Date | null }
interface TokenListed { id: string; name: string; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null }

/** A user with their role assignments, as needed to build a Principal. */
export interface UserWithRoles extends Account { roles: RoleHeld[] }

const UNIT_COLS = ['id', 'parent_id as parentId', 'name', 'kind', 'level'];
const USER_COLS = ['u.id', 'u.username', 'u.display_name as displayName', 'u.kind', 'u.password_hash as passwordHash', 'u.disabled'];

// ---- units ---------------------------------------------------------------

export function listUnits(db: Db, q?: string): Promise<Unit[]> {
  const query = db('org_unit').select<Unit[]>(UNIT_COLS).orderBy([{ column: 'level' }, { column: 'id' }]);
  if (q) query.whereRaw("name_folded like ? escape '\\'", [likeContains(foldText(q))]);
  return query;
}

export async function getUnit(db: Db, id: string): Promise<Unit | undefined> {
  return db('org_unit').where({ id }).first<Unit | undefined>(UNIT_COLS);
}

export async function unitKinds(db: Db): Promise<Array<{ id: string; name: string; rank: number }>> {
  return db<OrgUnitKindRow>('org_unit_kind').select('id', 'name', 'rank').orderBy(['rank', 'id']);
}

export async function insertUnit(db: Db, u: { id: string; parentId: string | null; name: string; kind: string; level: number }): Promise<void> {
  await db('org_unit').insert({ id: u.id, parent_id: u.parentId, name: u.name, name_folded: foldText(u.name), kind: u.kind, level: u.level });
}

export async function updateUnit(db: Db, id: string, patch: { name?: string; kind?: string }): Promise<void> {
  const row: Record<string, unknown> = {};
  if (patch.name !== undefined) Object.assign(row, { name: patch.name, name_folded: foldText(patch.name) });
  if (patch.kind !== undefined) row.kind = patch.kind;
  if (Object.keys(row).length) await db('org_unit').where({ id }).update(row);
}

export async function unitInUse(db: Db, id: string): Promise<boolean> {
  const child = await db<OrgUnitRow>('org_unit').where({ parent_id: id }).first('id');
  const holder = await db<UserRoleRow>('user_role').where({ unit_id: id }).first('unit_id');
  return Boolean(child || holder);
}

export async function deleteUnit(db: Db, id: string): Promise<void> {
  await db('org_unit').where({ id }).delete();
}

/** The unit and every unit below it. */
export async function subtreeIds(db: Db, rootIds: string[]): Promise<string[]> {
  if (!rootIds.length) return [];
  const { rows } = await db.raw<{ rows: Array<{ id: string }> }>(
    `with recursive t(id) as (
       select id from org_unit where id = any(?::text[])
       union select u.id from org_unit u join t on u.parent_id = t.id
     ) select id from t order by id`,
    [rootIds],
  );
  return rows.map((r) => r.id);
}

/** The unit and its ancestors, nearest first. */
export async function ancestry(db: Db, id: string): Promise<Unit[]> {
  const { rows } = await db.raw<{ rows: Unit[] }>(
    `with recursive t as (
       select id, parent_id, name, kind, level from org_unit where id = ?
       union all select u.id, u.parent_id, u.name, u.kind, u.level from org_unit u join t on u.id = t.parent_id
     ) select id, parent_id as "parentId", name, kind, level from t order by level desc`,
    [id],
  );
  return rows;
}

// ---- users ---------------------------------------------------------------

export async function findUser(db: Db, username: string): Promise<Account | undefined> {
  return db('app_user as u').where('u.username', username.toLowerCase()).first<Account | undefined>(USER_COLS);
}

async function rolesOf(db: Db, userIds: string[]): Promise<Map<string, RoleHeld[]>> {
  const out = new Map<string, RoleHeld[]>();
  if (!userIds.length) return out;
  const rows = await db('user_role as r').join('org_unit as o', 'o.id', 'r.unit_id')
    .select<Array<RoleHeld & { userId: string }>>('r.user_id as userId', 'r.role', 'r.unit_id as unitId', 'o.name as unitName', 'r.title')
    .whereIn('r.user_id', userIds).orderBy(['r.unit_id', 'r.role']);
  for (const r of rows) {
    const list = out.get(r.userId) ?? [];
    list.push({ role: r.role, unitId: r.unitId, unitName: r.unitName, title: r.title });
    out.set(r.userId, list);
  }
  return out;
}

export async function userWithRoles(db: Db, where: { id?: string; username?: string }): Promise<UserWithRoles | undefined> {
  const q = db('app_user as u').select<Account[]>(USER_COLS);
  if (where.id) q.where('u.id', where.id);
  else q.where('u.username', (where.username ?? '').toLowerCase());
  const user = await q.first();
  if (!user) return undefined;
  return { ...user, roles: (await rolesOf(db, [user.id])).get(user.id) ?? [] };
}

export interface UserFilter { q?: string; unitId?: string; role?: string; limit: number; offset: number }

export async function listUsers(db: Db, f: UserFilter): Promise<{ total: number; items: UserWithRoles[] }> {
  const base = db('app_user as u');
  if (f.q) {
    const like = likeContains(foldText(f.q));
    base.where((w) => w.whereRaw("u.display_name_folded like ? escape '\\'", [like]).orWhereRaw("u.username like ? escape '\\'", [like]));
  }
  if (f.unitId || f.role) {
    base.whereExists((s) => {
      s.select(db.raw('1')).from('user_role as r').whereRaw('r.user_id = u.id');
      if (f.unitId) s.where('r.unit_id', f.unitId);
      if (f.role) s.where('r.role', f.role);
    });
  }
  const counted = await base.clone().count<Array<{ n: string | number }>>({ n: '*' });
  const users = await base.select<Account[]>(USER_COLS).orderBy('u.username').limit(f.limit).offset(f.offset);
  const roles = await rolesOf(db, users.map((u) => u.id));
  return { total: Number(counted[0]?.n ?? 0), items: users.map((u) => ({ ...u, roles: roles.get(u.id) ?? [] })) };
}

export async function insertUser(db: Db, u: { username: string; displayName: string; kind: 'user' | 'service'; passwordHash: string | null }): Promise<string> {
  const [row] = await db('app_user').insert({
    username: u.username.toLowerCase(),
    display_name: u.displayName,
    display_name_folded: foldText(u.displayName),
    kind: u.kind,
    password_hash: u.passwordHash,
    password_changed_at: u.passwordHash ? db.fn.now() : null,
  }).onConflict('username').ignore().returning<Array<{ id: string }>>('id');
  return row?.id ?? '';
}

export async function updateUser(db: Db, id: string, patch: { displayName?: string; disabled?: boolean; passwordHash?: string }): Promise<void> {
  const row: Record<string, unknown> = {};
  if (patch.displayName !== undefined) Object.assign(row, { display_name: patch.displayName, display_name_folded: foldText(patch.displayName) });
  if (patch.disabled !== undefined) row.disabled = patch.disabled;
  if (patch.passwordHash !== undefined) Object.assign(row, { password_hash: patch.passwordHash, password_changed_at: db.fn.now() });
  if (Object.keys(row).length) await db('app_user').where({ id }).update(row);
}

export async function addRole(db: Db, userId: string, role: Role, unitId: string, title: string | null): Promise<boolean> {
  const rows = await db('user_role').insert({ user_id: userId, role, unit_id: unitId, title })
    .onConflict(['user_id', 'role', 'unit_id']).ignore().returning('role');
  return rows.length > 0;
}

export async function removeRole(db: Db, userId: string, role: Role, unitId: string): Promise<boolean> {
  // RETURNING rather than the affected-row count: the embedded driver does not report counts.
  return (await db('user_role').where({ user_id: userId, role, unit_id: unitId }).delete().returning('role')).length > 0;
}

export async function holders(db: Db, role: string, unitIds: string[]): Promise<Array<{ username: string; unitId: string }>> {
  return db('user_role as r').join('app_user as u', 'u.id', 'r.user_id')
    .select<Array<{ username: string; unitId: string }>>('u.username', 'r.unit_id as unitId')
    .where('r.role', role).whereIn('r.unit_id', unitIds).andWhere('u.disabled', false)
    .orderBy(['r.unit_id', 'u.username']);
}

export async function hasSystemAdmin(db: Db): Promise<boolean> {
  return Boolean(await db<UserRoleRow>('user_role').where({ role: 'system-admin' }).first('user_id'));
}

// ---- throttle, sessions, tokens -------------------------------------------

export async function throttleState(db: Db, username: string): Promise<ThrottleState | undefined> {
  return db('login_throttle').where({ username }).first<ThrottleState | undefined>('failures', 'locked_until as lockedUntil');
}

export async function recordFailure(db: Db, username: string, maxFailures: number, lockMs: number): Promise<void> {
  // One statement so concurrent failures cannot lose a count.
  await db.raw(
    `insert into login_throttle (username, failures, updated_at) values (?, 1, now())
     on conflict (username) do update set
       failures = case when ${STALE} then 1 else login_throttle.failures + 1 end,
       updated_at = now(),
       locked_until = case when ${STALE} then null
                           when login_throttle.failures + 1 >= ? then now() + (? * interval '1 millisecond')
                           else login_throttle.locked_until end`,
    [username, lockMs, lockMs, maxFailures, lockMs],
  );
}

/** A count is stale when its last failure is older than the window or its lock has lapsed: it starts again. */
const STALE = `(login_throttle.updated_at < now() - (? * interval '1 millisecond') or login_throttle.locked_until < now())`;

/** Throttle rows whose last failure is older than the window and that hold no lock. */
export async function purgeThrottle(db: Db, windowMs: number): Promise<number> {
  return (await db('login_throttle')
    .where('updated_at', '<', db.raw(`now() - (? * interval '1 millisecond')`, [windowMs]))
    .where((w) => w.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
    .delete().returning('username')).length;
}

export async function clearFailures(db: Db, username: string): Promise<void> {
  await db('login_throttle').where({ username }).delete();
}

export async function insertSession(db: Db, s: { id: string; userId: string; csrfToken: string; expiresAt: Date; ip: string | undefined }): Promise<void> {
  await db('auth_session').insert({ id: s.id, user_id: s.userId, csrf_token: s.csrfToken, expires_at: s.expiresAt, ip: s.ip ?? null });
}

export async function findSession(db: Db, id: string): Promise<Session | undefined> {
  return db('auth_session').where({ id })
    .first<Session | undefined>('user_id as userId', 'csrf_token as csrfToken', 'created_at as createdAt', 'expires_at as expiresAt', 'last_seen_at as lastSeenAt');
}

export async function touchSession(db: Db, id: string, expiresAt: Date): Promise<void> {
  await db('auth_session').where({ id }).update({ last_seen_at: db.fn.now(), expires_at: expiresAt });
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db('auth_session').where({ id }).delete();
}

export async function deleteSessionsOf(db: Db, userId: string): Promise<void> {
  await db('auth_session').where({ user_id: userId }).delete();
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  return (await db('auth_session').where('expires_at', '<', db.fn.now()).delete().returning('id')).length;
}

export async function insertToken(db: Db, t: { userId: string; name: string; tokenHash: string; expiresAt: Date | null }): Promise<string> {
  const [row] = await db('api_token').insert({ user_id: t.userId, name: t.name, token_hash: t.tokenHash, expires_at: t.expiresAt }).returning<Array<{ id: string }>>('id');
  return row!.id;
}

export async function findToken(db: Db, tokenHash: string): Promise<TokenHead | undefined> {
  return db('api_token').where({ token_hash: tokenHash }).whereNull('revoked_at')
    .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))
    .first<TokenHead | undefined>('id', 'user_id as userId', 'expires_at as expiresAt');
}

export async function listTokens(db: Db, userId: string): Promise<TokenListed[]> {
  return db('api_token').select<TokenListed[]>('id', 'name', 'created_at as createdAt', 'expires_at as expiresAt', 'revoked_at as revokedAt')
    .where({ user_id: userId }).orderBy('created_at');
}

export async function revokeToken(db: Db, userId: string, id: string): Promise<boolean> {
  return (await db('api_token').where({ user_id: userId, id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() }).returning('id')).length > 0;
}
