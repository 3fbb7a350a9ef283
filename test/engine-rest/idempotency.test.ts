import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { specialistCheck } from '../engine/fixtures.js';
import { APPLICANT, BIRTH_COMPONENTS, procedureId } from '../dossiers/setup.js';

/**
 * A client whose start answer was lost retries it with the same Idempotency-Key and gets the
 * first instance (or dossier) again, never a second one — also when the retries race.
 */
const WORKER = basicAuthHeader('worker');
const ADMIN = basicAuthHeader('admin');
let platform: TestPlatform;
let officer: AuthedClient;
const api = () => request(platform.app);
const unit = { unitId: { value: 'xa-phu-long', type: 'String' } };
const instances = async (businessKey: string) => (await api().get('/engine-rest/process-instance').query({ businessKey }).set('Authorization', ADMIN).expect(200)).body;

beforeAll(async () => {
  platform = await createTestPlatform();
  await api().post('/engine-rest/deployment/create').set('Authorization', ADMIN).field('deployment-name', 'idem')
    .attach('file', Buffer.from(specialistCheck('idem')), 'idem.bpmn').expect(200);
  officer = await loginAs(platform.app, 'motcua.xa');
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('engine-rest start with an Idempotency-Key', () => {
  it('a retry answers the first instance; without a key each start is new', async () => {
    const send = () => officer.post('/engine-rest/process-definition/key/idem/start').set('Idempotency-Key', 'HS-IDEM-1:req-7f3a').send({ businessKey: 'HS-IDEM-1', variables: unit });
    const first = await send().expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await send().expect(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await instances('HS-IDEM-1')).toHaveLength(1);
    await officer.post('/engine-rest/process-definition/key/idem/start').send({ businessKey: 'HS-IDEM-2', variables: unit }).expect(200);
    await officer.post('/engine-rest/process-definition/key/idem/start').send({ businessKey: 'HS-IDEM-2', variables: unit }).expect(200);
    expect(await instances('HS-IDEM-2')).toHaveLength(2);
  });

  it('ten racing retries start one instance and all answer it', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => api().post('/engine-rest/process-definition/key/idem/start')
      .set('Authorization', WORKER).set('Idempotency-Key', 'race-1').send({ businessKey: 'HS-RACE', variables: unit })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await instances('HS-RACE')).toHaveLength(1);
  });

  it('keys belong to their caller; a key reused for another start, or malformed, is refused and starts nothing', async () => {
    const mine = await officer.post('/engine-rest/process-definition/key/idem/start').set('Idempotency-Key', 'shared').send({ businessKey: 'HS-K', variables: unit }).expect(200);
    const theirs = await api().post('/engine-rest/process-definition/key/idem/start').set('Authorization', WORKER).set('Idempotency-Key', 'shared').send({ businessKey: 'HS-K', variables: unit }).expect(200);
    expect(theirs.body.id).not.toBe(mine.body.id);
    const reused = await officer.post('/engine-rest/process-definition/key/idem/start').set('Idempotency-Key', 'shared').send({ businessKey: 'HS-OTHER', variables: unit });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ type: 'IdempotencyKeyReused', message: expect.any(String) });
    for (const bad of ['has space', 'x'.repeat(201), 'tab\there']) {
      const res = await officer.post('/engine-rest/process-definition/key/idem/start').set('Idempotency-Key', bad).send({ businessKey: 'HS-BAD', variables: unit });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: expect.any(String), message: expect.stringContaining('Idempotency-Key') });
    }
    expect(await instances('HS-OTHER')).toHaveLength(0);
    expect(await instances('HS-BAD')).toHaveLength(0);
  });
});

describe('dossier reception with an Idempotency-Key', () => {
  it('a retried "receive and accept" answers the first dossier and its one process instance', async () => {
    const birth = await procedureId(platform, '1.001193');
    const body = { procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS };
    const before = Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n);
    const results = await Promise.all(Array.from({ length: 3 }, () => officer.post('/api/dossiers').set('Idempotency-Key', 'quay-3:0001').send(body)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const again = await officer.post('/api/dossiers').set('Idempotency-Key', 'quay-3:0001').send(body).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ id: results[0]!.body.id, code: results[0]!.body.code, status: 4 });
    expect(Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n)).toBe(before + 1);
    // One dossier process and its one deadline watch, however many times the start ran.
    expect((await instances(again.body.code)).map((i: { definitionKey: string }) => i.definitionKey).sort()).toEqual(['tthc-watch', 'tthc_1_001193_commune']);
    // The same key for another procedure is a different request: refused, nothing written.
    const other = await procedureId(platform, '1.000894');
    const reused = await officer.post('/api/dossiers').set('Idempotency-Key', 'quay-3:0001').send({ ...body, procedureId: other, components: [{ name: 'Tờ khai đăng ký kết hôn' }] });
    expect(reused.status).toBe(409);
    expect(Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n)).toBe(before + 1);
  });

  it('accepting an online dossier: racing and later retries with a key answer the accepted dossier; without one, 409 as before', async () => {
    const birth = await procedureId(platform, '1.001193');
    const filed = await api().post('/api/public/dossiers')
      .field('data', JSON.stringify({ procedureId: birth, applicant: APPLICANT, content: 'Khai sinh', components: [{ name: 'Tờ khai đăng ký khai sinh' }, { name: 'Giấy chứng sinh' }] }))
      .expect(201);
    const row = (await officer.get('/api/dossiers?status=1').expect(200)).body.items.find((x: { code: string }) => x.code === filed.body.code);
    const accept = () => officer.post(`/api/dossiers/${row.id}/accept`).set('Idempotency-Key', `accept-${row.id}`);
    const results = await Promise.all([accept(), accept(), accept()]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.body.status)).toEqual([4, 4, 4]);
    expect((await accept().expect(200)).headers['idempotent-replayed']).toBe('true');
    expect((await instances(filed.body.code)).map((i: { definitionKey: string }) => i.definitionKey).sort()).toEqual(['tthc-watch', 'tthc_1_001193_commune']);
    const plain = await officer.post(`/api/dossiers/${row.id}/accept`);
    expect(plain.status).toBe(409);
    expect(plain.body).toMatchObject({ type: expect.any(String), message: expect.any(String) });
  });
});
