import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { notify, type Unlisten } from '../db/connect.js';
import { onField } from '../http/errors.js';
import type { Principal } from '../http/policy.js';
import { hashPassword, passwordProblems, verifyPassword } from './password.js';
import { permissionsOf, ROLES, type Role } from './permissions.js';
import { createPrincipalCache, IDENTITY_CHANNEL, parseChange, type CachedPrincipal, type IdentityChange } from './principal-cache.js';
import * as store from './store.js';
import { createSourceLimiter, plausibleCredentials } from './credential-limits.js';
import { identityError, passwordProblemsText, passwordRefused, tooManyFromSource } from './messages.js';

export type RoleHoldersChanged = (trx: Knex.Transaction, change: { roles: string[]; unitIds: string[] }) => Promise<void>;

export interface IdentityOptions {
  knex: Knex;
  /** Called inside the same transaction whenever who holds a role in a unit changes (re-approval trigger). */
  onRoleHoldersChanged?: RoleHoldersChanged;
  /** A session ends after this much inactivity… */
  sessionIdleMs?: number;
  /** …and after this long in any case. */
  sessionMaxMs?: number;
  maxFailures?: number;
  lockMs?: number;
  /** Failed credential checks per source address within lockMs before it gets 429 (default 30). */
  failuresPerSource?: number;
  /**
   * Subscribes to NOTIFY (the `Database.listen` of server/db/connect.ts) so every node drops
   * cached principals as soon as any node logs someone out or changes their password or roles.
   */
  listen?: (channel: string, onPayload: (payload: string) => void) => Promise<Unlisten>;
  /** How long a resolved principal is reused without a query (default 5 s). */
  principalTtlMs?: number;
  /** The clock for session expiry (tests). */
  now?: () => number;
}

export interface UserView {
  /** Stable id: what versions record as their author (the UI's four-eyes check compares it). */
  id: string;
  username: string;
  displayName: string;
  kind: 'user' | 'service';
  disabled: boolean;
  roles: Array<{ role: Role; unitId: string; unitName: string; title: string | null }>;
}

export interface LoginResult { token: string; csrfToken: string; expiresAt: Date; user: UserView }

export const invalidCredentials = () =>
  identityError(401, 'InvalidCredentials', 'identity.invalidCredentials');

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const randomToken = () => crypto.randomBytes(32).toString('base64url');
/** Roles that see every unit: administration, read-only inspection and machine accounts. */
const SEE_ALL: ReadonlySet<Role> = new Set(['system-admin', 'inspector', 'service']);
/** Kinds whose people's committee an approver in one of its offices works for. */
const COMMITTEE_KINDS = new Set(['province', 'district', 'commune']);

export function toView(u: store.UserWithRoles): UserView {
  return { id: u.id, username: u.username, displayName: u.displayName, kind: u.kind, disabled: u.disabled, roles: u.roles };
}

export function toPrincipal(u: store.UserWithRoles, sessionId?: string): Principal {
  const roles = u.roles.map((r) => ({ role: r.role, unitId: r.unitId }));
  return {
    kind: u.kind,
    userId: u.id,
    username: u.username,
    displayName: u.displayName,
    roles,
    permissions: permissionsOf(roles.map((r) => r.role)),
    ...(sessionId ? { sessionId } : {}),
  };
}

export function holdsRoleInUnit(principal: Pick<Principal, 'roles'>, role: Role, unitId: string): boolean {
  return principal.roles.some((r) => r.role === role && r.unitId === unitId);
}

export type IdentityService = ReturnType<typeof createIdentityService>;

export function createIdentityService(opts: IdentityOptions) {
  const { knex } = opts;
  const idleMs = opts.sessionIdleMs ?? 2 * 3600_000;
  const maxMs = opts.sessionMaxMs ?? 12 * 3600_000;
  const maxFailures = opts.maxFailures ?? 5;
  const lockMs = opts.lockMs ?? 15 * 60_000;
  // Basic auth arrives on every worker poll; argon2 per poll would eat the CPU.
  const basicCache = new LRUCache<string, { userId: string; passwordHash: string }>({ max: 1000, ttl: 5 * 60_000 });
  const clock = opts.now ?? Date.now;
  const principals = createPrincipalCache(opts.principalTtlMs ?? 5_000);
  // Bumped by every invalidation: a lookup that read the database before a change committed
  // must not put its stale result into the cache after the change was announced.
  let generation = 0;
  const invalidate = (change: IdentityChange) => { generation++; principals.invalidate(change); };
  const cacheIfCurrent = (gen: number, key: string, entry: CachedPrincipal) => { if (gen === generation) principals.set(key, entry); };
  const unlisten = opts.listen?.(IDENTITY_CHANNEL, (payload) => invalidate(parseChange(payload))).catch(() => undefined);

  /** Tells every node (NOTIFY commits with the transaction) and this one at once. */
  async function announce(db: Knex | Knex.Transaction, change: IdentityChange): Promise<void> {
    invalidate(change);
    await notify(db, IDENTITY_CHANNEL, JSON.stringify(change));
  }

  let onRoleHoldersChanged = opts.onRoleHoldersChanged;
  async function rolesChanged(trx: Knex.Transaction, roles: string[], unitIds: string[]): Promise<void> {
    if (onRoleHoldersChanged && roles.length) await onRoleHoldersChanged(trx, { roles: [...new Set(roles)], unitIds: [...new Set(unitIds)] });
  }

  const sources = createSourceLimiter({ limit: opts.failuresPerSource, windowMs: lockMs, now: clock });

  /**
   * The lock is per account AND source address: guesses from one address lock that address out
   * of that account, never the account itself (a worker polling from its own host keeps working).
   * Failures older than the lock window are forgotten, and a lapsed lock starts the count afresh.
   */
  async function checkPassword(username: string, password: string, ip?: string): Promise<store.UserWithRoles> {
    const fromSource = sources.retryAfter(ip);
    if (fromSource) throw tooManyFromSource(fromSource);
    if (!plausibleCredentials(username, password)) {
      sources.fail(ip);
      throw invalidCredentials();
    }
    const name = username.trim().toLowerCase();
    const key = `${name}|${ip ?? '?'}`;
    const t = await store.throttleState(knex, key);
    if (t?.lockedUntil && new Date(t.lockedUntil) > new Date()) {
      const retry = Math.ceil((new Date(t.lockedUntil).getTime() - Date.now()) / 1000);
      throw identityError(429, 'LoginLocked', 'identity.loginLocked', { retry }, { retryAfterSeconds: retry });
    }
    const user = await store.userWithRoles(knex, { username: name });
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok || user.disabled) {
      sources.fail(ip);
      await store.recordFailure(knex, key, maxFailures, lockMs);
      throw invalidCredentials();
    }
    if (t) await store.clearFailures(knex, key);
    return user;
  }

  function sessionExpiry(createdAt: Date): Date {
    return new Date(Math.min(clock() + idleMs, createdAt.getTime() + maxMs));
  }

  const service = {
    /** For a composition root that builds the lifecycle after identity: same effect as the option. */
    setRoleHoldersChanged(fn: RoleHoldersChanged | undefined): void {
      onRoleHoldersChanged = fn;
    },

    async login(username: string, password: string, ip?: string): Promise<LoginResult> {
      const user = await checkPassword(username, password, ip);
      if (user.kind !== 'user') throw invalidCredentials();
      const token = randomToken();
      const csrfToken = randomToken();
      const expiresAt = sessionExpiry(new Date(clock()));
      await store.insertSession(knex, { id: sha256(token), userId: user.id, csrfToken, expiresAt, ip });
      return { token, csrfToken, expiresAt, user: toView(user) };
    },

    async logout(sessionId: string): Promise<void> {
      await knex.transaction(async (trx) => {
        await store.deleteSession(trx, sessionId);
        await announce(trx, { sessionId });
      });
      invalidate({ sessionId });
    },

    /**
     * The principal behind a session cookie, or undefined when it is unknown or expired.
     * A cached session still has its expiry checked on every request; at the boundary it is
     * re-read, since another node may have slid it forward.
     */
    async fromSession(token: string): Promise<{ principal: Principal; csrfToken: string } | undefined> {
      const id = sha256(token);
      const key = `s:${id}`;
      const now = clock();
      let c = principals.get(key);
      if (c && c.expiresAt! <= now) {
        principals.delete(key);
        c = undefined;
      }
      if (!c) {
        const gen = generation;
        const s = await store.findSession(knex, id);
        if (!s) return undefined;
        if (new Date(s.expiresAt).getTime() <= now) {
          await store.deleteSession(knex, id);
          return undefined;
        }
        const user = await store.userWithRoles(knex, { id: s.userId });
        if (!user || user.disabled) return undefined;
        c = {
          principal: toPrincipal(user, id), userId: user.id, sessionId: id, csrfToken: s.csrfToken,
          createdAt: new Date(s.createdAt).getTime(), expiresAt: new Date(s.expiresAt).getTime(), lastSeenAt: new Date(s.lastSeenAt).getTime(),
        };
        cacheIfCurrent(gen, key, c);
      }
      // Sliding expiry, written at most once a minute per session (not per request).
      if (now - c.lastSeenAt! > 60_000) {
        const expiresAt = sessionExpiry(new Date(c.createdAt!));
        c.lastSeenAt = now;
        c.expiresAt = expiresAt.getTime();
        await store.touchSession(knex, id, expiresAt);
      }
      return { principal: c.principal, csrfToken: c.csrfToken! };
    },

    async fromBasic(username: string, password: string, ip?: string): Promise<Principal> {
      const key = sha256(`${username}\u0000${password}`);
      const cached = principals.get(`b:${key}`);
      if (cached) return cached.principal;
      const gen = generation;
      let user: store.UserWithRoles | undefined;
      const hit = basicCache.get(key);
      if (hit) {
        const u = await store.userWithRoles(knex, { id: hit.userId });
        if (u && !u.disabled && u.passwordHash === hit.passwordHash) user = u;
        else basicCache.delete(key);
      }
      if (!user) {
        user = await checkPassword(username, password, ip);
        basicCache.set(key, { userId: user.id, passwordHash: user.passwordHash! });
      }
      const principal = toPrincipal(user);
      cacheIfCurrent(gen, `b:${key}`, { principal, userId: user.id });
      return principal;
    },

    async fromApiToken(token: string): Promise<Principal | undefined> {
      const hash = sha256(token);
      const key = `t:${hash}`;
      const cached = principals.get(key);
      if (cached && (cached.expiresAt === undefined || cached.expiresAt > clock())) return cached.principal;
      principals.delete(key);
      const gen = generation;
      const t = await store.findToken(knex, hash);
      if (!t || (t.expiresAt && new Date(t.expiresAt).getTime() <= clock())) return undefined;
      const user = await store.userWithRoles(knex, { id: t.userId });
      if (!user || user.disabled) return undefined;
      const principal = toPrincipal(user);
      cacheIfCurrent(gen, key, { principal, userId: user.id, ...(t.expiresAt ? { expiresAt: new Date(t.expiresAt).getTime() } : {}) });
      return principal;
    },

    /** Stops listening for other nodes' changes (shutdown). */
    async close(): Promise<void> {
      const u = await unlisten;
      await u?.();
    },

    async me(principal: Principal): Promise<UserView> {
      const u = await store.userWithRoles(knex, { id: principal.userId });
      if (!u) throw identityError(404, 'NotFound', 'identity.sessionUserGone');
      return toView(u);
    },

    async changeOwnPassword(principal: Principal, current: string, next: string): Promise<void> {
      const u = await store.userWithRoles(knex, { id: principal.userId });
      if (!u || !(await verifyPassword(u.passwordHash, current))) throw invalidCredentials();
      const problems = passwordProblems(next, u.username);
      if (problems.length) throw passwordRefused('body.newPassword', problems);
      const hash = await hashPassword(next);
      await knex.transaction(async (trx) => {
        await store.updateUser(trx, u.id, { passwordHash: hash });
        await store.deleteSessionsOf(trx, u.id);
        await announce(trx, { userId: u.id });
      });
      invalidate({ userId: u.id });
    },

    // ---- scoping helpers for other capabilities ----------------------------

    /** Units whose tasks and dossiers the principal may see: 'all', or own units (leaders: plus sub-units). */
    async visibleUnitIds(principal: Pick<Principal, 'roles'>): Promise<string[] | 'all'> {
      if (principal.roles.some((r) => SEE_ALL.has(r.role))) return 'all';
      const own = [...new Set(principal.roles.map((r) => r.unitId))];
      const led = [...new Set(principal.roles.filter((r) => r.role === 'leader').map((r) => r.unitId))];
      const below = await store.subtreeIds(knex, led);
      return [...new Set([...own, ...below])].sort();
    },

    holdsRoleInUnit,

    /** Process owners draft for the unit they hold the role in, and its sub-units. */
    async canDraftFor(principal: Pick<Principal, 'roles'>, unitId: string): Promise<boolean> {
      if (principal.roles.some((r) => r.role === 'system-admin')) return true;
      const mine = principal.roles.filter((r) => r.role === 'process-owner').map((r) => r.unitId);
      return (await store.subtreeIds(knex, mine)).includes(unitId);
    },

    /**
     * Approvers work for a people's committee: an approver held in an office of the
     * province (vp-ubnd) approves for the whole province; one in a commune, for that commune.
     * The author of a version can never approve it (four-eyes).
     */
    async canApprove(principal: Pick<Principal, 'roles' | 'username'>, target: { unitId: string; authorUsername: string }): Promise<{ ok: boolean; reason?: string }> {
      if (principal.username.toLowerCase() === target.authorUsername.toLowerCase()) {
        return { ok: false, reason: 'identity.authorCannotApprove' };
      }
      if (principal.roles.some((r) => r.role === 'system-admin')) return { ok: true };
      const roots: string[] = [];
      for (const r of principal.roles.filter((x) => x.role === 'approver')) {
        const chain = await store.ancestry(knex, r.unitId);
        const committee = chain.find((u) => COMMITTEE_KINDS.has(u.kind)); // nearest first
        roots.push(committee?.id ?? r.unitId);
      }
      const scope = await store.subtreeIds(knex, roots);
      return scope.includes(target.unitId)
        ? { ok: true }
        : { ok: false, reason: 'identity.outsideApprovalScope' };
    },

    /**
     * A BPMN candidate group resolves to usernames. `specialist` → holders of that role in the
     * dossier's unit; `approver@vp-ubnd` → holders in the named unit, whatever the dossier.
     */
    async candidateUsers(group: string, dossierUnitId: string): Promise<string[]> {
      const [role, fixedUnit] = group.split('@') as [string, string | undefined];
      const rows = await store.holders(knex, role, [fixedUnit ?? dossierUnitId]);
      return rows.map((r) => r.username);
    },

    async roleHolders(role: Role, unitIds: string[]) {
      return store.holders(knex, role, unitIds);
    },

    // ---- organisation -------------------------------------------------------

    listUnits: (q?: string) => store.listUnits(knex, q),
    unitKinds: () => store.unitKinds(knex),
    async getUnit(id: string) {
      const u = await store.getUnit(knex, id);
      if (!u) throw identityError(404, 'NotFound', 'identity.noUnit', { id });
      return u;
    },
    subtreeIds: (ids: string[]) => store.subtreeIds(knex, ids),

    async createUnit(input: { id: string; parentId: string | null; name: string; kind: string }): Promise<store.Unit> {
      return knex.transaction(async (trx) => {
        if (await store.getUnit(trx, input.id)) throw identityError(409, 'Conflict', 'identity.unitExists', { id: input.id });
        if (!(await store.unitKinds(trx)).some((k) => k.id === input.kind)) throw onField(identityError(400, 'InvalidRequestException', 'identity.unknownKind', { kind: input.kind }), 'body.kind');
        let level = 0;
        if (input.parentId) {
          const parent = await store.getUnit(trx, input.parentId);
          if (!parent) throw onField(identityError(400, 'InvalidRequestException', 'identity.unknownParent', { id: input.parentId }), 'body.parentId');
          level = parent.level + 1;
        }
        await store.insertUnit(trx, { ...input, level });
        return (await store.getUnit(trx, input.id))!;
      });
    },

    async updateUnit(id: string, patch: { name?: string; kind?: string }): Promise<store.Unit> {
      return knex.transaction(async (trx) => {
        if (!(await store.getUnit(trx, id))) throw identityError(404, 'NotFound', 'identity.noUnit', { id });
        if (patch.kind && !(await store.unitKinds(trx)).some((k) => k.id === patch.kind)) throw onField(identityError(400, 'InvalidRequestException', 'identity.unknownKind', { kind: patch.kind }), 'body.kind');
        await store.updateUnit(trx, id, patch);
        return (await store.getUnit(trx, id))!;
      });
    },

    async deleteUnit(id: string): Promise<void> {
      await knex.transaction(async (trx) => {
        if (!(await store.getUnit(trx, id))) throw identityError(404, 'NotFound', 'identity.noUnit', { id });
        if (await store.unitInUse(trx, id)) throw identityError(409, 'Conflict', 'identity.unitInUse');
        await store.deleteUnit(trx, id);
      });
    },

    // ---- users and roles ----------------------------------------------------

    listUsers: (f: store.UserFilter) => store.listUsers(knex, f).then((r) => ({ total: r.total, items: r.items.map(toView) })),

    async getUser(username: string): Promise<UserView> {
      const u = await store.userWithRoles(knex, { username });
      if (!u) throw identityError(404, 'NotFound', 'identity.noUser', { username });
      return toView(u);
    },

    async createUser(input: { username: string; displayName: string; kind: 'user' | 'service'; password?: string; roles?: Array<{ role: Role; unitId: string; title?: string }> }): Promise<UserView> {
      let hash: string | null = null;
      if (input.password !== undefined) {
        const problems = passwordProblems(input.password, input.username);
        if (problems.length) throw passwordRefused('body.password', problems);
        hash = await hashPassword(input.password);
      }
      await knex.transaction(async (trx) => {
        const id = await store.insertUser(trx, { username: input.username, displayName: input.displayName, kind: input.kind, passwordHash: hash });
        if (!id) throw identityError(409, 'Conflict', 'identity.usernameExists', { username: input.username });
        for (const r of input.roles ?? []) {
          if (!(await store.getUnit(trx, r.unitId))) throw onField(identityError(400, 'InvalidRequestException', 'identity.noUnit', { id: r.unitId }), 'body.roles.unitId');
          await store.addRole(trx, id, r.role, r.unitId, r.title ?? null);
        }
        await rolesChanged(trx, (input.roles ?? []).map((r) => r.role), (input.roles ?? []).map((r) => r.unitId));
      });
      return service.getUser(input.username);
    },

    async updateUser(username: string, patch: { displayName?: string; disabled?: boolean; password?: string }): Promise<UserView> {
      const u = await store.userWithRoles(knex, { username });
      if (!u) throw identityError(404, 'NotFound', 'identity.noUser', { username });
      let passwordHash: string | undefined;
      if (patch.password !== undefined) {
        const problems = passwordProblems(patch.password, u.username);
        if (problems.length) throw passwordRefused('body.password', problems);
        passwordHash = await hashPassword(patch.password);
      }
      await knex.transaction(async (trx) => {
        await store.updateUser(trx, u.id, { displayName: patch.displayName, disabled: patch.disabled, passwordHash });
        if (patch.disabled || passwordHash) await store.deleteSessionsOf(trx, u.id);
        await announce(trx, { userId: u.id });
        // Disabling or re-enabling someone changes who can take a role's tasks.
        if (patch.disabled !== undefined && patch.disabled !== u.disabled) {
          await rolesChanged(trx, u.roles.map((r) => r.role), u.roles.map((r) => r.unitId));
        }
      });
      invalidate({ userId: u.id });
      return service.getUser(username);
    },

    async assignRole(username: string, role: Role, unitId: string, title?: string): Promise<UserView> {
      let userId = '';
      await knex.transaction(async (trx) => {
        const u = await store.findUser(trx, username);
        if (!u) throw identityError(404, 'NotFound', 'identity.noUser', { username });
        if (!(await store.getUnit(trx, unitId))) throw onField(identityError(400, 'InvalidRequestException', 'identity.noUnit', { id: unitId }), 'body.unitId');
        if (await store.addRole(trx, u.id, role, unitId, title ?? null)) await rolesChanged(trx, [role], [unitId]);
        await announce(trx, { userId: u.id });
        userId = u.id;
      });
      invalidate({ userId });
      return service.getUser(username);
    },

    async removeRole(username: string, role: Role, unitId: string): Promise<UserView> {
      let userId = '';
      await knex.transaction(async (trx) => {
        const u = await store.findUser(trx, username);
        if (!u) throw identityError(404, 'NotFound', 'identity.noUser', { username });
        if (!(await store.removeRole(trx, u.id, role, unitId))) throw identityError(404, 'NotFound', 'identity.noSuchRole', { username, role, unit: unitId });
        await rolesChanged(trx, [role], [unitId]);
        await announce(trx, { userId: u.id });
        userId = u.id;
      });
      invalidate({ userId });
      return service.getUser(username);
    },

    async createApiToken(username: string, name: string, expiresAt: Date | null): Promise<{ id: string; token: string }> {
      const u = await store.findUser(knex, username);
      if (!u) throw identityError(404, 'NotFound', 'identity.noUser', { username });
      const token = `tthc_${randomToken()}`;
      const id = await store.insertToken(knex, { userId: u.id, name, tokenHash: sha256(token), expiresAt });
      return { id, token };
    },

    async listApiTokens(username: string) {
      const u = await store.findUser(knex, username);
      if (!u) throw identityError(404, 'NotFound', 'identity.noUser', { username });
      return store.listTokens(knex, u.id);
    },

    async revokeApiToken(username: string, id: string): Promise<void> {
      const u = await store.findUser(knex, username);
      await knex.transaction(async (trx) => {
        if (!u || !(await store.revokeToken(trx, u.id, id))) throw identityError(404, 'NotFound', 'identity.noToken');
        await announce(trx, { userId: u.id });
      });
      invalidate({ userId: u!.id });
    },

    /** Outside demo mode the first administrator comes from the environment or the CLI. */
    async ensureAdmin(username: string, password: string, displayName = 'Quản trị hệ thống'): Promise<'created' | 'exists'> {
      if (await store.hasSystemAdmin(knex)) return 'exists';
      const problems = passwordProblems(password, username);
      if (problems.length) throw new Error(`ADMIN_PASSWORD rejected: ${passwordProblemsText(problems)}`);
      const roots = (await store.listUnits(knex)).filter((u) => !u.parentId);
      const unitId = roots[0]?.id ?? 'root';
      if (!roots.length) await store.insertUnit(knex, { id: 'root', parentId: null, name: 'Đơn vị gốc', kind: 'province', level: 0 });
      await service.createUser({ username, displayName, kind: 'user', password, roles: [{ role: 'system-admin', unitId }] });
      return 'created';
    },

    deleteExpiredSessions: () => store.deleteExpiredSessions(knex),

    /** An address over its failure limit: seconds to wait, else 0 (authenticate answers 429). */
    sourceRetryAfter: (ip: string | undefined) => sources.retryAfter(ip),
    /** A failed bearer token or other cheap credential check from this address. */
    sourceFailed: (ip: string | undefined) => sources.fail(ip),

    /** Housekeeping: expired sessions and throttle rows whose window has passed. Returns rows removed. */
    async purgeExpired(): Promise<{ sessions: number; throttle: number }> {
      const sessions = await store.deleteExpiredSessions(knex);
      const throttle = await store.purgeThrottle(knex, lockMs);
      return { sessions, throttle };
    },
  };
  return service;
}

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);
