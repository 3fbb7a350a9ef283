import request from 'supertest';
import { basicAuthHeader, loginAs } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('authentication', () => {
  let platform: TestPlatform;
  beforeAll(async () => { platform = await createTestPlatform(); });
  afterAll(async () => { await platform.close(); });

  it('logs in a demo user and returns roles with unit names and a CSRF token', async () => {
    const res = await request(platform.app).post('/api/auth/login').send({ username: 'chuyenvien.xa', password: 'Demo@2026' }).expect(200);
    const row = await platform.db.knex('app_user').where({ username: 'chuyenvien.xa' }).first('id');
    expect(res.body.user).toEqual({
      id: row.id,
      username: 'chuyenvien.xa',
      displayName: 'Đặng Văn Chuyên',
      roles: [{ role: 'specialist', unitId: 'xa-phu-long', unitName: 'UBND xã Phú Long' }],
    });
    expect(res.body.csrfToken).toMatch(/^[\w-]{40,}$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/tthc_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('marks the cookie Secure behind an HTTPS proxy', async () => {
    const res = await request(platform.app).post('/api/auth/login').set('X-Forwarded-Proto', 'https')
      .send({ username: 'vanthu.xa', password: 'Demo@2026' }).expect(200);
    expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
  });

  it('gives the same error for an unknown user and a wrong password', async () => {
    const a = await request(platform.app).post('/api/auth/login').send({ username: 'nobody.here', password: 'Demo@2026' }).expect(401);
    const b = await request(platform.app).post('/api/auth/login').send({ username: 'lanhdao.stp', password: 'Wrong@2026' }).expect(401);
    expect(a.body).toEqual(b.body);
    expect(a.body.type).toBe('InvalidCredentials');
  });

  it('me answers 401 without a session and the user with one', async () => {
    await request(platform.app).get('/api/auth/me').expect(401);
    const c = await loginAs(platform.app, 'thanhtra');
    const me = await c.get('/api/auth/me').expect(200);
    expect(me.body.user.username).toBe('thanhtra');
    expect(me.body.csrfToken).toBe(c.csrfToken);
  });

  it('refuses cookie writes without the CSRF token or with a forged one, accepts the real one', async () => {
    const c = await loginAs(platform.app, 'owner.stp');
    const noToken = await request(platform.app).post('/api/auth/logout').set('Cookie', c.cookie).expect(403);
    expect(noToken.body.type).toBe('CsrfError');
    const forged = await request(platform.app).post('/api/auth/logout').set('Cookie', c.cookie).set('X-CSRF-Token', 'x'.repeat(43)).expect(403);
    expect(forged.body.type).toBe('CsrfError');
    // Still logged in: the refused logout wrote nothing.
    await c.get('/api/auth/me').expect(200);
    await c.post('/api/auth/logout').expect(200);
    await c.get('/api/auth/me').expect(401);
  });

  it('refuses an expired session', async () => {
    const c = await loginAs(platform.app, 'motcua.xa');
    await c.get('/api/auth/me').expect(200);
    // Changed behind the service's back: as a tool would, announce it; every node drops its cached copy.
    await platform.db.knex('auth_session').update({ expires_at: new Date(Date.now() - 1000) });
    await platform.db.knex.raw(`select pg_notify('identity_changed', '{"all":true}')`);
    let status = 0;
    for (let i = 0; i < 200 && status !== 401; i++) {
      status = (await c.get('/api/auth/me')).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(401);
  });

  it('accepts HTTP basic auth for the service account, without CSRF', async () => {
    const me = await request(platform.app).get('/api/auth/me').set('Authorization', basicAuthHeader('worker')).expect(200);
    expect(me.body.user.roles).toEqual([{ role: 'service', unitId: 'tinh', unitName: 'UBND tỉnh Bình Thuận' }]);
    await request(platform.app).get('/api/auth/me').set('Authorization', basicAuthHeader('worker', 'wrong')).expect(401);
  });

  it('validates the login body', async () => {
    const res = await request(platform.app).post('/api/auth/login').send({ username: 'admin', password: 'Demo@2026', role: 'x' }).expect(400);
    expect(res.body.type).toBe('ValidationError');
    const wrongType = await request(platform.app).post('/api/auth/login').send({ username: 42, password: 'Demo@2026' }).expect(400);
    expect(wrongType.body).toMatchObject({ key: 'input.wrongType', message: 'Trường “username” phải là chuỗi ký tự', details: [{ field: 'body.username' }] });
  });

  it('locks a username after repeated failures, even with the right password, and the same for unknown names', async () => {
    for (let i = 0; i < 5; i++) {
      await request(platform.app).post('/api/auth/login').send({ username: 'approver2', password: `Bad@pass${i}` }).expect(401);
      await request(platform.app).post('/api/auth/login').send({ username: 'ghost.user', password: `Bad@pass${i}` }).expect(401);
    }
    const locked = await request(platform.app).post('/api/auth/login').send({ username: 'approver2', password: 'Demo@2026' }).expect(429);
    const ghost = await request(platform.app).post('/api/auth/login').send({ username: 'ghost.user', password: 'Demo@2026' }).expect(429);
    expect(locked.body.type).toBe('LoginLocked');
    expect(ghost.body.type).toBe('LoginLocked');
    await platform.db.knex('login_throttle').update({ locked_until: new Date(Date.now() - 1000) });
    await request(platform.app).post('/api/auth/login').send({ username: 'approver2', password: 'Demo@2026' }).expect(200);
  });
});
