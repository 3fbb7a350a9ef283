import { parseCsv, formatCsv } from '../../server/text/csv.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { procedureInput } from '../lifecycle/setup.js';

describe('procedure catalogue over HTTP', () => {
  let platform: TestPlatform;
  let owner: AuthedClient;
  let admin: AuthedClient;
  const count = async () => Number((await platform.db.knex('procedure').count({ n: '*' }))[0]!.n);
  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await loginAs(platform.app, 'owner.stp');
    admin = await loginAs(platform.app, 'admin');
  });
  afterAll(async () => { await platform.close(); });

  it('searches accent-insensitively by name, and by code, field, level and agency, with paging', async () => {
    const birth = await owner.get('/api/procedures?q=dang ky khai sinh').expect(200);
    expect(birth.body).toMatchObject({ total: 1, page: 1, pageSize: 20, items: [{ code: '1.001193', name: 'Đăng ký khai sinh', agencyName: 'UBND xã Phú Long' }] });
    expect((await owner.get('/api/procedures?q=ĐĂNG KÝ').expect(200)).body.total).toBeGreaterThanOrEqual(3);
    expect((await owner.get('/api/procedures?q=1.000894').expect(200)).body.items[0].name).toBe('Đăng ký kết hôn');
    const civil = await owner.get(`/api/procedures?field=${encodeURIComponent('ho tich')}`).expect(200);
    expect(civil.body.items.map((p: { code: string }) => p.code).sort()).toEqual(['1.000894', '1.001193']);
    const province = await owner.get('/api/procedures?level=province&agencyId=sxd').expect(200);
    expect(province.body.items.map((p: { code: string }) => p.code)).toEqual(['1.009972']);
    const page2 = await owner.get('/api/procedures?pageSize=3&page=2').expect(200);
    expect(page2.body).toMatchObject({ page: 2, pageSize: 3 });
    expect(page2.body.items).toHaveLength(3);
    expect((await owner.get('/api/procedures?q=100%25').expect(200)).body.total).toBe(0);
    await owner.get('/api/procedures?page=0').expect(400);
    await owner.get('/api/procedures?pageSize=1000').expect(400);
    await owner.get('/api/procedures?sort=name').expect(400);
  });

  it('lists fields and configurable levels (the historic district level is inactive)', async () => {
    const fields = await owner.get('/api/catalog/fields').expect(200);
    expect(fields.body).toEqual(expect.arrayContaining(['Hộ tịch', 'Đất đai', 'Chứng thực']));
    const levels = await owner.get('/api/catalog/levels').expect(200);
    expect(levels.body).toEqual([
      { id: 'province', name: 'Cấp tỉnh', nameVi: 'Cấp tỉnh', nameEn: 'Province', active: true },
      { id: 'commune', name: 'Cấp xã', nameVi: 'Cấp xã', nameEn: 'Commune', active: true },
      expect.objectContaining({ id: 'district', active: false }),
    ]);
  });

  it('levels are configurable by an administrator only', async () => {
    await owner.put('/api/catalog/levels/ward').send({ nameVi: 'Cấp phường', nameEn: 'Ward' }).expect(403);
    const saved = await admin.put('/api/catalog/levels/ward').send({ nameVi: 'Cấp phường', nameEn: 'Ward', sort: 5 }).expect(200);
    expect(saved.body).toEqual({ id: 'ward', name: 'Cấp phường', nameVi: 'Cấp phường', nameEn: 'Ward', active: true });
    await admin.put('/api/catalog/levels/Bad Id').send({ nameVi: 'x', nameEn: 'x' }).expect(400);
    await admin.put('/api/catalog/levels/ward').send({ nameVi: '', nameEn: 'x' }).expect(400);
    await owner.post('/api/procedures').send(procedureInput({ code: '1.100010', level: 'ward' })).expect(201);
  });

  it('creates, reads, updates with a revision check and withdraws a procedure', async () => {
    const created = await owner.post('/api/procedures').send(procedureInput({ code: '1.100001' })).expect(201);
    expect(created.body).toMatchObject({ code: '1.100001', revision: 1, status: 'active', agencyName: 'Sở Tư pháp' });
    const id = created.body.id;
    await owner.get(`/api/procedures/${id}`).expect(200);
    const { id: _i, revision: _r, createdAt: _c, updatedAt: _u, agencyName: _a, ...body } = created.body;
    const updated = await owner.put(`/api/procedures/${id}`).send({ ...body, name: 'Cấp bản sao trích lục (sửa)', revision: 1 }).expect(200);
    expect(updated.body).toMatchObject({ revision: 2, name: 'Cấp bản sao trích lục (sửa)' });
    const stale = await owner.put(`/api/procedures/${id}`).send({ ...body, name: 'ghi đè', revision: 1 }).expect(409);
    expect(stale.body.type).toBe('Conflict');
    expect((await owner.get(`/api/procedures/${id}`).expect(200)).body.name).toBe('Cấp bản sao trích lục (sửa)');
    // The designer's spelling of the limit is accepted too, and both come back.
    const hours = await owner.put(`/api/procedures/${id}`).send({ ...body, limit: { workingHours: 12 } }).expect(200);
    expect(hours.body.limit).toEqual({ value: 12, unit: 'hours', workingHours: 12 });
    expect(created.body.limit).toEqual({ value: 3, unit: 'days', workingDays: 3 });
    await owner.put(`/api/procedures/${id}`).send({ ...body, limit: {} }).expect(400);
    const gone = await owner.delete(`/api/procedures/${id}`).expect(200);
    expect(gone.body.status).toBe('withdrawn');
    expect((await owner.get('/api/procedures?status=withdrawn').expect(200)).body.items.map((p: { id: string }) => p.id)).toContain(id);
  });

  it('refuses bad input with 4xx naming the field, writing nothing', async () => {
    const n = await count();
    const r1 = await owner.post('/api/procedures').send(procedureInput({ code: 'ABC' })).expect(400);
    expect(r1.body.message).toMatch(/code/);
    const r2 = await owner.post('/api/procedures').send({ ...procedureInput({ code: '1.100002' }), colour: 'red' }).expect(400);
    expect(r2.body.message).toMatch(/colour|Unrecognized/i);
    const r3 = await owner.post('/api/procedures').send(procedureInput({ code: '1.100003', level: 'galaxy' })).expect(400);
    expect(r3.body).toMatchObject({ key: 'catalog.unknownLevel', details: [{ field: 'body.level' }] });
    await owner.post('/api/procedures').send(procedureInput({ code: '1.100004', agencyId: 'sxd' })).expect(403);
    await owner.post('/api/procedures').send(procedureInput({ code: '1.001193' })).expect(409);
    await owner.post('/api/procedures').send(procedureInput({ code: '1.100005', limit: { value: -1, unit: 'days' } })).expect(400);
    await owner.get('/api/procedures/00000000-0000-4000-8000-000000000000').expect(404);
    await owner.get('/api/procedures/not-an-id').expect(404);
    await owner.put('/api/procedures/not-an-id').send(procedureInput()).expect(404);
    const specialist = await loginAs(platform.app, 'chuyenvien.xa');
    await specialist.post('/api/procedures').send(procedureInput({ code: '1.100006' })).expect(403);
    expect(await count()).toBe(n);
  });

  it('exports JSON and CSV with Vietnamese text intact, and re-imports them as updates', async () => {
    const json = await admin.get('/api/procedures/export?format=json').expect(200);
    expect(json.headers['content-type']).toBe('application/json');
    const items = JSON.parse(json.text) as Array<{ code: string; name: string }>;
    expect(items.find((p) => p.code === '1.001193')!.name).toBe('Đăng ký khai sinh');
    const csv = await admin.get('/api/procedures/export?format=csv').expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.text).toContain('Đăng ký thành lập hộ kinh doanh');
    const n = await count();
    const back = await admin.post('/api/procedures/import?format=csv').set('Content-Type', 'text/csv').send(csv.text).expect(200);
    expect(back.body.rejected).toBe(0);
    expect(back.body.created).toBe(0);
    expect(back.body.updated).toBe(n);
    const again = await admin.post('/api/procedures/import?format=json').set('Content-Type', 'application/json').send(json.text).expect(200);
    expect(again.body).toMatchObject({ created: 0, rejected: 0 });
    expect(await count()).toBe(n);
    // The step tables survived the CSV round trip (CSV does not carry them).
    const birth = (await admin.get('/api/procedures?q=khai sinh').expect(200)).body.items[0];
    expect(birth.steps).toHaveLength(5);
    expect(birth.components[0]).toEqual({ name: 'Tờ khai đăng ký khai sinh', copyType: 'original', quantity: 1, required: true });
  });

  it('reports per row what was created, updated or rejected and why', async () => {
    const header = 'code,name,field,level,agencyId,limitValue,limitUnit,onlineLevel,components,fees';
    const csv = [
      header,
      '1.200001,"Thủ tục mới, có dấu phẩy",Hộ tịch,province,stp,5,days,full,"Tờ khai|original|1|required; CCCD|copy|1|optional",Lệ phí|10000',
      '1.001193,Đăng ký khai sinh,Hộ tịch,commune,xa-phu-long,1,days,full,,',
      'bad-code,Thủ tục lỗi,Hộ tịch,province,stp,5,days,full,,',
      '1.200002,Thủ tục lỗi,Hộ tịch,province,stp,năm,days,full,,',
      '1.200003,Thủ tục sai đơn vị,Hộ tịch,province,khong-co,5,days,full,,',
      '1.200001,Trùng mã trong tệp,Hộ tịch,province,stp,5,days,full,,',
      '1.200004,Thiếu ô,Hộ tịch',
    ].join('\r\n');
    const res = await admin.post('/api/procedures/import?format=csv').set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(res.body.rows).toEqual([
      expect.objectContaining({ row: 1, code: '1.200001', outcome: 'created' }),
      expect.objectContaining({ row: 2, code: '1.001193', outcome: 'updated' }),
      expect.objectContaining({ row: 3, code: 'bad-code', outcome: 'rejected', reason: expect.stringMatching(/^Giá trị “code”: mã thủ tục quốc gia/), reasonEn: expect.stringMatching(/^Value “code”: a national procedure code/), reasonKey: 'catalog.codeFormat' }),
      expect.objectContaining({ row: 4, code: '1.200002', outcome: 'rejected', reason: 'limitValue: "năm" không phải là số', reasonEn: 'limitValue: "năm" is not a number' }),
      expect.objectContaining({ row: 5, code: '1.200003', outcome: 'rejected', reason: 'agencyId: Không có đơn vị "khong-co"', reasonEn: 'agencyId: Unknown unit "khong-co"', reasonKey: 'catalog.unknownUnit' }),
      expect.objectContaining({ row: 6, code: '1.200001', outcome: 'rejected', reasonEn: expect.stringMatching(/twice/), reason: expect.stringMatching(/hai lần/) }),
      expect.objectContaining({ row: 7, outcome: 'rejected', reasonEn: expect.stringMatching(/cells/), reasonKey: 'catalog.import.cellCount' }),
    ]);
    const created = (await admin.get('/api/procedures?q=1.200001').expect(200)).body.items[0];
    expect(created).toMatchObject({ name: 'Thủ tục mới, có dấu phẩy', fees: [{ description: 'Lệ phí', amount: 10000 }] });
    expect(created.components).toEqual([
      { name: 'Tờ khai', copyType: 'original', quantity: 1, required: true },
      { name: 'CCCD', copyType: 'copy', quantity: 1, required: false },
    ]);
    // A process owner imports only for their own units.
    const scoped = await owner.post('/api/procedures/import?format=json').send([procedureInput({ code: '1.200005', agencyId: 'sxd' })]).expect(200);
    expect(scoped.body.rows[0]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^managingAgencyId: bạn không có quyền/), reasonEn: expect.stringMatching(/managingAgencyId/) });
  });

  it('a dry run reports without writing', async () => {
    const n = await count();
    const res = await admin.post('/api/procedures/import?format=json&dryRun=true').send([procedureInput({ code: '1.300001' })]).expect(200);
    expect(res.body).toMatchObject({ dryRun: true, created: 1 });
    expect(await count()).toBe(n);
  });

  it('writes nothing on a malformed file', async () => {
    const n = await count();
    const bad = [
      ['csv', 'code,name\n"unterminated,x'],
      ['csv', 'foo,bar\n1,2'],
      ['csv', ''],
      ['json', '{"not": "a list"}'],
      ['json', '[{"code": "1.400001",'],
    ] as const;
    for (const [format, body] of bad) {
      const res = await admin.post(`/api/procedures/import?format=${format}`).set('Content-Type', 'text/plain').send(body);
      expect([format, body, res.status]).toEqual([format, body, 400]);
      expect(res.body.message.length).toBeGreaterThan(5);
    }
    await admin.post('/api/procedures/import?format=xml').set('Content-Type', 'text/plain').send('<x/>').expect(400);
    expect(await count()).toBe(n);
  });
});

describe('csv', () => {
  it('round-trips quotes, commas, newlines and Vietnamese text', () => {
    const rows = [['a', 'b,c', 'd"e'], ['Đăng ký', 'dòng 1\ndòng 2', '']];
    const text = formatCsv(rows);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(parseCsv(text)).toEqual(rows);
  });
  it('refuses text after a closing quote and unclosed quotes', () => {
    expect(() => parseCsv('"a"b,c')).toThrow(/closing quote/);
    expect(() => parseCsv('"abc')).toThrow(/not closed/);
  });
});
