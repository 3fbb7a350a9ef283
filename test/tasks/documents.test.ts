import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { formatLocal } from '../../server/calendar/index.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';
import { APPLICANT, BIRTH_COMPONENTS, binaryParser, pdfText, procedureId } from '../dossiers/setup.js';

/**
 * A birth registration received at the one-stop office and worked through the tasklist to the end;
 * then its control slip (form 06) lists every hand-over with early / on time / late, and the
 * commune's register (form 07) for the period has its line, as PDF, DOCX and XLSX.
 */
let platform: TestPlatform;
const c: Record<string, AuthedClient> = {};
let dossier: { id: string; code: string; instanceId: string };
const today = formatLocal(new Date()).slice(0, 10);

async function work(who: string): Promise<string> {
  const list = (await c[who]!.get('/api/tasks').query({ tab: 'group', code: dossier.code }).expect(200)).body;
  expect(list.items).toHaveLength(1);
  const id = list.items[0].id as string;
  await c[who]!.post(`/api/tasks/${id}/claim`).expect(204);
  const done = await c[who]!.post(`/api/tasks/${id}/complete`).send({ comment: `Xong bước của ${who}` });
  expect([list.items[0].step.key, done.status, done.body]).toEqual([list.items[0].step.key, 200, done.status === 200 ? done.body : {}]);
  return list.items[0].step.key as string;
}

beforeAll(async () => {
  platform = await createTestPlatform();
  for (const u of ['motcua.xa', 'chuyenvien.xa', 'lanhdao.xa', 'vanthu.xa', 'chuyenvien.xa2']) c[u] = await loginAs(platform.app, u);
  const birth = await procedureId(platform, '1.001193');
  const res = await c['motcua.xa']!.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS, content: 'Đăng ký khai sinh' }).expect(201);
  dossier = res.body;
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('a received dossier through the tasklist', () => {
  it('shows the dossier\'s code, procedure and masked applicant, then moves step by step to the end', async () => {
    const row = (await c['motcua.xa']!.get('/api/tasks').query({ tab: 'group', applicant: 'nguyen thi anh duong' }).expect(200)).body.items[0];
    expect(row).toMatchObject({ code: dossier.code, procedure: { code: '1.001193', name: 'Đăng ký khai sinh' }, applicant: 'Nguyễn T. Á. D.', dossierId: dossier.id });
    expect(row.dossierDueAt).not.toBeNull();
    // Reception already decided to accept (the process starts with decision=accept): B1 hands the dossier on.
    const steps = [await work('motcua.xa'), await work('chuyenvien.xa'), await work('lanhdao.xa'), await work('vanthu.xa'), await work('motcua.xa')];
    expect(steps).toEqual(['Step_B1', 'Step_B2', 'Step_B3', 'Step_B4', 'Step_B5']);
  });

  it('form 06 lists every hand-over with the time and early / on time / late, as PDF and DOCX', async () => {
    const pdf = await c['lanhdao.xa']!.get(`/api/dossiers/${dossier.id}/forms/06.pdf`).buffer(true).parse(binaryParser).expect(200).expect('Content-Type', 'application/pdf');
    const text = await pdfText(pdf.body as Buffer);
    expect(text).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain(dossier.code);
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    // Reading order (no layout): each cell's lines in sequence, so names wrapped in a cell join again.
    const flow = text.replace(/\s+/g, ' ');
    // Narrow cells interleave in text extraction: check each row's start and the people named.
    expect(flow.match(/\b[1-5] Giao: /g)).toHaveLength(5);
    for (const who of ['Võ Thị Một', 'Đặng Văn Chuyên', 'Hoàng Văn', 'Ngô Thị Văn Thư']) expect(flow).toContain(who);
    const tl = (await c['lanhdao.xa']!.get(`/api/dossiers/${dossier.id}/handovers`).expect(200)).body;
    expect(tl.handOvers.map((h: { stepName: string; by: string }) => `${h.stepName}:${h.by}`)).toEqual([
      'Tiếp nhận hồ sơ:motcua.xa', 'Thẩm định hồ sơ, ghi sổ hộ tịch:chuyenvien.xa', 'Ký Giấy khai sinh:lanhdao.xa', 'Đóng dấu, phát hành:vanthu.xa', 'Trả kết quả:motcua.xa']);
    // Every step was completed through the tasklist, so each hand-over is judged against its step's due.
    expect((text.match(/Trước hạn|Đúng hạn|Quá hạn/g) ?? []).length).toBe(5);
    expect(text).toMatch(/\d{2} giờ \d{2} phút, ngày \d{2}\/\d{2}\/\d{4}/);
    const docx = await c['lanhdao.xa']!.get(`/api/dossiers/${dossier.id}/forms/06.docx`).buffer(true).parse(binaryParser).expect(200);
    expect((docx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    // Form 01 is still the dossier capability's; another commune reads neither.
    await c['lanhdao.xa']!.get(`/api/dossiers/${dossier.id}/forms/01.pdf`).buffer(true).parse(binaryParser).expect(200);
    await c['chuyenvien.xa2']!.get(`/api/dossiers/${dossier.id}/forms/06.pdf`).expect(404);
  });

  it('form 07 for the commune and the period has the dossier\'s line, as XLSX (exceljs), PDF and DOCX; other units and bad periods are refused', async () => {
    const xlsx = await c['lanhdao.xa']!.get('/api/registers/07').query({ unit: 'xa-phu-long', from: today, to: today, format: 'xlsx' })
      .buffer(true).parse(binaryParser).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(3).getCell(2).value).toBe('Mã hồ sơ');
    const line = ws.getRow(4).values as unknown[];
    expect(line.slice(1, 6)).toEqual([1, dossier.code, 'Đăng ký khai sinh', APPLICANT.fullName, expect.any(String)]);
    expect(ws.rowCount).toBe(4);
    const pdf = await c['lanhdao.xa']!.get('/api/registers/07').query({ unit: 'xa-phu-long', from: today, to: today }).buffer(true).parse(binaryParser).expect(200);
    expect(await pdfText(pdf.body as Buffer)).toContain(dossier.code);
    await c['lanhdao.xa']!.get('/api/registers/07').query({ unit: 'xa-phu-long', from: today, to: today, format: 'docx' }).buffer(true).parse(binaryParser).expect(200);
    const empty = await c['lanhdao.xa']!.get('/api/registers/07').query({ unit: 'xa-phu-long', from: '2020-01-01', to: '2020-12-31', format: 'xlsx' }).buffer(true).parse(binaryParser).expect(200);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(empty.body as never);
    expect(wb2.worksheets[0]!.rowCount).toBe(3);
    await expectKeyedRefusal(() => c['chuyenvien.xa2']!.get('/api/registers/07').query({ unit: 'xa-phu-long', from: today, to: today }), 404, 'registers.noUnit', 'Không có đơn vị xa-phu-long', 'No unit xa-phu-long');
    await expectKeyedRefusal(() => c['lanhdao.xa']!.get('/api/registers/07').query({ unit: 'xa-phu-long', from: today, to: '2020-01-01' }), 400, 'registers.toBeforeFrom', 'không được trước', 'must not be before from');
    await c['lanhdao.xa']!.get('/api/registers/07').query({ unit: 'xa-phu-long', from: today, to: today, format: 'csv' }).expect(400);
  });
});
