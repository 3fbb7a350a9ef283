import request from 'supertest';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('organisation and users over HTTP', () => {
  let platform: TestPlatform;
  let admin: AuthedClient;
  const count = async (table: string) => Number((await platform.db.knex(table).count({ n: '*' }))[0]!.n);
  beforeAll(async () => {
    platform = await createTestPlatform();
    admin = await loginAs(platform.app, 'admin');
  });
  afterAll(async () => { await platform.close(); });

  it('lists the demo tree and finds units without accents', async () => {
    const c = await loginAs(platform.app, 'chuyenvien.xa');
    const all = await c.get('/api/units').expect(200);
    expect(all.body.items.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining(['tinh', 'stp', 'stp-hctp', 'xa-phu-long', 'xa-ham-tien']));
    expect(all.body.items.find((u: { id: string }) => u.id === 'stp-hctp')).toEqual({ id: 'stp-hctp', parentId: 'stp', name: 'Phòng Hành chính tư pháp', kind: 'division', level: 2 });
    const found = await c.get('/api/units?q=ham tien').expect(200);
    expect(found.body.items.map((u: { id: string }) => u.id)).toEqual(['xa-ham-tien']);
    await c.post('/api/units').send({ id: 'x', parentId: 'tinh', name: 'X', kind: 'commune' }).expect(403);
  });

  it('lets the administrator build units, users and positions', async () => {
    await admin.post('/api/units').send({ id: 'huyen-cu', parentId: 'tinh', name: 'Huyện Hàm Thuận Bắc (cũ)', kind: 'district' }).expect(201);
    const xa = await admin.post('/api/units').send({ id: 'xa-moi', parentId: 'huyen-cu', name: 'Xã Mới', kind: 'commune' }).expect(201);
    expect(xa.body.level).toBe(2);
    await admin.post('/api/units').send({ id: 'xa-moi', parentId: 'tinh', name: 'Trùng', kind: 'commune' }).expect(409);
    await admin.delete('/api/units/huyen-cu').expect(409);

    const u = await admin.post('/api/users').send({
      username: 'Chuyenvien.Moi', displayName: 'Nguyễn Văn Mới', password: 'Moi@2026x',
      roles: [{ role: 'specialist', unitId: 'xa-moi', title: 'Công chức tư pháp - hộ tịch' }],
    }).expect(201);
    expect(u.body).toMatchObject({ username: 'chuyenvien.moi', roles: [{ role: 'specialist', unitId: 'xa-moi', unitName: 'Xã Mới', title: 'Công chức tư pháp - hộ tịch' }] });
    expect(JSON.stringify(u.body)).not.toMatch(/argon2|password/i);
    const moi = await loginAs(platform.app, 'chuyenvien.moi', 'Moi@2026x');
    await moi.get('/api/auth/me').expect(200);

    await admin.post('/api/users/chuyenvien.moi/roles').send({ role: 'leader', unitId: 'xa-moi' }).expect(200);
    const after = await admin.delete('/api/users/chuyenvien.moi/roles/specialist/xa-moi').expect(200);
    expect(after.body.roles).toEqual([{ role: 'leader', unitId: 'xa-moi', unitName: 'Xã Mới', title: null }]);
    const list = await admin.get('/api/users?q=nguyen van moi').expect(200);
    expect(list.body.items.map((x: { username: string }) => x.username)).toEqual(['chuyenvien.moi']);

    // Disabling ends the user's sessions at once.
    await admin.patch('/api/users/chuyenvien.moi').send({ disabled: true }).expect(200);
    await moi.get('/api/auth/me').expect(401);
  });

  it('enforces the password policy', async () => {
    const weak = await admin.post('/api/users').send({ username: 'yeu', displayName: 'Yếu', password: 'password' }).expect(400);
    expect(weak.body.details[0].field).toBe('body.password');
    expect(await platform.db.knex('app_user').where({ username: 'yeu' }).first()).toBeUndefined();
  });

  it('issues API tokens that authenticate without CSRF and can be revoked', async () => {
    const t = await admin.post('/api/users/worker/tokens').send({ name: 'tích hợp cổng DVC' }).expect(201);
    expect(t.body.token).toMatch(/^tthc_/);
    const me = await request(platform.app).get('/api/auth/me').set('Authorization', `Bearer ${t.body.token}`).expect(200);
    expect(me.body.user.username).toBe('worker');
    await admin.delete(`/api/users/worker/tokens/${t.body.id}`).expect(200);
    await request(platform.app).get('/api/auth/me').set('Authorization', `Bearer ${t.body.token}`).expect(401);
  });

  it('refuses bad input with a 4xx naming the field, writing nothing', async () => {
    const users = await count('app_user');
    const units = await count('org_unit');
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['post', '/api/users', { username: 'ok.name', displayName: 'A', isAdmin: true }, /“isAdmin”/],
      ['post', '/api/users', { username: 'ok.name', displayName: 42 }, /“displayName”/],
      ['post', '/api/users', { username: "x'; drop table app_user; --", displayName: 'A' }, /“username”/],
      ['post', '/api/units', { id: 'Bad Id', parentId: 'tinh', name: 'A', kind: 'commune' }, /“id”/],
      ['post', '/api/units', { id: 'ok', parentId: 'nope', name: 'A', kind: 'commune' }, /cấp trên/],
      ['post', '/api/units', { id: 'ok', parentId: 'tinh', name: 'A', kind: 'planet' }, /loại đơn vị/],
      ['post', '/api/users/admin/roles', { role: 'emperor', unitId: 'tinh' }, /“role”/],
      ['patch', '/api/users/admin', { disabled: 'yes' }, /“disabled”/],
    ];
    for (const [method, url, body, msg] of cases) {
      const res = await (admin as unknown as Record<string, (u: string) => request.Test>)[method]!(url).send(body as object);
      expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(msg)]);
    }
    const big = await admin.post('/api/units').set('Content-Type', 'application/json').send(JSON.stringify({ id: 'big', parentId: 'tinh', kind: 'commune', name: 'x'.repeat(2_000_000) })).expect(413);
    expect(big.body.type).toBe('PayloadTooLarge');
    expect(await count('app_user')).toBe(users);
    expect(await count('org_unit')).toBe(units);
  });

  it('treats SQL-injection strings in text filters as text', async () => {
    for (const evil of ["' or 1=1 --", "'; delete from app_user; --", '%', '_', '\\']) {
      const u = await admin.get(`/api/users?q=${encodeURIComponent(evil)}`).expect(200);
      expect(u.body.items).toEqual([]);
      const o = await admin.get(`/api/units?q=${encodeURIComponent(evil)}`).expect(200);
      expect(o.body.items).toEqual([]);
    }
    await admin.get(`/api/users?unitId=${encodeURIComponent("' or 1=1 --")}`).expect(400);
    expect(await count('app_user')).toBeGreaterThanOrEqual(15);
  });
});
