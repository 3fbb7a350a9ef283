import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { APPLICANT, BIRTH_COMPONENTS, binaryParser, pdfText, procedureId } from './setup.js';

describe('reception at the one-stop office', () => {
  let platform: TestPlatform;
  let officer: AuthedClient;
  let birth: string;
  beforeAll(async () => {
    platform = await createTestPlatform();
    officer = await loginAs(platform.app, 'motcua.xa');
    birth = await procedureId(platform, '1.001193');
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it('accepts in person: status 2 then 4, the process starts with the dossier code as business key, form 01 shows the stored due date', async () => {
    const res = await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS, content: 'Đăng ký khai sinh cho con' }).expect(201);
    const d = res.body;
    expect(d.status).toBe(4);
    expect(d.code).toMatch(/^[A-Z0-9.]+-\d{6}-\d{4}$/);
    expect(d.instanceId).toBeTruthy();
    expect(d.dueAt).toBeTruthy();
    const inst = await platform.db.knex('engine_instance').where({ id: d.instanceId }).first();
    expect(inst.business_key).toBe(d.code);
    expect(inst.unit_id).toBe('xa-phu-long');
    const vars = await platform.db.knex('engine_variable').where({ instance_id: d.instanceId }).select('name');
    expect(vars.map((v: { name: string }) => v.name)).toEqual(expect.arrayContaining(['dossierId', 'unitId', 'dueAt']));
    const tl = await officer.get(`/api/dossiers/${d.id}/timeline`).expect(200);
    expect(tl.body.filter((e: { kind: string }) => e.kind === 'status').map((e: { fromStatus: number | null; toStatus: number }) => [e.fromStatus, e.toStatus])).toEqual([[null, 2], [2, 4]]);

    const pdf = await officer.get(`/api/dossiers/${d.id}/forms/01.pdf`).buffer(true).parse(binaryParser).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.body as Buffer);
    const due = new Date(d.dueAt);
    const local = new Date(due.getTime() + 7 * 3_600_000);
    const dd = `${String(local.getUTCDate()).padStart(2, '0')}/${String(local.getUTCMonth() + 1).padStart(2, '0')}/${local.getUTCFullYear()}`;
    const hh = `${String(local.getUTCHours()).padStart(2, '0')} giờ ${String(local.getUTCMinutes()).padStart(2, '0')} phút`;
    expect(text).toContain(`${hh}, ngày ${dd}`);
    expect(text).toContain(d.code);
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Nguyễn Thị Ánh Dương');

    const docx = await officer.get(`/api/dossiers/${d.id}/forms/01.docx`).buffer(true).parse(binaryParser).expect(200);
    expect((docx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  });

  it('refuses a component that is not on the published list, and writes nothing', async () => {
    const before = Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n);
    const res = await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: [...BIRTH_COMPONENTS, { name: 'Sổ hộ khẩu' }] }).expect(400);
    expect(res.body.message).toContain('Sổ hộ khẩu');
    expect(Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n)).toBe(before);
  });

  it('supplement requested once (form 02), a second request is refused; received → accepted and processing', async () => {
    const res = await officer.post('/api/dossiers').send({
      procedureId: birth, applicant: APPLICANT, components: [BIRTH_COMPONENTS[0]], decision: 'supplement',
      supplement: { items: ['Giấy chứng sinh'], reason: 'Thiếu giấy chứng sinh' },
    }).expect(201);
    expect(res.body.status).toBe(5);
    const pdf = await officer.get(`/api/dossiers/${res.body.id}/forms/02.pdf`).buffer(true).parse(binaryParser).expect(200);
    expect(await pdfText(pdf.body as Buffer)).toContain('Giấy chứng sinh');
    const again = await officer.post(`/api/dossiers/${res.body.id}/supplement-request`).send({ items: ['Giấy chứng sinh'] }).expect(409);
    expect(again.body.message).toMatch(/một lần|once/);
    const ok = await officer.post(`/api/dossiers/${res.body.id}/supplement-received`).send({ components: [{ name: 'Giấy chứng sinh' }] }).expect(200);
    expect(ok.body.status).toBe(4);
    expect(ok.body.dueAt).toBeTruthy();
    await officer.post(`/api/dossiers/${res.body.id}/supplement-request`).send({ items: ['Giấy chứng sinh'] }).expect(409);
  });

  it('refuses with reasons (form 03); a refused dossier cannot be resolved or returned: 409 naming both states', async () => {
    const res = await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS, decision: 'refuse', refusal: { reasons: ['Không thuộc thẩm quyền'] } }).expect(201);
    expect(res.body.status).toBe(3);
    const pdf = await officer.get(`/api/dossiers/${res.body.id}/forms/03.pdf`).buffer(true).parse(binaryParser).expect(200);
    expect(await pdfText(pdf.body as Buffer)).toContain('Không thuộc thẩm quyền');
    const r = await officer.post(`/api/dossiers/${res.body.id}/return`).send({ collectionMethod: 'in-person' }).expect(409);
    expect(r.body.message).toContain('3');
    expect(r.body.message).toContain('10');
    await officer.post(`/api/dossiers/${res.body.id}/stop`).send({ reason: 'thử dừng' }).expect(409);
  });

  it('another unit’s dossier is not found for a specialist elsewhere', async () => {
    const res = await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS }).expect(201);
    const other = await loginAs(platform.app, 'chuyenvien.xa2');
    await other.get(`/api/dossiers/${res.body.id}`).expect(404);
    await other.get(`/api/dossiers/${res.body.id}/forms/01.pdf`).expect(404);
    const list = await other.get('/api/dossiers').expect(200);
    expect(list.body.items.find((x: { id: string }) => x.id === res.body.id)).toBeUndefined();
    const mine = await officer.get('/api/dossiers?applicant=anh duong').expect(200);
    const row = mine.body.items.find((x: { id: string }) => x.id === res.body.id);
    expect(row.applicantIdMasked).toBe('********1234');
    expect(row.applicantPhoneMasked).toBe('******5678');
    expect(JSON.stringify(mine.body)).not.toContain('079190001234');
  });
});
