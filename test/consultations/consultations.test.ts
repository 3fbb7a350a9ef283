import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { WORKER } from '../workers/helpers.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

let platform: TestPlatform;
let owner: AuthedClient;
let consulted: AuthedClient;
beforeAll(async () => {
  platform = await createTestPlatform();
  owner = await loginAs(platform.app, 'owner.stp');
  consulted = await loginAs(platform.app, 'chuyenvien.stnmt');
});
afterAll(async () => { await platform.close(); });

const knex = () => platform.db.knex;
const open = (body: Record<string, unknown>) => request(platform.app).post('/api/consultations').set('Authorization', WORKER).send(body);

describe('the lifecycle validator learns the consultation rules', () => {
  let procedureId: string;
  let seedXml: string;
  beforeAll(async () => {
    procedureId = (await owner.get('/api/procedures?q=ly lich tu phap').expect(200)).body.items[0].id;
    const proc = await owner.get(`/api/procedures/${procedureId}/process`).expect(200);
    seedXml = (await owner.get(`/api/process-versions/${proc.body.versions[0].id}`).expect(200)).body.xml;
    expect(seedXml).toContain('tthc:consultAgency="Công an tỉnh"');
  });

  const rulesOf = async (xml: string) => {
    const res = await owner.post('/api/process-versions/validate').send({ xml, procedureId }).expect(200);
    return (res.body.findings as Array<{ ruleId: string; severity: string; elementId?: string; message: { vi: string } }>).filter((f) => f.ruleId.includes('consultation'));
  };

  test('the seed process passes: its agency is a registered outside agency and it waits for the reply message', async () => {
    expect(await rulesOf(seedXml)).toEqual([]);
  });

  test.each([
    ['no consulted agency', (x: string) => x.replace(' tthc:consultAgency="Công an tỉnh"', ''), 'tthc/consultation-agency'],
    ['an unknown unit', (x: string) => x.replace('tthc:consultAgency="Công an tỉnh"', 'tthc:consultAgency="Sở Không Tồn Tại"'), 'tthc/consultation-unknown-agency'],
    ['a reply deadline that is not working time', (x: string) => x.replace('tthc:replyDeadline="5d"', 'tthc:replyDeadline="5 ngày"'), 'tthc/consultation-deadline'],
  ])('%s is an error at validation and at submit, and nothing is written', async (_what, edit, ruleId) => {
    const xml = edit(seedXml);
    const found = await rulesOf(xml);
    expect(found.map((f) => [f.ruleId, f.severity, f.elementId])).toEqual([[ruleId, 'error', 'Step_B3']]);
    const draft = await owner.post(`/api/procedures/${procedureId}/versions`).send({ xml }).expect(201);
    const submit = await owner.post(`/api/process-versions/${draft.body.id}/submit`).send({});
    expect(submit.status).toBe(400);
    expect(submit.body.details.map((f: { ruleId: string }) => f.ruleId)).toContain(ruleId);
    const after = await owner.get(`/api/process-versions/${draft.body.id}`).expect(200);
    expect(after.body.state).toBe('draft');
    expect(await knex()('process_lifecycle_action').where({ version_id: draft.body.id, action: 'submit' })).toEqual([]);
    await owner.post(`/api/process-versions/${draft.body.id}/discard`).send({}).expect(200);
  });

  test('a consultation step that does not wait for the reply is a warning', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="C" />
    <bpmn:serviceTask id="C" camunda:type="external" camunda:topic="tthc.consultation.request" tthc:budget="1d" tthc:consultAgency="stnmt" tthc:replyDeadline="1d" />
    <bpmn:sequenceFlow id="f2" sourceRef="C" targetRef="E" /><bpmn:endEvent id="E" /></bpmn:process></bpmn:definitions>`;
    expect((await rulesOf(xml)).map((f) => [f.ruleId, f.severity])).toEqual([['tthc/consultation-reply-wait', 'warning']]);
  });

  test('two consultation steps waiting for the same reply message warn (they cannot be told apart in parallel); per-step messages pass', async () => {
    const xml = (a: string, b: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:message id="MA" name="${a}" /><bpmn:message id="MB" name="${b}" />
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="G" /><bpmn:parallelGateway id="G" />
    <bpmn:sequenceFlow id="fa" sourceRef="G" targetRef="CA" />
    <bpmn:serviceTask id="CA" camunda:type="external" camunda:topic="tthc.consultation.request" tthc:budget="1d" tthc:consultAgency="stnmt" tthc:replyDeadline="1d" />
    <bpmn:sequenceFlow id="fa2" sourceRef="CA" targetRef="WA" /><bpmn:intermediateCatchEvent id="WA"><bpmn:messageEventDefinition messageRef="MA" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="fa3" sourceRef="WA" targetRef="J" />
    <bpmn:sequenceFlow id="fb" sourceRef="G" targetRef="CB" />
    <bpmn:serviceTask id="CB" camunda:type="external" camunda:topic="tthc.consultation.request" tthc:budget="1d" tthc:consultAgency="stp" tthc:replyDeadline="1d" />
    <bpmn:sequenceFlow id="fb2" sourceRef="CB" targetRef="WB" /><bpmn:intermediateCatchEvent id="WB"><bpmn:messageEventDefinition messageRef="MB" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="fb3" sourceRef="WB" targetRef="J" /><bpmn:parallelGateway id="J" />
    <bpmn:sequenceFlow id="f9" sourceRef="J" targetRef="E" /><bpmn:endEvent id="E" /></bpmn:process></bpmn:definitions>`;
    const shared = await rulesOf(xml('tthc.consultation.reply', 'tthc.consultation.reply'));
    expect(shared.map((f) => [f.ruleId, f.severity, f.elementId])).toEqual([['tthc/consultation-reply-shared', 'warning', 'CB']]);
    expect(shared[0]!.message.vi).toContain('tthc.consultation.reply.<mã bước>');
    expect(await rulesOf(xml('tthc.consultation.reply.CA', 'tthc.consultation.reply.CB'))).toEqual([]);
  });
});

describe('bad input to /api/consultations: 4xx, Vietnamese message, nothing written', () => {
  it('answers in English when asked, with the same key (#16)', async () => {
    await expectKeyedRefusal(() => open({ ...base, consultAgency: 'xa-phu-long', replyDeadline: '5d' }), 400, 'consultations.notItself',
      'Không lấy ý kiến chính đơn vị mình', 'A unit does not consult itself');
    await expectKeyedRefusal(() => request(platform.app).get('/api/consultations/abc').set('Authorization', WORKER), 400, 'consultations.notAnId',
      'Tham số đường dẫn “id”: mã đề nghị không hợp lệ', 'Path parameter “id”: not a consultation id');
  });

  const base = { dossierCode: 'HS-B-1', stepKey: 'Consult', requestingUnitId: 'xa-phu-long' };
  const count = async () => Number((await knex()('consultation').count({ n: '*' }))[0]!.n);

  test.each([
    ['unknown unit', { consultAgency: 'Sở Không Tồn Tại', replyDeadline: '5d' }, /Không có đơn vị hoặc cơ quan/],
    ['no agency', { replyDeadline: '5d' }, /tthc:consultAgency/],
    ['not a working-time deadline', { consultAgency: 'stnmt', replyDeadline: 'P5D' }, /thời gian làm việc/],
    ['no requesting unit', { consultAgency: 'stnmt', replyDeadline: '5d', requestingUnitId: undefined }, /đơn vị đề nghị/],
    ['a unit consulting itself', { consultAgency: 'xa-phu-long', replyDeadline: '5d' }, /chính đơn vị mình/],
  ])('opening with %s', async (_w, extra, message) => {
    const before = await count();
    const res = await open({ ...base, ...extra });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(res.body.key).toMatch(/^consultations\./);
    expect(await count()).toBe(before);
  });

  test('malformed bodies and ids', async () => {
    expect((await open({ ...base, consultAgency: 'stnmt', replyDeadline: '5d', extra: 1 })).status).toBe(400);
    expect((await open({ ...base, stepKey: 'a b<script>', consultAgency: 'stnmt', replyDeadline: '5d' })).status).toBe(400);
    expect((await consulted.get('/api/consultations/not-a-uuid')).status).toBe(400);
    expect((await consulted.get('/api/consultations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await consulted.post('/api/consultations/00000000-0000-4000-8000-000000000000/reply').send({ opinion: 'agree', text: 'x' })).status).toBe(404);
    expect((await consulted.get('/api/consultations').query({ side: 'sideways' })).status).toBe(400);
    // A citizen-facing role without the permission, and the worker API for staff: refused.
    expect((await consulted.post('/api/consultations').send({ ...base, consultAgency: 'stnmt', replyDeadline: '5d' })).status).toBe(403);
    expect((await request(platform.app).get('/api/consultations')).status).toBe(401);
  });

  test('two deliveries at once (two workers): one consultation, one notice, one watch', async () => {
    const body = { ...base, dossierCode: 'HS-B-9', consultAgency: 'stnmt', replyDeadline: '2d' };
    const [a, b] = await Promise.all([open(body), open(body)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(await knex()('consultation').where({ dossier_code: 'HS-B-9' })).toHaveLength(1);
    expect(await knex()('notification').where({ dossier_code: 'HS-B-9', recipient: 'chuyenvien.stnmt' })).toHaveLength(1);
    expect(await knex()('engine_instance').where({ business_key: 'HS-B-9' })).toHaveLength(1);
  });

  test('replies: opinion, text and explanation are checked; files are checked by content', async () => {
    const c = (await open({ ...base, dossierCode: 'HS-B-2', consultAgency: 'stnmt', replyDeadline: '2d' }).expect(201)).body;
    expect(c).toMatchObject({ status: 'open', dueState: 'on-time', consultedUnitId: 'stnmt', external: false });
    // The same call again (a redelivered task): the same consultation.
    const again = await open({ ...base, dossierCode: 'HS-B-2', consultAgency: 'stnmt', replyDeadline: '2d' }).expect(200);
    expect(again.body.id).toBe(c.id);
    const url = `/api/consultations/${c.id}/reply`;
    const bad = await consulted.post(url).send({ opinion: 'maybe', text: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/đồng ý/);
    expect((await consulted.post(url).send({ opinion: 'agree', text: '   ' })).body.message).toMatch(/nội dung ý kiến/);
    const exe = await consulted.post(url).field('opinion', 'agree').field('text', 'Đồng ý').attach('files', Buffer.from('MZ not a pdf'), 'virus.pdf');
    expect(exe.status).toBe(415);
    expect((await knex()('consultation').where({ id: c.id }).first('status')).status).toBe('open');
    // A PDF attached through the form: answered, the file downloadable by the reader.
    const ok = await consulted.post(url).field('opinion', 'disagree').field('text', 'Không phù hợp quy hoạch').field('explanation', '')
      .attach('files', Buffer.from('%PDF-1.4\n%%EOF\n'), 'Công văn trả lời.pdf');
    expect(ok.status).toBe(200);
    expect(ok.body.replyDocuments).toHaveLength(1);
    expect(ok.body.replyDocuments[0].name).toBe('Công văn trả lời.pdf');
    const file = await consulted.get(`/api/consultations/${c.id}/files/${ok.body.replyDocuments[0].id}`).expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    const one = await consulted.get(`/api/consultations/${c.id}`).expect(200);
    expect(one.body.events.map((e: { kind: string }) => e.kind)).toEqual(['sent', 'answered']);
    expect(one.body.may).toEqual({ reply: false, recordByHand: false });
    // Reminders for a bad instant, for an answered consultation.
    expect((await request(platform.app).post(`/api/consultations/${c.id}/remind`).set('Authorization', WORKER).send({ dueAt: 'tomorrow' })).body).toMatchObject({ answered: true });
  });

  test('record by hand is only for outside agencies, and late needs the explanation', async () => {
    const unit = (await open({ ...base, dossierCode: 'HS-B-3', consultAgency: 'stnmt', replyDeadline: '2d' }).expect(201)).body;
    const officer = await loginAs(platform.app, 'chuyenvien.xa');
    const byHand = await officer.post(`/api/consultations/${unit.id}/record`).send({ opinion: 'agree', text: 'x', receivedVia: 'email' });
    expect(byHand.status).toBe(409);
    const ext = (await open({ ...base, dossierCode: 'HS-B-4', consultAgency: 'cong-an-tinh', replyDeadline: '1d' }).expect(201)).body;
    expect(ext).toMatchObject({ external: true, agencyName: 'Công an tỉnh' });
    await knex()('consultation').where({ id: ext.id }).update({ reply_due_at: new Date(Date.now() - 86_400_000) });
    const future = await officer.post(`/api/consultations/${ext.id}/record`).send({ opinion: 'agree', text: 'x', receivedVia: 'email', receivedAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.status).toBe(400);
    const late = await officer.post(`/api/consultations/${ext.id}/record`).send({ opinion: 'agree', text: 'Không có án tích', receivedVia: 'email' });
    expect(late.status).toBe(400);
    expect(late.body.message).toMatch(/giải trình/);
    const onTime = await officer.post(`/api/consultations/${ext.id}/record`).send({
      opinion: 'agree', text: 'Không có án tích', receivedVia: 'paper', receivedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    });
    expect(onTime.status).toBe(200);
    expect(onTime.body).toMatchObject({ late: false, recordedByHand: true });
    // Only an administrator registers outside agencies; a unit id cannot be one.
    expect((await officer.post('/api/consultations/agencies').send({ id: 'bo-cong-an', name: 'Bộ Công an', email: null })).status).toBe(403);
    const admin = await loginAs(platform.app, 'admin');
    expect((await admin.post('/api/consultations/agencies').send({ id: 'stnmt', name: 'Trùng đơn vị', email: null })).status).toBe(409);
    expect((await admin.post('/api/consultations/agencies').send({ id: 'Bộ CA', name: 'x', email: 'no' })).status).toBe(400);
  });
});

describe('on the dossier', () => {
  test('sent, answered late, explanation: on the dossier\'s history, in the same transaction as the reply', async () => {
    const officer = await loginAs(platform.app, 'motcua.xa');
    const birth = (await knex()('procedure').where({ code: '1.001193' }).first('id')).id as string;
    const res = await officer.post('/api/dossiers').send({
      procedureId: birth, content: 'Đăng ký khai sinh cho con',
      applicant: { fullName: 'Lê Văn Cường', idNumber: '079190004321', address: 'Thôn 3, xã Phú Long', phone: '0987654321' },
      components: [{ name: 'Tờ khai đăng ký khai sinh', quantity: 1 }, { name: 'Giấy chứng sinh', quantity: 1 }],
    });
    expect(res.status).toBe(201);
    const d = res.body as { id: string; code: string };
    const attached = await officer.post(`/api/dossiers/${d.id}/files`).field('label', 'Giấy chứng sinh').attach('files', Buffer.from('%PDF-1.4\n%%EOF\n'), 'giay-chung-sinh.pdf');
    expect(attached.status).toBe(201);
    const c = (await open({ dossierCode: d.code, stepKey: 'Consult', consultAgency: 'Sở Nông nghiệp và Môi trường', replyDeadline: '3d', question: 'Xác nhận nơi cư trú' }).expect(201)).body;
    expect(c).toMatchObject({ dossierId: d.id, requestingUnitId: 'xa-phu-long', consultedUnitId: 'stnmt' });
    // The dossier's files go with the request: the consulted unit reads them through the consultation, not the dossier.
    expect(c.documents).toHaveLength(1);
    expect(c.documents[0].name).toContain('giay-chung-sinh.pdf');
    await consulted.get(`/api/consultations/${c.id}/files/${c.documents[0].id}`).expect(200);
    expect((await consulted.get(`/api/dossiers/${d.id}/files/${c.documents[0].id}`)).status).toBe(404);
    await knex()('consultation').where({ id: c.id }).update({ reply_due_at: new Date(Date.now() - 60_000) });
    await consulted.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'disagree', text: 'Không xác nhận được', explanation: 'Hệ thống dữ liệu dân cư gián đoạn' }).expect(200);
    const tl = await officer.get(`/api/dossiers/${d.id}/timeline`).expect(200);
    const kinds = tl.body.map((e: { kind: string }) => e.kind).filter((k: string) => k.startsWith('consultation-'));
    expect(kinds).toEqual(['consultation-sent', 'consultation-answered', 'consultation-late', 'consultation-explanation']);
    expect(tl.body.find((e: { kind: string }) => e.kind === 'consultation-explanation').reason).toBe('Hệ thống dữ liệu dân cư gián đoạn');
    // The work page's consultation history names people and units, not accounts and ids; the consultation page too.
    const work = await officer.get(`/api/dossiers/${d.id}/handovers`).expect(200);
    const answered = work.body.entries.find((e: { kind: string }) => e.kind === 'consultation-answered');
    expect(answered).toMatchObject({ by: 'chuyenvien.stnmt', byName: 'Trịnh Văn Đất Đai', unitId: 'stnmt', unitName: 'Sở Nông nghiệp và Môi trường' });
    expect(work.body.entries.find((e: { kind: string }) => e.kind === 'consultation-sent')).toMatchObject({ unitName: 'UBND xã Phú Long' });
    const page = await consulted.get(`/api/consultations/${c.id}`).expect(200);
    expect(page.body.events.map((e: { kind: string; actorName: string | null }) => [e.kind, e.actorName]))
      .toEqual([['sent', null], ['answered', 'Trịnh Văn Đất Đai'], ['late', 'Trịnh Văn Đất Đai'], ['explanation', 'Trịnh Văn Đất Đai']]);
    // The requesting unit sees it among the consultations it sent.
    expect(await knex()('notification').where({ dossier_code: d.code, recipient: 'chuyenvien.xa', template: 'consultation-answered' }).pluck('title'))
      .toEqual([`Sở Nông nghiệp và Môi trường đã trả lời ý kiến về hồ sơ ${d.code}`]);
    const sent = await (await loginAs(platform.app, 'chuyenvien.xa')).get('/api/consultations').query({ side: 'outgoing', dossierCode: d.code }).expect(200);
    expect(sent.body.items.map((x: { id: string; requestingUnitName: string }) => [x.id, x.requestingUnitName])).toEqual([[c.id, 'UBND xã Phú Long']]);
  });
});

describe('a department\'s consultation reaches its divisions', () => {
  const base = { stepKey: 'Consult', requestingUnitId: 'xa-phu-long', replyDeadline: '3d' };

  test('the division\'s specialist (stp-hctp) is told, lists, reads and answers a consultation sent to the department (stp)', async () => {
    const c = (await open({ ...base, dossierCode: 'HS-DIV-1', consultAgency: 'stp' }).expect(201)).body;
    expect(c.consultedUnitId).toBe('stp');
    // Told: the department's leader and the division's specialist.
    expect((await knex()('notification').where({ dossier_code: 'HS-DIV-1', template: 'consultation-request' }).pluck('recipient')).sort())
      .toEqual(['chuyenvien.stp', 'lanhdao.stp']);
    const division = await loginAs(platform.app, 'chuyenvien.stp');
    const incoming = await division.get('/api/consultations').query({ side: 'incoming', dossierCode: 'HS-DIV-1' }).expect(200);
    expect(incoming.body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
    const one = await division.get(`/api/consultations/${c.id}`).expect(200);
    expect(one.body.may).toEqual({ reply: true, recordByHand: false });
    const replied = await division.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree', text: 'Phòng Hành chính tư pháp đồng ý' }).expect(200);
    expect(replied.body).toMatchObject({ status: 'answered', repliedBy: 'Huỳnh Văn Tư Pháp' });
  });

  test('the department\'s own leader answers too', async () => {
    const c = (await open({ ...base, dossierCode: 'HS-DIV-2', consultAgency: 'stp' }).expect(201)).body;
    const leader = await loginAs(platform.app, 'lanhdao.stp');
    expect((await leader.get(`/api/consultations/${c.id}`).expect(200)).body.may.reply).toBe(true);
    await leader.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree_with_conditions', text: 'Đồng ý, bổ sung bản sao' }).expect(200);
  });

  test('scoping stays strict: another department\'s division, and a commune under the province, may not answer', async () => {
    const toStnmt = (await open({ ...base, dossierCode: 'HS-DIV-3', consultAgency: 'stnmt' }).expect(201)).body;
    const division = await loginAs(platform.app, 'chuyenvien.stp');
    expect((await division.get(`/api/consultations/${toStnmt.id}`)).status).toBe(404);
    expect((await division.post(`/api/consultations/${toStnmt.id}/reply`).send({ opinion: 'agree', text: 'x' })).status).toBe(403);
    expect((await division.get('/api/consultations').query({ side: 'incoming', dossierCode: 'HS-DIV-3' }).expect(200)).body.items).toEqual([]);
    // The province is not a department of divisions: a commune's specialist does not answer for it.
    const toProvince = (await open({ ...base, requestingUnitId: 'stp', dossierCode: 'HS-DIV-4', consultAgency: 'tinh' }).expect(201)).body;
    const commune = await loginAs(platform.app, 'chuyenvien.xa2');
    expect((await commune.get(`/api/consultations/${toProvince.id}`)).status).toBe(404);
    expect((await commune.post(`/api/consultations/${toProvince.id}/reply`).send({ opinion: 'agree', text: 'x' })).status).toBe(403);
    expect((await knex()('consultation').whereIn('id', [toStnmt.id, toProvince.id]).pluck('status'))).toEqual(['open', 'open']);
  });
});
