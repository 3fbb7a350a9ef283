import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger, redactUrl } from '../server/log.js';
import { basicAuthHeader, loginAs } from './helpers/auth.js';
import { createTestPlatform, type TestPlatform } from './helpers/platform.js';
import { APPLICANT, BIRTH_COMPONENTS, procedureId } from './dossiers/setup.js';

/** Every line the logger writes, parsed. */
function capture(): { stream: Writable; lines: Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString('utf8')); cb(); } });
  return {
    stream,
    get lines() { return chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>); },
    text: () => chunks.join(''),
  };
}

const PERSONAL = [APPLICANT.fullName, APPLICANT.idNumber, APPLICANT.phone, APPLICANT.email, APPLICANT.address];

describe('logs', () => {
  it('redacts personal fields by path wherever an object carries them, and leaves the logged object intact', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    const before = structuredClone(APPLICANT);
    log.info({ applicant: APPLICANT }, 'top level');
    log.info({ dossier: { applicant: APPLICANT, proxy: APPLICANT } }, 'nested');
    log.warn({ body: { applicant: APPLICANT } }, 'a body');
    log.info({ party: { ...APPLICANT }, password: 'Secret@2026' }, 'fields');
    const text = out.text();
    for (const p of [...PERSONAL, 'Secret@2026']) expect(text).not.toContain(p);
    expect(out.lines).toHaveLength(4);
    expect((out.lines[3]!.party as Record<string, unknown>).idNumber).toBe('[redacted]');
    expect(APPLICANT).toEqual(before);
  });

  it('replaces personal query values in URLs', () => {
    expect(redactUrl('/api/dossiers?applicant=Nguy%E1%BB%85n&page=2')).toBe('/api/dossiers?applicant=%5Bredacted%5D&page=2');
    expect(redactUrl('/api/public/dossiers/X-1?factor=1234')).not.toContain('1234');
    expect(redactUrl('/api/dossiers/by-code/ABC')).toBe('/api/dossiers/by-code/ABC');
  });

  describe('access log', () => {
    let platform: TestPlatform;
    const out = capture();
    beforeAll(async () => {
      platform = await createTestPlatform({}, { log: createLogger('debug', out.stream) });
    }, 120_000);
    afterAll(async () => { await platform.close(); });

    it('writes one line per request with its request id and user (machine traffic at debug), and no personal data, credentials or cookies', async () => {
      const officer = await loginAs(platform.app, 'motcua.xa');
      const birth = await procedureId(platform, '1.001193');
      const created = await officer.post('/api/dossiers').set('X-Request-Id', 'req-create-1')
        .send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS });
      expect(created.status).toBe(201);
      await officer.get(`/api/dossiers?applicant=${encodeURIComponent(APPLICANT.fullName)}&page=1`).expect(200);
      await request(platform.app).get(`/api/public/dossiers/${created.body.code as string}?factor=${APPLICANT.phone.slice(-4)}`);
      await request(platform.app).get('/engine-rest/task').set('Authorization', basicAuthHeader('worker')).expect(200);
      await officer.post('/api/dossiers').send({ procedureId: birth, applicant: { ...APPLICANT, idNumber: '12' }, components: BIRTH_COMPONENTS }).expect(400);

      const access = out.lines.filter((l) => l.req && l.res);
      const create = access.find((l) => (l.req as { id: string }).id === 'req-create-1');
      expect(create).toMatchObject({ requestId: 'req-create-1', user: 'motcua.xa', level: 30, req: { method: 'POST', url: '/api/dossiers' }, res: { statusCode: 201 } });
      expect(typeof create!.responseTime).toBe('number');
      const list = access.find((l) => String((l.req as { url: string }).url).startsWith('/api/dossiers?'))!;
      expect((list.req as { query: Record<string, string> }).query.applicant).toBe('[redacted]');
      expect((list.req as { headers: Record<string, string> }).headers.cookie).toBe('[redacted]');
      const worker = access.find((l) => (l.req as { url: string }).url === '/engine-rest/task')!;
      expect((worker.req as { headers: Record<string, string> }).headers.authorization).toBe('[redacted]');
      expect(worker.user).toBe('worker');
      // A service account's successful calls are debug, so the workers' polling does not bury the info lines.
      expect(worker.level).toBe(20);
      expect(access.find((l) => (l.res as { statusCode: number }).statusCode === 400)?.level).toBe(40);

      const text = out.text();
      const sessionCookie = officer.cookie.split('=')[1]!;
      for (const secret of [...PERSONAL, encodeURIComponent(APPLICANT.fullName), `factor=${APPLICANT.phone.slice(-4)}`, sessionCookie, basicAuthHeader('worker')]) {
        expect(text).not.toContain(secret);
      }
    });
  });
});
