import request from 'supertest';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** Audit rows are written once the response has gone out (group commit); wait (bounded) for `n` to appear. */
async function auditRows(platform: TestPlatform, where: Record<string, unknown>, n: number) {
  for (let i = 0; i < 100; i++) {
    const rows = await platform.db.knex('audit_log').where(where).orderBy('seq', 'desc');
    if (rows.length >= n) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`fewer than ${n} audit rows for ${JSON.stringify(where)}`);
}

const auditRow = async (platform: TestPlatform, where: Record<string, unknown>) => (await auditRows(platform, where, 1))[0];

describe('audit trail over HTTP', () => {
  let platform: TestPlatform;
  let inspector: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    inspector = await loginAs(platform.app, 'thanhtra');
  });
  afterAll(async () => { await platform.close(); });

  it('records logins, failed logins and CSRF refusals with who, route, outcome, request id and IP', async () => {
    await request(platform.app).post('/api/auth/login').set('X-Request-Id', 'req-bad-login').send({ username: 'lanhdao.xa', password: 'Sai@mat-khau1' }).expect(401);
    const failed = await auditRow(platform, { request_id: 'req-bad-login' });
    expect(failed).toMatchObject({ username: 'lanhdao.xa', user_id: null, action: 'POST /api/auth/login', outcome: '401', target_type: 'auth' });
    expect(failed.ip).toMatch(/127\.0\.0\.1/);
    // The password never reaches the trail.
    expect(JSON.stringify(failed)).not.toContain('Sai@mat-khau1');

    const c = await loginAs(platform.app, 'lanhdao.xa');
    await request(platform.app).post('/api/auth/logout').set('Cookie', c.cookie).set('X-Request-Id', 'req-forged').expect(403);
    expect(await auditRow(platform, { request_id: 'req-forged' })).toMatchObject({
      username: 'lanhdao.xa', unit_id: 'xa-phu-long', role: 'leader', action: 'POST /api/auth/logout', outcome: '403',
    });
  });

  it('lets inspectors query by user, unit and time range, with paging', async () => {
    for (let i = 0; i < 3; i++) await request(platform.app).post('/api/auth/login').send({ username: 'vanthu.xa', password: 'Demo@2026' }).expect(200);
    // All three logins must be committed, or the first page could be the last one.
    await auditRows(platform, { username: 'vanthu.xa', outcome: '200' }, 3);
    const page1 = await inspector.get('/api/audit?username=vanthu.xa&limit=2').expect(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0].seq).toBeGreaterThan(page1.body.items[1].seq);
    expect(page1.body.nextBefore).toBe(page1.body.items[1].seq);
    const page2 = await inspector.get(`/api/audit?username=vanthu.xa&limit=2&before=${page1.body.nextBefore}`).expect(200);
    expect(page2.body.items.length).toBeGreaterThanOrEqual(1);
    expect(page2.body.items.every((r: { username: string }) => r.username === 'vanthu.xa')).toBe(true);

    const byUnit = await inspector.get('/api/audit?unitId=xa-phu-long').expect(200);
    expect(byUnit.body.items.length).toBeGreaterThan(0);
    expect(byUnit.body.items.every((r: { unitId: string }) => r.unitId === 'xa-phu-long')).toBe(true);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await inspector.get(`/api/audit?from=${encodeURIComponent(tomorrow)}`).expect(200).expect((res) => expect(res.body.items).toEqual([]));
    const today = await inspector.get('/api/audit?from=2020-01-01&to=2099-12-31&username=vanthu.xa').expect(200);
    expect(today.body.items.length).toBeGreaterThanOrEqual(3);
  });

  it('exports CSV with a UTF-8 BOM', async () => {
    const res = await inspector.get('/api/audit/export.csv?username=lanhdao.xa').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,thoi_gian/);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.slice(1).every((l) => l.split(',')[2] === 'lanhdao.xa')).toBe(true);
  });

  it('verifies the chain for inspectors and refuses others', async () => {
    const v = await inspector.get('/api/audit/verify').expect(200);
    expect(v.body.ok).toBe(true);
    expect(v.body.checked).toBeGreaterThan(3);
    await request(platform.app).get('/api/audit/verify').expect(401);
    const specialist = await loginAs(platform.app, 'chuyenvien.xa');
    await specialist.get('/api/audit').expect(403);
  });

  it('treats SQL-injection strings in every filter as plain text', async () => {
    const before = await platform.db.knex('audit_log').count({ n: '*' });
    for (const field of ['username', 'unitId', 'targetType', 'targetId', 'action']) {
      for (const evil of ["' or 1=1 --", "x'; delete from audit_log; --", '%', '\\']) {
        const res = await inspector.get(`/api/audit?${field}=${encodeURIComponent(evil)}`).expect(200);
        expect(res.body.items).toEqual([]);
      }
    }
    const after = await platform.db.knex('audit_log').count({ n: '*' });
    expect(Number(after[0]!.n)).toBeGreaterThanOrEqual(Number(before[0]!.n));
  });

  it('refuses unknown or malformed filters with a 400 naming the field', async () => {
    const unknown = await inspector.get('/api/audit?dropTable=1').expect(400);
    expect(unknown.body.type).toBe('ValidationError');
    const badDate = await inspector.get('/api/audit?from=yesterday').expect(400);
    expect(badDate.body.message).toMatch(/Tham số truy vấn “from”/);
    const badLimit = await inspector.get('/api/audit?limit=100000').expect(400);
    expect(badLimit.body.message).toMatch(/Tham số truy vấn “limit”/);
  });
});
