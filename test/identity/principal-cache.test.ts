import type { Database } from '../../server/db/connect.js';
import { seedDemo } from '../../server/identity/demo.js';
import { createIdentityService, type IdentityService } from '../../server/identity/service.js';
import { createTestDatabase } from '../helpers/db.js';

const PW = 'Demo@2026';

/** NOTIFY arrives asynchronously: wait (bounded) until `check` holds. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition never held');
}

describe('principal cache: fast, but never stale after a change', () => {
  let db: Database;
  let now = Date.now();
  let identity: IdentityService;
  let otherNode: IdentityService;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.knex);
    // A long TTL so only invalidation (never the TTL) can explain a change being seen.
    identity = createIdentityService({ knex: db.knex, listen: db.listen, principalTtlMs: 600_000, now: () => now, sessionIdleMs: 3_600_000 });
    otherNode = createIdentityService({ knex: db.knex, listen: db.listen, principalTtlMs: 600_000 });
  });
  afterAll(async () => {
    await identity.close();
    await otherNode.close();
    await db.close();
  });

  it('answers a cached session without the database, and still refuses it the moment it expires', async () => {
    const login = await identity.login('chuyenvien.xa', PW);
    expect((await identity.fromSession(login.token))?.principal.username).toBe('chuyenvien.xa');
    // The row's expiry is what was cached; move the clock past it: refused although cached.
    now = login.expiresAt.getTime() + 1;
    expect(await identity.fromSession(login.token)).toBeUndefined();
    expect(await db.knex('auth_session').count({ n: '*' }).where('expires_at', '<=', new Date(now))).toEqual([{ n: 0 }]);
    now = Date.now();
  });

  it('writes last_seen at most once a minute per session', async () => {
    const login = await identity.login('vanthu.xa', PW);
    const seen = async () => new Date((await db.knex('auth_session').where({ user_id: (await identity.fromSession(login.token))!.principal.userId }).first()).last_seen_at).getTime();
    const first = await seen();
    now += 30_000;
    for (let i = 0; i < 5; i++) await identity.fromSession(login.token);
    expect(await seen()).toBe(first);
    now += 31_000;
    await identity.fromSession(login.token);
    expect(await seen()).toBeGreaterThan(first);
    now = Date.now();
  });

  it('drops a session at once on logout, on this node and on another', async () => {
    const login = await identity.login('motcua.xa', PW);
    const s = await identity.fromSession(login.token);
    expect(await otherNode.fromSession(login.token)).toBeDefined();
    await identity.logout(s!.principal.sessionId!);
    expect(await identity.fromSession(login.token)).toBeUndefined();
    await eventually(async () => (await otherNode.fromSession(login.token)) === undefined);
  });

  it('sees a role change at once on the node that made it and, through NOTIFY, on another', async () => {
    const login = await identity.login('truongphong.xa', PW);
    expect((await identity.fromSession(login.token))!.principal.roles).toEqual([{ role: 'division-head', unitId: 'xa-phu-long' }]);
    expect((await otherNode.fromSession(login.token))!.principal.roles).toHaveLength(1);
    await identity.assignRole('truongphong.xa', 'leader', 'xa-phu-long');
    expect((await identity.fromSession(login.token))!.principal.roles).toHaveLength(2);
    await eventually(async () => (await otherNode.fromSession(login.token))!.principal.roles.length === 2);
    await otherNode.removeRole('truongphong.xa', 'leader', 'xa-phu-long');
    expect((await otherNode.fromSession(login.token))!.principal.permissions.has('engine:task')).toBe(true);
    await eventually(async () => (await identity.fromSession(login.token))!.principal.roles.length === 1);
  });

  it('refuses cached basic-auth credentials right after a password change or a disable', async () => {
    await identity.createUser({ username: 'worker2', displayName: 'Worker 2', kind: 'service', password: 'Svc@Pass2026', roles: [{ role: 'service', unitId: 'tinh' }] });
    expect((await identity.fromBasic('worker2', 'Svc@Pass2026')).username).toBe('worker2');
    expect((await otherNode.fromBasic('worker2', 'Svc@Pass2026')).username).toBe('worker2');
    await identity.updateUser('worker2', { password: 'Svc@Pass2027' });
    await expect(identity.fromBasic('worker2', 'Svc@Pass2026')).rejects.toThrow();
    await eventually(() => otherNode.fromBasic('worker2', 'Svc@Pass2026').then(() => false, () => true));
    expect((await identity.fromBasic('worker2', 'Svc@Pass2027')).username).toBe('worker2');
    await identity.updateUser('worker2', { disabled: true });
    await expect(identity.fromBasic('worker2', 'Svc@Pass2027')).rejects.toThrow();
  });

  it('refuses a cached API token right after it is revoked or its user disabled', async () => {
    const t = await identity.createApiToken('lanhdao.stp', 'report', null);
    expect((await identity.fromApiToken(t.token))?.username).toBe('lanhdao.stp');
    await identity.revokeApiToken('lanhdao.stp', t.id);
    expect(await identity.fromApiToken(t.token)).toBeUndefined();

    const t2 = await identity.createApiToken('lanhdao.stp', 'report2', new Date(now + 60_000));
    expect(await identity.fromApiToken(t2.token)).toBeDefined();
    now += 61_000; // past the token's own expiry: refused although cached
    expect(await identity.fromApiToken(t2.token)).toBeUndefined();
    now = Date.now();
    const login = await identity.login('lanhdao.stp', PW);
    expect(await identity.fromSession(login.token)).toBeDefined();
    await otherNode.updateUser('lanhdao.stp', { disabled: true });
    await eventually(async () => (await identity.fromSession(login.token)) === undefined);
  });
});
