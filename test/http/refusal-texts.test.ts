import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request, { type Test } from 'supertest';
import { allKnownTexts } from '../../server/http/texts.js';
import { STAFF_TEMPLATES } from '../../server/notifications/templates.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

const VIETNAMESE = /[À-ỹđĐ]/;
/** zod's and express's own English, which must never reach a reader. */
const RAW = /Invalid input|expected \w+, received|Required|Too (small|big)|Unrecognized key|Invalid (uuid|UUID|option|string|format)|No such endpoint|Login required|not valid JSON|Internal server error/;

/**
 * Every /api refusal a person can meet carries a key and reads in the reader's language (issue #16):
 * Vietnamese by default, English when Accept-Language asks for it, never zod's or express's English.
 */
async function expectReadable(call: () => Test, status: number, key: string | RegExp): Promise<void> {
  const vi = await call().set('Accept-Language', 'vi-VN,vi;q=0.9,en;q=0.5');
  const en = await call().set('Accept-Language', 'en-GB,en;q=0.9,vi;q=0.5');
  for (const res of [vi, en]) {
    expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { key: expect.stringMatching(key), type: expect.any(String) } });
    expect(res.headers['content-type']).toBe('application/json');
  }
  expect(en.body.key).toBe(vi.body.key);
  expect(vi.body.message).toMatch(VIETNAMESE);
  expect(vi.body.message).not.toMatch(RAW);
  expect(en.body.message).not.toMatch(VIETNAMESE);
  expect(en.body.message).not.toBe(vi.body.message);
  for (const d of (vi.body.details ?? []) as Array<{ message?: unknown }>) if (typeof d.message === 'string') expect(d.message).toMatch(VIETNAMESE);
  for (const d of (en.body.details ?? []) as Array<{ message?: unknown }>) if (typeof d.message === 'string') expect(d.message).not.toMatch(VIETNAMESE);
}

describe('every /api refusal is keyed and reads in the reader\'s language (issue #16)', () => {
  let platform: TestPlatform;
  let admin: AuthedClient;
  let owner: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    admin = await loginAs(platform.app, 'admin');
    owner = await loginAs(platform.app, 'owner.stp');
  });
  afterAll(async () => { await platform.close(); });
  const api = () => request(platform.app);

  it('no session, no permission, a forged write, an unknown route', async () => {
    await expectReadable(() => api().get('/api/auth/me'), 401, 'http.loginRequired');
    await expectReadable(() => owner.post('/api/units').send({ id: 'x-1', parentId: 'tinh', name: 'X', kind: 'ward' }), 403, 'http.forbidden');
    await expectReadable(() => api().post('/api/units').set('Cookie', admin.cookie).send({ id: 'x-1', parentId: 'tinh', name: 'X', kind: 'ward' }), 403, 'identity.csrf');
    await expectReadable(() => api().get('/api/no-such-thing'), 404, 'http.noSuchEndpoint');
    await expectReadable(() => admin.get('/api/tasks/events'), 406, 'http.needEventStream');
  });

  it('bodies the server cannot read: bad JSON, too large, unknown encoding', async () => {
    await expectReadable(() => api().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username":'), 400, 'http.badJson');
    await expectReadable(() => api().post('/api/auth/login').set('Content-Type', 'application/json').send(JSON.stringify({ x: 'a'.repeat(2 * 1024 * 1024) })), 413, 'http.bodyTooLarge');
    await expectReadable(() => api().post('/api/auth/login').set('Content-Type', 'application/json').set('Content-Encoding', 'x-unknown').send('{}'), 415, 'http.unsupportedEncoding');
    await expectReadable(() => api().post('/api/public/dossiers').set('Content-Type', 'multipart/form-data; boundary=zzz').send('--zzz\r\nnot a part header'), 400, 'files.uploadFailed');
    // multer's limits are said as what was sent too much of, not as its code.
    const manyFields = () => { let r = api().post('/api/public/dossiers'); for (let i = 0; i < 40; i++) r = r.field(`f${i}`, 'x'); return r; };
    await expectReadable(manyFields, 400, 'files.tooManyFields');
    const tooMany = await manyFields().expect(400);
    expect(tooMany.body.message).toMatch(/^Biểu mẫu gửi lên có quá nhiều trường \(tối đa \d+\)$/);
    await expectReadable(() => admin.get('/api/users?q=a%00b'), 400, 'input.hasNul');
    await expectReadable(() => api().post('/api/auth/login').send({ username: 'a\uD800', password: 'x' }), 400, 'input.loneSurrogate');
    await expectReadable(() => admin.get('/api/units/%E0%A4%A'), 400, 'input.badPercentEncoding');
    const nul = await admin.get('/api/users?q=a%00b').expect(400);
    expect(nul.body).toMatchObject({ message: 'Tham số truy vấn “q” chứa ký tự NUL (\\u0000)', details: [{ field: 'query.q' }] });
  });

  it('schema refusals name the field in words: wrong type, missing, empty, unknown field, format, enum, query and path', async () => {
    const unit = { id: 'x-1', parentId: 'tinh', name: 'X', kind: 'ward' };
    await expectReadable(() => admin.post('/api/units').send({ ...unit, name: 5 }), 400, 'input.wrongType');
    await expectReadable(() => admin.post('/api/units').send({ id: 'x-1', parentId: 'tinh', kind: 'ward' }), 400, 'input.required');
    await expectReadable(() => admin.post('/api/units').send({ ...unit, name: ' ' }), 400, 'input.empty');
    await expectReadable(() => admin.post('/api/units').send({ ...unit, bogus: 1 }), 400, 'input.unknownFields');
    await expectReadable(() => admin.post('/api/users').send({ username: 'new.user', displayName: 'N', kind: 'robot' }), 400, 'input.oneOf');
    await expectReadable(() => admin.get('/api/users?limit=abc'), 400, 'input.wrongType');
    await expectReadable(() => admin.get('/api/users?limit=9999'), 400, 'input.numberMax');
    await expectReadable(() => admin.delete('/api/users/worker/tokens/not-a-uuid'), 400, 'input.uuid');
    await expectReadable(() => admin.post('/api/users/worker/tokens').send({ name: 'n', expiresAt: 'tomorrow' }), 400, 'input.datetime');
  });

  it('capability refusals name their field in both languages (details included)', async () => {
    await expectReadable(() => admin.post('/api/units').send({ id: 'x-2', parentId: 'tinh', name: 'X', kind: 'planet' }), 400, 'identity.unknownKind');
    await expectReadable(() => admin.post('/api/units').send({ id: 'Bad Id', parentId: 'tinh', name: 'X', kind: 'ward' }), 400, 'identity.slugFormat');
    await expectReadable(() => api().get('/api/calendar/days?from=2026-03-10&to=2026-03-01'), 400, 'calendar.toBeforeFrom');
    await expectReadable(() => api().post('/api/calendar/deadline').send({ receivedAt: 'hôm nay', limit: { workingDays: 1 } }), 400, 'input.datetime');
    const slug = await admin.post('/api/units').set('Accept-Language', 'en').send({ id: 'Bad Id', parentId: 'tinh', name: 'X', kind: 'ward' }).expect(400);
    expect(slug.body).toMatchObject({ message: 'Field “id”: lower-case letters, digits and hyphens (a slug)', details: [{ field: 'body.id' }] });
  });

  it('the Vietnamese sentence names the field as a reader writes it', async () => {
    const missing = await admin.post('/api/units').send({ id: 'x-1', parentId: 'tinh', kind: 'ward' }).expect(400);
    expect(missing.body).toMatchObject({ key: 'input.required', message: 'Trường “name” là bắt buộc', details: [{ field: 'body.name', message: 'Trường “name” là bắt buộc' }] });
    const en = await admin.post('/api/units').set('Accept-Language', 'en').send({ id: 'x-1', parentId: 'tinh', kind: 'ward' }).expect(400);
    expect(en.body).toMatchObject({ key: 'input.required', message: 'Field “name” is required', details: [{ field: 'body.name', message: 'Field “name” is required' }] });
    const query = await admin.get('/api/users?limit=9999').expect(400);
    expect(query.body.message).toBe('Tham số truy vấn “limit” phải nhỏ hơn hoặc bằng 500');
    const two = await admin.post('/api/units').send({ id: 'x-1', parentId: 'tinh' }).expect(400);
    expect(two.body.message).toBe('Trường “name” là bắt buộc (và 1 lỗi khác)');
  });

  it('/engine-rest keeps Camunda\'s English shape: no key, English whatever the language asked', async () => {
    const res = await api().get('/engine-rest/no-such-thing').set('Accept-Language', 'vi');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ type: 'NotFound', message: 'No such endpoint: GET /engine-rest/no-such-thing' });
  });
});

describe('every catalogue key has a Vietnamese and an English text', () => {
  it('each registered text reads in both languages', async () => {
    const server = join(import.meta.dirname, '..', '..', 'server');
    for (const dir of readdirSync(server, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      if (readdirSync(join(server, dir.name)).includes('messages.ts')) await import(join(server, dir.name, 'messages.ts'));
    }
    const texts = [...allKnownTexts()];
    expect(texts.length).toBeGreaterThan(200);
    const bad = texts.filter(([, t]) => !t.vi.trim() || !t.en.trim() || !VIETNAMESE.test(t.vi) || VIETNAMESE.test(t.en) || t.vi === t.en).map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('every staff notice has an English text (the bell shows the reader\'s language)', () => {
    const withoutEn = Object.entries(STAFF_TEMPLATES).filter(([, t]) => !('renderEn' in t)).map(([name]) => name);
    expect(withoutEn).toEqual([]);
  });
});
