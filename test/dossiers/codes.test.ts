import request from 'supertest';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { APPLICANT, procedureId } from './setup.js';

describe('dossier codes <agency code>-<yyMMdd>-<seq>', () => {
  let platform: TestPlatform;
  let officer: AuthedClient;
  let admin: AuthedClient;
  let birth: string;
  beforeAll(async () => {
    platform = await createTestPlatform();
    officer = await loginAs(platform.app, 'motcua.xa');
    admin = await loginAs(platform.app, 'admin');
    birth = await procedureId(platform, '1.001193');
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it('uses the unit’s agency code, editable by an administrator only', async () => {
    await officer.put('/api/units/xa-phu-long/agency-code').send({ agencyCode: 'XPL' }).expect(403);
    await admin.put('/api/units/xa-phu-long/agency-code').send({ agencyCode: 'bad code!' }).expect(400);
    await admin.put('/api/units/xa-phu-long/agency-code').send({ agencyCode: 'H48.27' }).expect(200);
    await admin.put('/api/units/xa-ham-tien/agency-code').send({ agencyCode: 'H48.27' }).expect(409);
  });

  it('is gapless and unique under 50 concurrent receptions (rolled-back receptions give their number back)', async () => {
    const send = (i: number) => officer.post('/api/dossiers').send({
      procedureId: birth, applicant: { ...APPLICANT, fullName: `Người nộp ${i}` }, decision: 'refuse', refusal: { reasons: ['Thử đồng thời'] },
      components: [{ name: 'Tờ khai đăng ký khai sinh' }],
    });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => send(i)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const codes = results.map((r) => r.body.code as string);
    expect(new Set(codes).size).toBe(50);
    const prefix = codes[0]!.split('-').slice(0, 2).join('-');
    expect(prefix).toMatch(/^H48\.27-\d{6}$/);
    const seqs = codes.map((c) => Number(c.split('-')[2])).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => seqs[0]! + i));
  }, 120_000);

  it('another unit’s code is not found; the public lookup refuses malformed codes the same way as unknown ones', async () => {
    const d = (await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, decision: 'refuse', refusal: { reasons: ['x'] }, components: [] }).expect(201)).body;
    const elsewhere = await loginAs(platform.app, 'chuyenvien.xa2');
    await elsewhere.get(`/api/dossiers/by-code/${d.code}`).expect(404);
    expect((await officer.get(`/api/dossiers/by-code/${d.code}`).expect(200)).body.id).toBe(d.id);
    await request(platform.app).get('/api/public/dossiers/not-a-code?factor=5678').expect(404);
  });
});
