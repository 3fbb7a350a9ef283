import request from 'supertest';
import { createIdentityService } from '../../server/identity/service.js';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** A worker's poll from a given source address (X-Forwarded-For is honoured from loopback proxies). */
const poll = (platform: TestPlatform, ip: string, auth: string) => request(platform.app).post('/engine-rest/external-task/fetchAndLock')
  .set('X-Forwarded-For', ip).set('Authorization', auth).send({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 'none', lockDuration: 1000 }] });

describe('authentication cannot be turned into a weapon', () => {
  let platform: TestPlatform;
  beforeAll(async () => { platform = await createTestPlatform(); });
  afterAll(async () => { await platform.close(); });

  it('wrong passwords from an attacker lock the attacker out of the service account, never the worker', async () => {
    for (let i = 0; i < 8; i++) await poll(platform, '10.9.0.1', basicAuthHeader('worker', `wrong-${i}`)).expect(401);
    // The right password from the attacker's address is refused (locked for that address)…
    await poll(platform, '10.9.0.1', basicAuthHeader('worker')).expect(401);
    // …while the worker on its own host keeps working.
    await poll(platform, '10.9.0.2', basicAuthHeader('worker')).expect(200);
  });

  it('the failure count resets once a lock lapses: one guess after it does not lock again', async () => {
    const ip = '10.9.0.3';
    for (let i = 0; i < 5; i++) await request(platform.app).post('/api/auth/login').set('X-Forwarded-For', ip).send({ username: 'vanthu.xa', password: `bad-${i}` }).expect(401);
    await request(platform.app).post('/api/auth/login').set('X-Forwarded-For', ip).send({ username: 'vanthu.xa', password: 'Demo@2026' }).expect(429);
    await platform.db.knex('login_throttle').where('username', 'like', 'vanthu.xa|%').update({ locked_until: new Date(Date.now() - 1000) });
    await request(platform.app).post('/api/auth/login').set('X-Forwarded-For', ip).send({ username: 'vanthu.xa', password: 'bad-again' }).expect(401);
    await request(platform.app).post('/api/auth/login').set('X-Forwarded-For', ip).send({ username: 'vanthu.xa', password: 'Demo@2026' }).expect(200);
  });

  it('every credential check is limited per source address: basic on /api and /engine-rest, bearer tokens', async () => {
    const ip = '10.9.0.4';
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const url = i % 3 === 0 ? '/api/audit' : i % 3 === 1 ? '/engine-rest/process-definition' : '/api/units';
      const auth = i % 4 === 0 ? `Bearer not-a-token-${i}` : basicAuthHeader(`ghost${i}`, 'x');
      statuses.push((await request(platform.app).get(url).set('X-Forwarded-For', ip).set('Authorization', auth)).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(31)).toEqual(Array(9).fill(429));
    // Another address is not affected.
    await request(platform.app).get('/engine-rest/process-definition').set('X-Forwarded-For', '10.9.0.5').set('Authorization', basicAuthHeader('admin')).expect(200);
  });

  it('absurd credentials are refused before argon2 and leave no throttle row', async () => {
    const before = await platform.db.knex('login_throttle').count<{ count: string }[]>('* as count');
    const longName = 'u'.repeat(8000);
    await poll(platform, '10.9.0.6', basicAuthHeader(longName, 'x')).expect(401);
    await request(platform.app).post('/api/auth/login').set('X-Forwarded-For', '10.9.0.6').send({ username: 'admin', password: 'p'.repeat(5000) }).expect((r) => expect([400, 401]).toContain(r.status));
    const after = await platform.db.knex('login_throttle').count<{ count: string }[]>('* as count');
    expect(Number(after[0]!.count)).toBe(Number(before[0]!.count));
    expect(await platform.db.knex('login_throttle').whereRaw('length(username) > 200')).toHaveLength(0);
  });

  it('housekeeping purges expired sessions and stale throttle rows', async () => {
    const knex = platform.db.knex;
    const identity = createIdentityService({ knex });
    const admin = await knex('app_user').where({ username: 'admin' }).first();
    await knex('auth_session').insert({ id: 'expired-session', user_id: admin.id, csrf_token: 'x', expires_at: new Date(Date.now() - 60_000) });
    await knex('login_throttle').insert({ username: 'old|1.2.3.4', failures: 3, updated_at: new Date(Date.now() - 86_400_000) });
    await knex('login_throttle').insert({ username: 'fresh|1.2.3.4', failures: 1, updated_at: new Date() });
    const out = await identity.purgeExpired();
    expect(out.sessions).toBeGreaterThanOrEqual(1);
    expect(out.throttle).toBeGreaterThanOrEqual(1);
    expect(await knex('auth_session').where({ id: 'expired-session' })).toHaveLength(0);
    expect(await knex('login_throttle').where({ username: 'old|1.2.3.4' })).toHaveLength(0);
    expect(await knex('login_throttle').where({ username: 'fresh|1.2.3.4' })).toHaveLength(1);
    await identity.close();
  });
});
