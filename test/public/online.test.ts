import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { APPLICANT, procedureId } from '../dossiers/setup.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0)]);

describe('online filing, citizen lookup and rating', () => {
  let platform: TestPlatform;
  let officer: AuthedClient;
  let birth: string;
  let dataDir: string;
  const data = (extra: Record<string, unknown> = {}) => JSON.stringify({
    procedureId: birth, applicant: APPLICANT, content: 'Khai sinh cho bé',
    components: [{ name: 'Tờ khai đăng ký khai sinh' }, { name: 'Giấy chứng sinh' }], ...extra,
  });
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tthc-files-'));
    platform = await createTestPlatform({ DATA_DIR: dataDir });
    officer = await loginAs(platform.app, 'motcua.xa');
    birth = await procedureId(platform, '1.001193');
  }, 120_000);
  afterAll(async () => {
    await platform.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists procedures that can be filed online without login', async () => {
    const res = await request(platform.app).get('/api/public/procedures?q=khai sinh').expect(200);
    expect(res.body.items[0]).toMatchObject({ code: '1.001193', onlineLevel: 'full' });
  });

  it('files online with PDF and PNG components (status 1, sha256 stored outside the web root), then the officer accepts it', async () => {
    const res = await request(platform.app).post('/api/public/dossiers')
      .field('data', data())
      .attach('component:0', PDF, { filename: 'to-khai.pdf', contentType: 'application/pdf' })
      .attach('component:1', PNG, { filename: 'giay-chung-sinh.png', contentType: 'image/png' })
      .expect(201);
    expect(res.body).toMatchObject({ status: 1, files: 2 });
    const files = await platform.db.knex('stored_file').select('sha256', 'storage_key', 'mime');
    expect(files.map((f: { mime: string }) => f.mime).sort()).toEqual(['application/pdf', 'image/png']);
    for (const f of files) expect(fs.existsSync(path.join(dataDir, 'files', f.storage_key))).toBe(true);

    const queue = await officer.get('/api/dossiers?status=1').expect(200);
    const row = queue.body.items.find((x: { code: string }) => x.code === res.body.code);
    expect(row).toBeDefined();
    const accepted = await officer.post(`/api/dossiers/${row.id}/accept`).expect(200);
    expect(accepted.body.status).toBe(4);
    expect(accepted.body.receivedAt).toBeTruthy();
  });

  it('refuses a disguised executable (.exe renamed .pdf) by its content, and writes nothing', async () => {
    const before = Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n);
    const res = await request(platform.app).post('/api/public/dossiers').field('data', data())
      .attach('component:0', EXE, { filename: 'to-khai.pdf', contentType: 'application/pdf' }).expect(415);
    expect(res.body.message).toContain('to-khai.pdf');
    expect(Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n)).toBe(before);
  });

  it('refuses malformed ID numbers and phones, naming the field', async () => {
    const bad = await request(platform.app).post('/api/public/dossiers').send(JSON.parse(data({ applicant: { ...APPLICANT, idNumber: '12345' } }))).expect(400);
    expect(bad.body.message).toContain('idNumber');
    const phone = await request(platform.app).post('/api/public/dossiers').send(JSON.parse(data({ applicant: { ...APPLICANT, phone: '12ab' } }))).expect(400);
    expect(phone.body.message).toContain('phone');
  });

  it('looks up with the last 4 digits of the phone or ID; wrong factor and unknown code answer the same; no personal data', async () => {
    const filed = await request(platform.app).post('/api/public/dossiers').send(JSON.parse(data())).expect(201);
    const ok = await request(platform.app).get(`/api/public/dossiers/${filed.body.code}?factor=5678`).expect(200);
    expect(ok.body).toMatchObject({ code: filed.body.code, status: 1, statusName: { vi: 'Mới đăng ký' }, procedure: 'Đăng ký khai sinh' });
    const text = JSON.stringify(ok.body);
    for (const personal of [APPLICANT.fullName, APPLICANT.idNumber, APPLICANT.phone, APPLICANT.address]) expect(text).not.toContain(personal);
    await request(platform.app).get(`/api/public/dossiers/${filed.body.code}?factor=1234`).expect(200);
    const wrong = await request(platform.app).get(`/api/public/dossiers/${filed.body.code}?factor=0000`).expect(404);
    await expectKeyedRefusal(() => request(platform.app).get(`/api/public/dossiers/${filed.body.code}?factor=0000`), 404, 'public.noMatch',
      'Không tìm thấy hồ sơ với mã và 4 số cuối đã nhập', 'No dossier matches this code and these digits');
    const unknown = await request(platform.app).get('/api/public/dossiers/XPL-990101-9999?factor=5678').expect(404);
    expect(wrong.body).toEqual(unknown.body);
    await request(platform.app).get(`/api/public/dossiers/${filed.body.code}?factor=56`).expect(400);
  });

  it('rates once after the result was returned', async () => {
    const d = (await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: [{ name: 'Tờ khai đăng ký khai sinh' }, { name: 'Giấy chứng sinh' }] }).expect(201)).body;
    await request(platform.app).post(`/api/public/dossiers/${d.code}/rating`).send({ factor: '5678', rating: 'satisfied' }).expect(409);
    const admin = await loginAs(platform.app, 'admin');
    await admin.post(`/api/dossiers/${d.id}/resolve`).expect(200);
    await officer.post(`/api/dossiers/${d.id}/return`).send({ collectionMethod: 'post' }).expect(200);
    await request(platform.app).post(`/api/public/dossiers/${d.code}/rating`).send({ factor: '0000', rating: 'satisfied' }).expect(404);
    await request(platform.app).post(`/api/public/dossiers/${d.code}/rating`).send({ factor: '5678', rating: 'satisfied', comment: 'Nhanh, chu đáo' }).expect(200);
    const again = await request(platform.app).post(`/api/public/dossiers/${d.code}/rating`).send({ factor: '5678', rating: 'normal' }).expect(409);
    expect(again.body.message).toMatch(/đã được đánh giá|already/);
  });
});
