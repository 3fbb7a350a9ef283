import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { loginAs } from '../helpers/auth.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';
import { docxText } from '../helpers/docx-text.js';
import { pdfText } from '../helpers/pdf-text.js';
import { APPLICANT, BIRTH_COMPONENTS, binaryParser, procedureId } from '../dossiers/setup.js';
import { WORKER, startListening, until } from '../workers/helpers.js';

let env: Awaited<ReturnType<typeof startListening>>;
let officer: Awaited<ReturnType<typeof loginAs>>;
let leader: Awaited<ReturnType<typeof loginAs>>;
let birth: string;
const UNIT = 'xa-phu-long';

beforeAll(async () => {
  env = await startListening();
  officer = await loginAs(env.platform.app, 'motcua.xa');
  leader = await loginAs(env.platform.app, 'lanhdao.xa');
  birth = await procedureId(env.platform, '1.001193');
});
afterAll(async () => { await env.close(); });

async function receive(): Promise<{ id: string; code: string; dueAt: string; instanceId: string }> {
  const res = await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS, content: 'Đăng ký khai sinh' });
  expect(res.status).toBe(201);
  return res.body;
}
const addWorkingDays = async (d: Date | string, workingDays: number) =>
  new Date((await request(env.platform.app).post('/api/calendar/deadline').send({ receivedAt: new Date(d).toISOString(), limit: { workingDays }, unitId: UNIT })).body.dueAt);
/** "17 giờ 00 phút, ngày 03/12/2026" as the forms print an instant (Vietnam time). */
function vn(d: Date): string {
  const l = new Date(d.getTime() + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(l.getUTCHours())} giờ ${p(l.getUTCMinutes())} phút, ngày ${p(l.getUTCDate())}/${p(l.getUTCMonth() + 1)}/${l.getUTCFullYear()}`;
}

describe('form 04: apology and new date, from the recorded apology', () => {
  test('PDF and DOCX carry the fields of TTHC.md §5; scoped by unit; audited; none before an apology', async () => {
    const d = await receive();
    await officer.get(`/api/dossiers/${d.id}/forms/04.pdf`).expect(409);

    const newDue = await addWorkingDays(d.dueAt, 3);
    const issued = await request(env.platform.app).post('/api/apologies').set('Authorization', WORKER).send({
      dossierCode: d.code, unitId: UNIT, originalDueAt: d.dueAt, newDueAt: newDue.toISOString(),
      reason: 'Chờ kết quả xác minh nơi cư trú của Công an xã', signedBy: 'Hoàng Văn Lãnh', contact: {},
    });
    expect(issued.status).toBe(201);

    const pdf = await officer.get(`/api/dossiers/${d.id}/forms/04.pdf`).buffer(true).parse(binaryParser).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
    for (const expected of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
      `Kính gửi: ${APPLICANT.fullName}`, `Số Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mã hồ sơ): ${d.code}`, 'Đăng ký khai sinh',
      `Thời hạn trả kết quả giải quyết hồ sơ: ${vn(new Date(d.dueAt))}`,
      'Lý do: Chờ kết quả xác minh nơi cư trú của Công an xã', 'xin lỗi Ông/Bà', vn(newDue), 'THỦ TRƯỞNG CƠ QUAN', 'Hoàng Văn Lãnh',
    ]) expect(text).toContain(expected);

    const docx = await officer.get(`/api/dossiers/${d.id}/forms/04.docx`).buffer(true).parse(binaryParser).expect(200);
    const words = docxText(docx.body as Buffer);
    expect(words).toContain('Chờ kết quả xác minh nơi cư trú của Công an xã');
    expect(words).toContain(vn(newDue));
    expect(words).toContain('Độc lập - Tự do - Hạnh phúc');

    const other = await loginAs(env.platform.app, 'chuyenvien.xa2');
    await other.get(`/api/dossiers/${d.id}/forms/04.pdf`).expect(404);
    await until(async () => (await env.platform.db.knex('audit_log').where({ action: 'access:read', target_id: d.id, username: 'motcua.xa' })).length >= 3, 'the reads audited');
    // The other forms still answer from the dossier router.
    await officer.get(`/api/dossiers/${d.id}/forms/01.pdf`).expect(200);
    await officer.get(`/api/dossiers/${d.id}/forms/09.pdf`).expect(400);
  });

  test('the leader signs on the apology task: bad dates and a second apology are refused with nothing written; a good one completes the task', async () => {
    const d = await receive();
    const watch = await env.platform.db.knex('engine_instance').where({ business_key: d.code }).whereNot({ id: d.instanceId }).first('id');
    // Controlled time: the reminder falls due now; the reminder step is completed as the worker would.
    await env.platform.db.knex('engine_timer').where({ instance_id: watch.id }).update({ due_at: new Date(Date.now() - 1000) });
    const locked = await until(async () => {
      const r = await request(env.platform.app).post('/engine-rest/external-task/fetchAndLock').set('Authorization', WORKER)
        .send({ workerId: 'form04-test', maxTasks: 1, topics: [{ topicName: 'tthc.remind-before-due', lockDuration: 60_000 }] });
      return (r.body as Array<{ id: string; processInstanceId: string }>).find((t) => t.processInstanceId === watch.id);
    }, 'the reminder task');
    await request(env.platform.app).post(`/engine-rest/external-task/${locked.id}/complete`).set('Authorization', WORKER)
      .send({ workerId: 'form04-test', variables: { reminderSkipped: { value: false } } }).expect(204);
    const task = await until<{ id: string }>(async () => (await env.platform.db.knex('engine_task').where({ instance_id: watch.id, task_definition_key: 'WriteApology' }).first('id')), 'the apology task');

    const sign = (body: object) => leader.post(`/api/apologies/tasks/${task.id}`).send(body);
    const before = await sign({ reason: 'Chờ xác minh', newDueAt: new Date(new Date(d.dueAt).getTime() - 3_600_000).toISOString() });
    expect(before.status).toBe(400);
    expect(before.body.message).toMatch(/sau hạn ban đầu/);
    const beyond = await sign({ reason: 'Chờ xác minh', newDueAt: (await addWorkingDays(d.dueAt, 40)).toISOString() });
    expect(beyond.status).toBe(400);
    expect(beyond.body.message).toMatch(/tối đa/);
    const early = new Date(new Date(d.dueAt).getTime() - 3_600_000).toISOString();
    await expectKeyedRefusal(() => sign({ reason: 'Chờ xác minh', newDueAt: early }), 400, 'deadlines.notAfterOriginal', /sau hạn ban đầu/, /must be after the original due date/);
    await expectKeyedRefusal(() => sign({ reason: 'x', newDueAt: 'ngày mai' }), 400, 'deadlines.giveDelayReason', 'Trường “reason”: nêu lý do chậm trễ', 'Field “reason”: give the reason for the delay');
    // Someone else's unit: not found, and the task stays open.
    const other = await loginAs(env.platform.app, 'chuyenvien.xa2');
    expect((await other.post(`/api/apologies/tasks/${task.id}`).send({ reason: 'Chờ xác minh', newDueAt: (await addWorkingDays(d.dueAt, 2)).toISOString() })).status).toBe(404);
    expect(await env.platform.db.knex('engine_task').where({ id: task.id })).toHaveLength(1);
    expect(await env.platform.db.knex('dossier_extension').where({ dossier_code: d.code })).toEqual([]);

    const newDue = await addWorkingDays(d.dueAt, 2);
    const ok = await sign({ reason: 'Chờ ý kiến của Sở Tư pháp', newDueAt: newDue.toISOString() });
    expect(ok.status).toBe(200);
    expect(ok.body.signedBy).toBe('Hoàng Văn Lãnh');
    expect(await env.platform.db.knex('engine_task').where({ id: task.id })).toEqual([]);
    // The issue step now holds what was signed (the tthc.apology.issue worker posts it to /api/apologies).
    const issue = await until(async () => {
      const r = await request(env.platform.app).post('/engine-rest/external-task/fetchAndLock').set('Authorization', WORKER)
        .send({ workerId: 'form04-test', maxTasks: 1, topics: [{ topicName: 'tthc.apology.issue', lockDuration: 60_000 }] });
      return (r.body as Array<{ processInstanceId: string; variables: Record<string, { value: unknown }> }>).find((t) => t.processInstanceId === watch.id);
    }, 'the issue task');
    expect(issue.variables.apologyReason?.value).toBe('Chờ ý kiến của Sở Tư pháp');
    expect(new Date(String(issue.variables.apologyNewDueAt?.value)).getTime()).toBe(newDue.getTime());
    expect(issue.variables.apologySignedBy?.value).toBe('Hoàng Văn Lãnh');

    // Once issued, a second apology on the same dossier is a 409 at signing time too.
    await request(env.platform.app).post('/api/apologies').set('Authorization', WORKER).send({
      dossierCode: d.code, unitId: UNIT, originalDueAt: d.dueAt, newDueAt: newDue.toISOString(), reason: 'Chờ ý kiến của Sở Tư pháp', signedBy: 'Hoàng Văn Lãnh', contact: {},
    }).expect(201);
    const again = await request(env.platform.app).post('/api/apologies').set('Authorization', WORKER).send({
      dossierCode: d.code, unitId: UNIT, originalDueAt: d.dueAt, newDueAt: (await addWorkingDays(d.dueAt, 4)).toISOString(), reason: 'Lần hai', signedBy: 'Hoàng Văn Lãnh', contact: {},
    });
    expect(again.status).toBe(409);
    const dossier = (await officer.get(`/api/dossiers/${d.id}`).expect(200)).body;
    expect(new Date(dossier.dueAt).getTime()).toBe(newDue.getTime());
    const text = await pdfText((await officer.get(`/api/dossiers/${d.id}/forms/04.pdf`).buffer(true).parse(binaryParser).expect(200)).body as Buffer);
    expect(text).toContain('Chờ ý kiến của Sở Tư pháp');
  });
});
