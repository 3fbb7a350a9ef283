import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { requestConsultation } from '../../workers/handlers/consult.js';
import type { Workers } from '../../workers/runner.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { startSmtpSink } from '../notifications/sinks.js';
import { ADMIN, WORKER, runWorkers, startListening, until } from './helpers.js';

/** A consultation step, the wait for the reply message, then a step that uses the opinion. */
const processXml = (key: string, agency: string, deadline = '2d') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="D_${key}" targetNamespace="t">
  <bpmn:message id="M_Reply" name="tthc.consultation.reply" />
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Consult" />
    <bpmn:serviceTask id="Consult" name="Lấy ý kiến về quy hoạch sử dụng đất" camunda:type="external" camunda:topic="tthc.consultation.request"
      tthc:role="specialist" tthc:budget="${deadline}" tthc:consultAgency="${agency}" tthc:replyDeadline="${deadline}" />
    <bpmn:sequenceFlow id="f2" sourceRef="Consult" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Nhận ý kiến"><bpmn:messageEventDefinition messageRef="M_Reply" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="Wait" targetRef="Summary" />
    <bpmn:userTask id="Summary" name="Tổng hợp ý kiến" camunda:candidateGroups="specialist" />
    <bpmn:sequenceFlow id="f4" sourceRef="Summary" targetRef="E" /><bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>`;

/** Two agencies consulted at once: each step's catch event waits for its own reply message. */
const parallelXml = (key: string, shared = false) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="D_${key}" targetNamespace="t">
  <bpmn:message id="M_A" name="tthc.consultation.reply${shared ? '' : '.ConsultLand'}" />
  <bpmn:message id="M_B" name="tthc.consultation.reply${shared ? '' : '.ConsultJustice'}" />
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Fork" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="fa1" sourceRef="Fork" targetRef="ConsultLand" />
    <bpmn:serviceTask id="ConsultLand" name="Lấy ý kiến Sở NN&amp;MT" camunda:type="external" camunda:topic="tthc.consultation.request" tthc:consultAgency="stnmt" tthc:replyDeadline="2d" />
    <bpmn:sequenceFlow id="fa2" sourceRef="ConsultLand" targetRef="WaitLand" />
    <bpmn:intermediateCatchEvent id="WaitLand" name="Ý kiến Sở NN&amp;MT"><bpmn:messageEventDefinition messageRef="M_A" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="fa3" sourceRef="WaitLand" targetRef="Join" />
    <bpmn:sequenceFlow id="fb1" sourceRef="Fork" targetRef="ConsultJustice" />
    <bpmn:serviceTask id="ConsultJustice" name="Lấy ý kiến Sở Tư pháp" camunda:type="external" camunda:topic="tthc.consultation.request" tthc:consultAgency="stp-hctp" tthc:replyDeadline="3d" />
    <bpmn:sequenceFlow id="fb2" sourceRef="ConsultJustice" targetRef="WaitJustice" />
    <bpmn:intermediateCatchEvent id="WaitJustice" name="Ý kiến Sở Tư pháp"><bpmn:messageEventDefinition messageRef="M_B" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="fb3" sourceRef="WaitJustice" targetRef="Join" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:sequenceFlow id="f9" sourceRef="Join" targetRef="Summary" />
    <bpmn:userTask id="Summary" name="Tổng hợp ý kiến" camunda:candidateGroups="specialist" />
    <bpmn:sequenceFlow id="f10" sourceRef="Summary" targetRef="E" /><bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>`;

let env: Awaited<ReturnType<typeof startListening>>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const running: Workers[] = [];
let consulted: AuthedClient;
let outsider: AuthedClient;
let requester: AuthedClient;

beforeAll(async () => {
  smtp = await startSmtpSink();
  env = await startListening({ SMTP_URL: smtp.url });
  // consult-unknown was deployed around the validator (raw /engine-rest deployment): the worker must not loop on it.
  const parallel = await request(env.platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'consult-parallel').attach('consult-parallel.bpmn', Buffer.from(parallelXml('consult-parallel')), 'consult-parallel.bpmn');
  expect(parallel.status).toBe(200);
  for (const [key, agency, deadline] of [['consult-unit', 'stnmt', '2d'], ['consult-police', 'Công an tỉnh', '1d'], ['consult-short', 'stnmt', '1d'], ['consult-unknown', 'Sở Không Tồn Tại', '1d']]) {
    const res = await request(env.platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
      .field('deployment-name', key!).attach(`${key}.bpmn`, Buffer.from(processXml(key!, agency!, deadline)), `${key}.bpmn`);
    expect(res.status).toBe(200);
  }
  consulted = await loginAs(env.platform.app, 'chuyenvien.stnmt');
  outsider = await loginAs(env.platform.app, 'chuyenvien.xa2');
  requester = await loginAs(env.platform.app, 'chuyenvien.xa');
});
afterAll(async () => {
  await Promise.all(running.map((w) => w.stop()));
  await env.close();
  await smtp.close();
});

/** A loaded shared machine can take a while; the waits are bounded by `until`, never timed assertions. */
const SLOW = 90_000;
const knex = () => env.platform.db.knex;
async function start(key: string, code: string): Promise<string> {
  const res = await request(env.platform.app).post(`/engine-rest/process-definition/key/${key}/start`).set('Authorization', WORKER)
    .send({ businessKey: code, variables: { dossierCode: { value: code }, unitId: { value: 'xa-phu-long' } } });
  expect(res.status).toBe(200);
  return res.body.id as string;
}
const consultationOf = (code: string) => until(async () => knex()('consultation').where({ dossier_code: code }).first(), `the consultation of ${code}`);
const tasksOf = async (instanceId: string) =>
  (await request(env.platform.app).get('/engine-rest/task').query({ processInstanceId: instanceId }).set('Authorization', ADMIN)).body as Array<{ taskDefinitionKey: string }>;
const notes = (username: string, code: string) => knex()('notification').where({ recipient: username, dossier_code: code }).orderBy('created_at').select('template');
/** Controlled time: the consultation's deadline is already behind us. */
const makeLate = (id: string) => knex()('consultation').where({ id }).update({ reply_due_at: new Date(Date.now() - 3_600_000) });

describe('consultations with the real client against our engine', () => {
  test('a worker that dies after opening, a second worker takes over: one consultation, one notice, one watch', async () => {
    let died = false;
    running.push(runWorkers(env.baseUrl, { WORKER_LOCK_MS: '1000', WORKER_SHUTDOWN_MS: '50', WORKER_ID: 'dying', WORKER_TOPICS: 'tthc.consultation.request' }, {
      'tthc.consultation.request': async (ctx) => { await requestConsultation(ctx); died = true; return new Promise(() => undefined); },
    }));
    const id = await start('consult-unit', 'HS-C-1');
    await until(async () => died, 'the first worker to open the consultation and die');
    await running[0]!.stop();
    running.push(runWorkers(env.baseUrl, { WORKER_ID: 'second' }), runWorkers(env.baseUrl, { WORKER_ID: 'third' }));
    // The process goes on to wait for the reply: the second delivery completed the task.
    await until(async () => (await knex()('engine_history').where({ instance_id: id, activity_id: 'Consult', kind: 'activity-end' }).first()) ?? false, 'the request step to complete');
    const rows = await knex()('consultation').where({ dossier_code: 'HS-C-1' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ consulted_unit_id: 'stnmt', requesting_unit_id: 'xa-phu-long', reply_deadline: '2d', status: 'open', step_key: 'Consult' });
    expect(rows[0].watch_instance_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await notes('chuyenvien.stnmt', 'HS-C-1')).toEqual([{ template: 'consultation-request' }]);
    expect(await knex()('engine_instance').where({ business_key: 'HS-C-1' }).whereNot({ id })).toHaveLength(1); // the one watch
    // Reply due 2 working days after it was sent, in working time.
    const sent = new Date(rows[0].sent_at);
    const due = await request(env.platform.app).post('/api/calendar/deadline').send({ receivedAt: sent.toISOString(), limit: { workingDays: 2 }, unitId: 'stnmt' });
    expect(new Date(rows[0].reply_due_at).getTime()).toBe(new Date(due.body.dueAt).getTime());
  }, SLOW);

  test('answered late: refused without an explanation, accepted with one; the process moves on; the timeline has it all', async () => {
    const id = await start('consult-unit', 'HS-C-2');
    const c = await consultationOf('HS-C-2');
    // The consulted unit sees it in its list; someone outside the consulted unit cannot answer.
    const list = await consulted.get('/api/consultations').query({ side: 'incoming', status: 'open' }).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(c.id);
    const other = await outsider.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree', text: 'Đồng ý' });
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/đơn vị được lấy ý kiến/);
    const requesterReply = await requester.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree', text: 'Đồng ý' });
    expect(requesterReply.status).toBe(403);
    expect(requesterReply.body.message).toMatch(/đơn vị được lấy ý kiến/);

    await makeLate(c.id);
    const refused = await consulted.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree_with_conditions', text: 'Phù hợp quy hoạch, đề nghị bổ sung bản vẽ' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/giải trình/);
    expect(await knex()('consultation').where({ id: c.id }).first('status')).toEqual({ status: 'open' });
    expect(await knex()('consultation_event').where({ consultation_id: c.id }).pluck('kind')).toEqual(['sent']);

    const ok = await consulted.post(`/api/consultations/${c.id}/reply`).send({
      opinion: 'agree_with_conditions', text: 'Phù hợp quy hoạch, đề nghị bổ sung bản vẽ', explanation: 'Chờ kết quả đo đạc thực địa',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'answered', late: true, delayExplanation: 'Chờ kết quả đo đạc thực địa', opinion: 'agree_with_conditions', dueState: 'answered-late' });
    const again = await consulted.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'disagree', text: 'Lần hai', explanation: 'x' });
    expect(again.status).toBe(409);

    // The reply message reached the process: it waits at "Tổng hợp ý kiến" now, with the opinion.
    await until(async () => (await tasksOf(id)).some((t) => t.taskDefinitionKey === 'Summary'), 'the process to move past the reply');
    const vars = (await request(env.platform.app).get(`/engine-rest/process-instance/${id}/variables`).set('Authorization', ADMIN)).body;
    expect(vars.consultationOpinion.value).toBe('agree_with_conditions');
    expect(vars.consultationLate.value).toBe(true);
    // The reminder watch ended with the answer.
    const watch = (await knex()('consultation').where({ id: c.id }).first('watch_instance_id')).watch_instance_id as string;
    expect(watch).toMatch(/^[0-9a-f-]{36}$/);
    await until(async () => (await knex()('engine_instance').where({ id: watch }).first('state'))?.state === 'COMPLETED', 'the watch to end');

    const tl = await requester.get(`/api/dossiers/${id}/handovers`).expect(200);
    const kinds = tl.body.entries.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['consultation-sent', 'consultation-answered', 'consultation-late', 'consultation-explanation']));
    expect(tl.body.entries.find((e: { kind: string }) => e.kind === 'consultation-explanation').comment).toBe('Chờ kết quả đo đạc thực địa');
  }, SLOW);

  test('on time, answered before the process waits: the relay delivers the message when it gets there', async () => {
    // A worker that opens the consultation and completes only after the reply was recorded.
    let release!: () => void;
    const replied = new Promise<void>((r) => { release = r; });
    const slow = runWorkers(env.baseUrl, { WORKER_ID: 'slow', WORKER_TOPICS: 'tthc.consultation.request' }, {
      'tthc.consultation.request': async (ctx) => { const out = await requestConsultation(ctx); await replied; return out; },
    });
    for (const w of running.splice(1)) await w.stop(); // only the slow worker takes this request
    try {
      const id = await start('consult-unit', 'HS-C-3');
      const c = await consultationOf('HS-C-3');
      const ok = await consulted.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree', text: 'Đồng ý' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ late: false, delayExplanation: null, dueState: 'answered' });
      expect((await knex()('consultation').where({ id: c.id }).first('correlated_at')).correlated_at).toBeNull();
      release();
      await until(async () => (await tasksOf(id)).some((t) => t.taskDefinitionKey === 'Summary'), 'the process to move past the reply');
      expect((await knex()('consultation').where({ id: c.id }).first('correlated_at')).correlated_at).not.toBeNull();
    } finally {
      release();
      await slow.stop();
      running.push(runWorkers(env.baseUrl, { WORKER_ID: 'second-again' }));
    }
  }, SLOW);

  test('the reminder repeats each working day until answered, once per day whatever the redeliveries', async () => {
    await start('consult-short', 'HS-C-4');
    const c = await consultationOf('HS-C-4');
    await until(async () => (await knex()('consultation').where({ id: c.id }).first('watch_instance_id')).watch_instance_id?.length === 36, 'the watch');
    const watch = (await knex()('consultation').where({ id: c.id }).first('watch_instance_id')).watch_instance_id as string;
    const timer = () => knex()('engine_timer').where({ instance_id: watch }).first('due_at');
    expect(new Date((await timer()).due_at).getTime()).toBe(new Date(c.reply_due_at).getTime());
    const reminded = () => knex()('consultation_event').where({ consultation_id: c.id, kind: 'reminded' }).orderBy('id').pluck('day');

    // Controlled time: the timer falls due now (day 1 = the deadline's day), then again (the next working day).
    await knex()('engine_timer').where({ instance_id: watch }).update({ due_at: new Date(Date.now() - 1000) });
    await until(async () => (await reminded()).length === 1, 'the first reminder');
    const next = await until(async () => { const t = await timer(); return t && new Date(t.due_at) > new Date(c.reply_due_at) ? t : undefined; }, 'the next day\'s timer');
    const day2 = await request(env.platform.app).post('/api/calendar/deadline').send({ receivedAt: new Date(c.reply_due_at).toISOString(), limit: { workingDays: 1 }, unitId: 'stnmt' });
    expect(new Date(next.due_at).getTime()).toBe(new Date(day2.body.dueAt).getTime());
    await knex()('engine_timer').where({ instance_id: watch }).update({ due_at: new Date(Date.now() - 1000) });
    await until(async () => (await reminded()).length === 2, 'the second reminder');
    const days = await reminded();
    expect(new Set(days.map(String)).size).toBe(2);

    // The consulted unit and the requester's division head were told each day (the notices are written just after
    // the reminder is recorded, so wait for them rather than read at once).
    await until(async () => (await notes('chuyenvien.stnmt', 'HS-C-4')).length >= 3 && (await notes('truongphong.xa', 'HS-C-4')).length >= 2, 'the second day\'s notices');
    expect(await notes('chuyenvien.stnmt', 'HS-C-4')).toEqual([{ template: 'consultation-request' }, { template: 'consultation-overdue' }, { template: 'consultation-overdue' }]);
    expect(await notes('truongphong.xa', 'HS-C-4')).toEqual([{ template: 'consultation-overdue' }, { template: 'consultation-overdue' }]);
    // A redelivered reminder for a day already reminded: nothing new.
    const firstDue = new Date(c.reply_due_at).toISOString();
    const dup = await request(env.platform.app).post(`/api/consultations/${c.id}/remind`).set('Authorization', WORKER).send({ dueAt: firstDue });
    expect(dup.status).toBe(200);
    expect(dup.body.reminded).toBe(false);
    expect(await notes('truongphong.xa', 'HS-C-4')).toHaveLength(2);
    expect((await knex()('consultation').where({ id: c.id }).first('reminders_sent')).reminders_sent).toBe(2);
  }, SLOW);

  test('an agency outside the platform: the request goes by email, an officer of the requesting unit records the reply by hand', async () => {
    const admin = await loginAs(env.platform.app, 'admin');
    await admin.post('/api/consultations/agencies').send({ id: 'cong-an-tinh', name: 'Công an tỉnh', email: 'pv06@congan.example.vn' }).expect(200);
    await start('consult-police', 'HS-C-5');
    const c = await consultationOf('HS-C-5');
    expect(c).toMatchObject({ agency_id: 'cong-an-tinh', consulted_unit_id: null, agency_name: 'Công an tỉnh' });
    const mail = await until(async () => smtp.mails.find((m) => m.subject.includes('HS-C-5')), 'the request email');
    expect(mail.to).toEqual(['pv06@congan.example.vn']);
    expect(mail.subject).toBe('UBND xã Phú Long đề nghị cho ý kiến về hồ sơ HS-C-5');
    // The consulted "unit" has nobody on the platform: the reply is recorded by the requesting unit.
    expect((await consulted.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree', text: 'x' })).status).toBe(403);
    expect((await requester.post(`/api/consultations/${c.id}/reply`).send({ opinion: 'agree', text: 'x' })).status).toBe(403);
    const rec = await requester.post(`/api/consultations/${c.id}/record`).send({ opinion: 'agree', text: 'Không có án tích (Công văn số 123/PV06)', receivedVia: 'paper' });
    expect(rec.status).toBe(200);
    expect(rec.body).toMatchObject({ status: 'answered', recordedByHand: true, late: false, repliedBy: 'Đặng Văn Chuyên' });
    expect(smtp.mails.filter((m) => m.subject.includes('HS-C-5'))).toHaveLength(1);
  }, SLOW);

  test('two agencies consulted in parallel in one process: each reply reaches its own step (per-step reply message), whatever the order', async () => {
    if (!running.length) running.push(runWorkers(env.baseUrl, { WORKER_ID: 'parallel' }));
    const id = await start('consult-parallel', 'HS-C-PAR');
    const both = await until(async () => { const r = await knex()('consultation').where({ dossier_code: 'HS-C-PAR' }).orderBy('step_key'); return r.length === 2 && r; }, 'both consultations');
    expect(both.map((c: { step_key: string; consulted_unit_id: string; reply_message: string }) => [c.step_key, c.consulted_unit_id, c.reply_message]))
      .toEqual([['ConsultJustice', 'stp-hctp', 'tthc.consultation.reply.ConsultJustice'], ['ConsultLand', 'stnmt', 'tthc.consultation.reply.ConsultLand']]);
    const [justice, land] = both as Array<{ id: string }>;
    const ended = async (activity: string) => Boolean(await knex()('engine_history').where({ instance_id: id, activity_id: activity, kind: 'activity-end' }).first());
    await until(async () => (await ended('ConsultLand')) && (await ended('ConsultJustice')), 'both request steps done, both catches waiting');

    // The second-opened agency answers first: only its own wait ends.
    const stp = await loginAs(env.platform.app, 'chuyenvien.stp');
    await stp.post(`/api/consultations/${justice!.id}/reply`).send({ opinion: 'disagree', text: 'Chưa đủ căn cứ pháp lý' }).expect(200);
    await until(async () => ended('WaitJustice'), 'the justice department\'s wait to end');
    expect(await ended('WaitLand')).toBe(false);
    expect((await tasksOf(id)).map((t) => t.taskDefinitionKey)).not.toContain('Summary');
    await consulted.post(`/api/consultations/${land!.id}/reply`).send({ opinion: 'agree', text: 'Phù hợp quy hoạch' }).expect(200);
    await until(async () => (await tasksOf(id)).some((t) => t.taskDefinitionKey === 'Summary'), 'both replies in, the join passed');
    const vars = (await request(env.platform.app).get(`/engine-rest/process-instance/${id}/variables`).set('Authorization', ADMIN)).body;
    expect(vars.ConsultJustice_opinion.value).toBe('disagree');
    expect(vars.ConsultLand_opinion.value).toBe('agree');
    expect(await knex()('consultation').where({ dossier_code: 'HS-C-PAR' }).whereNull('correlated_at')).toEqual([]);
  }, SLOW);

  test('a drawing that names an unknown agency (deployed around the validator): one incident, no retry loop, nothing written', async () => {
    const id = await start('consult-unknown', 'HS-C-6');
    const incident = await until(async () => knex()('engine_incident').where({ instance_id: id }).first(), 'the incident');
    expect(incident.message).toMatch(/Sở Không Tồn Tại/);
    expect(await knex()('consultation').where({ dossier_code: 'HS-C-6' })).toEqual([]);
  }, SLOW);
});
