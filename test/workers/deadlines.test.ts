import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import type { Workers } from '../../workers/runner.js';
import { loginAs } from '../helpers/auth.js';
import { startSmtpSink } from '../notifications/sinks.js';
import { ADMIN, WORKER, camundaDate, runWorkers, startListening, startWatch, until } from './helpers.js';

let env: Awaited<ReturnType<typeof startListening>>;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let workers: Workers;
const UNIT = 'xa-phu-long';
const EMAIL = 'tranthib@example.vn';

beforeAll(async () => {
  smtp = await startSmtpSink();
  env = await startListening({ SMTP_URL: smtp.url });
  workers = runWorkers(env.baseUrl);
});
afterAll(async () => {
  await workers.stop();
  await env.close();
  await smtp.close();
});

let calendarAdd: (d: Date, amount: { workingDays?: number; workingHours?: number }) => Promise<Date>;
beforeAll(() => {
  calendarAdd = async (d, amount) => {
    const r = await request(env.platform.app).post('/api/calendar/deadline')
      .send({ receivedAt: d.toISOString(), limit: amount, unitId: UNIT });
    return new Date(r.body.dueAt);
  };
});

const notificationsOf = (username: string, code: string) =>
  env.platform.db.knex('notification').where({ recipient: username, dossier_code: code }).orderBy('created_at').select('template', 'title');
const tasksOf = async (instanceId: string) =>
  (await request(env.platform.app).get('/engine-rest/task').query({ processInstanceId: instanceId }).set('Authorization', ADMIN)).body as Array<{ id: string; taskDefinitionKey: string; candidateGroups: string[] }>;
const varsOf = async (instanceId: string) =>
  (await request(env.platform.app).get(`/engine-rest/process-instance/${instanceId}/variables`).set('Authorization', ADMIN)).body as Record<string, { value: unknown }>;
/** Controlled time: the instance's timers fall due now instead of at their working-time instant. */
const fastForward = (instanceId: string) => env.platform.db.knex('engine_timer').where({ instance_id: instanceId }).update({ due_at: new Date(Date.now() - 1000) });

describe('every dossier is watched: reminder, apology, overdue escalation (real client, real engine)', () => {
  test('a dossier near its due date: reminder to assignee, division head and leader, then the apology task in the leader\'s tasklist', async () => {
    // Due one working day from now: the reminder (1 working day before) is due at once.
    const due = await calendarAdd(new Date(), { workingDays: 1 });
    const id = await startWatch(env.platform.app, 'HS-W-1', { dueAt: camundaDate(due), unitId: UNIT, applicantEmail: EMAIL });
    const task = await until(async () => (await tasksOf(id)).find((t) => t.taskDefinitionKey === 'WriteApology'), 'the apology task');
    expect(task.candidateGroups).toEqual(['leader']);
    expect(await notificationsOf('truongphong.xa', 'HS-W-1')).toEqual([{ template: 'remind-before-due', title: 'Hồ sơ HS-W-1 sắp đến hạn' }]);
    expect((await notificationsOf('lanhdao.xa', 'HS-W-1')).map((n) => n.template)).toEqual(['remind-before-due', 'write-apology']);
    const leader = await loginAs(env.platform.app, 'lanhdao.xa');
    expect((await leader.get('/engine-rest/task').query({ candidateGroup: 'leader' })).body.map((t: { id: string }) => t.id)).toContain(task.id);

    // The leader signs: reason and new date → the single extension, the citizen told by email before the original date.
    const newDue = await calendarAdd(due, { workingDays: 3 });
    const done = await leader.post(`/engine-rest/task/${task.id}/complete`).send({ variables: {
      apologyReason: { value: 'Chờ kết quả xác minh của cơ quan khác' }, apologyNewDueAt: { value: newDue.toISOString() }, apologySignedBy: { value: 'lanhdao.xa' },
    } });
    expect(done.status).toBe(204);
    const mail = await until(async () => smtp.mails.find((m) => m.subject.includes('HS-W-1')), 'the apology email');
    expect(mail.to).toEqual([EMAIL]);
    expect(mail.subject).toBe('Hồ sơ HS-W-1: thư xin lỗi và hẹn lại ngày trả kết quả');
    expect(mail.text).toContain('Chờ kết quả xác minh của cơ quan khác');
    const ext = await env.platform.db.knex('dossier_extension').where({ dossier_code: 'HS-W-1' }).first();
    expect(ext.late).toBe(false);
    expect(new Date(ext.new_due_at).getTime()).toBe(newDue.getTime());
    await until(async () => new Date(String((await varsOf(id)).dueAt?.value)).getTime() === newDue.getTime(), 'the watch to hold the new date');

    // A second apology is refused; nothing changes; no second email.
    const second = await request(env.platform.app).post('/api/apologies').set('Authorization', WORKER).send({
      dossierCode: 'HS-W-1', unitId: UNIT, originalDueAt: due.toISOString(), newDueAt: (await calendarAdd(due, { workingDays: 5 })).toISOString(),
      reason: 'Lần hai', signedBy: 'lanhdao.xa', contact: { email: EMAIL },
    });
    expect(second.status).toBe(409);
    expect(second.body.message).toMatch(/một lần/);

    // The original due date passes: the escalation sees the extended date and waits again, no SOS.
    await fastForward(id);
    await until(async () => {
      const timers = await env.platform.db.knex('engine_timer').where({ instance_id: id }).select('due_at');
      return timers.length === 1 && new Date(timers[0].due_at).getTime() === newDue.getTime();
    }, 'the due timer set again from the extended date');
    expect(await env.platform.db.knex('dossier_late').where({ dossier_code: 'HS-W-1' })).toEqual([]);
    expect(smtp.mails.filter((m) => m.subject.includes('HS-W-1'))).toHaveLength(1);
  });

  test('an unresolved dossier at its due date is counted late without apology and escalated to leaders and inspectors', async () => {
    const due = new Date(Date.now() - 60_000);
    const id = await startWatch(env.platform.app, 'HS-W-2', { dueAt: camundaDate(due), unitId: UNIT });
    const late = await until(async () => env.platform.db.knex('dossier_late').where({ dossier_code: 'HS-W-2' }).first(), 'the late record');
    expect(late.without_apology).toBe(true);
    await until(async () => (await notificationsOf('thanhtra', 'HS-W-2')).length === 1, 'the inspector told');
    expect(await notificationsOf('lanhdao.xa', 'HS-W-2')).toEqual(expect.arrayContaining([{ template: 'overdue', title: 'Hồ sơ HS-W-2 đã quá hạn' }]));
    await until(async () => (await varsOf(id)).lateWithoutApology?.value === true, 'the watch to record it');
  });

  test('a resolved dossier ends its watch: no reminder, no escalation', async () => {
    const due = await calendarAdd(new Date(), { workingDays: 5 });
    const id = await startWatch(env.platform.app, 'HS-W-3', { dueAt: camundaDate(due), unitId: UNIT });
    const msg = await request(env.platform.app).post('/engine-rest/message').set('Authorization', WORKER)
      .send({ messageName: 'tthc.dossier.resolved', businessKey: 'HS-W-3' });
    expect(msg.status).toBe(204);
    const inst = await request(env.platform.app).get('/engine-rest/history/process-instance').query({ processInstanceId: id }).set('Authorization', ADMIN);
    expect(inst.body.map((i: { state: string }) => i.state)).toEqual(['COMPLETED']);
    expect(await env.platform.db.knex('engine_timer').where({ instance_id: id })).toEqual([]);
  });

  test('apology dates: before the original due date or beyond the statutory maximum are refused, nothing written', async () => {
    const due = await calendarAdd(new Date(), { workingDays: 2 });
    const base = { dossierCode: 'HS-W-4', unitId: UNIT, originalDueAt: due.toISOString(), reason: 'Lý do', signedBy: 'lanhdao.xa', contact: {} };
    const before = await request(env.platform.app).post('/api/apologies').set('Authorization', WORKER).send({ ...base, newDueAt: new Date(due.getTime() - 3600_000).toISOString() });
    expect(before.status).toBe(400);
    expect(before.body.message).toMatch(/newDueAt.*sau hạn ban đầu/);
    const tooLate = await request(env.platform.app).post('/api/apologies').set('Authorization', WORKER).send({ ...base, newDueAt: (await calendarAdd(due, { workingDays: 40 })).toISOString() });
    expect(tooLate.status).toBe(400);
    expect(tooLate.body.message).toMatch(/tối đa/);
    const noReason = await request(env.platform.app).post('/api/apologies').set('Authorization', WORKER).send({ ...base, reason: ' ', newDueAt: (await calendarAdd(due, { workingDays: 1 })).toISOString() });
    expect(noReason.status).toBe(400);
    expect(await env.platform.db.knex('dossier_extension').where({ dossier_code: 'HS-W-4' })).toEqual([]);
  });
});

describe('wired to the dossier', () => {
  test('an accepted dossier gets its watch; at its due date the SOS is raised on it and "overdue" is on its timeline', async () => {
    const officer = await loginAs(env.platform.app, 'motcua.xa');
    const birth = (await env.platform.db.knex('procedure').where({ code: '1.001193' }).first('id')).id as string;
    const res = await officer.post('/api/dossiers').send({
      procedureId: birth, content: 'Đăng ký khai sinh cho con',
      applicant: { fullName: 'Lê Văn Cường', idNumber: '079190004321', address: 'Thôn 3, xã Phú Long', phone: '0987654321', email: 'cuong@example.vn' },
      components: [{ name: 'Tờ khai đăng ký khai sinh', quantity: 1 }, { name: 'Giấy chứng sinh', quantity: 1 }],
    });
    expect(res.status).toBe(201);
    const d = res.body as { id: string; code: string; instanceId: string; dueAt: string };
    const watch = await env.platform.db.knex('engine_instance').where({ business_key: d.code }).whereNot({ id: d.instanceId }).first('id', 'definition_id');
    expect(String(watch.definition_id)).toMatch(/^tthc-watch:/);
    const timers = await env.platform.db.knex('engine_timer').where({ instance_id: watch.id }).select('due_at');
    expect(timers.map((t: { due_at: Date }) => new Date(t.due_at).getTime())).toContain(new Date(d.dueAt).getTime());

    const overdue = await request(env.platform.app).post('/api/apologies/overdue').set('Authorization', WORKER)
      .send({ dossierCode: d.code, unitId: UNIT, dueAt: d.dueAt });
    expect(overdue.status).toBe(200);
    expect(overdue.body).toEqual({ created: true, apologised: false });
    const sos = await env.platform.db.knex('sos').where({ instance_id: d.instanceId }).select('status', 'automatic');
    expect(sos).toEqual([{ status: 'open', automatic: true }]);
    const tl = await officer.get(`/api/dossiers/${d.id}/timeline`).expect(200);
    expect(tl.body.map((e: { kind: string }) => e.kind)).toContain('overdue');
    // Once more (a redelivered task): no second SOS, no second count.
    expect((await request(env.platform.app).post('/api/apologies/overdue').set('Authorization', WORKER).send({ dossierCode: d.code, unitId: UNIT, dueAt: d.dueAt })).body.created).toBe(false);
    expect(await env.platform.db.knex('sos').where({ instance_id: d.instanceId })).toHaveLength(1);

    // The reminder falls due: the leader's "write the apology" task shows the dossier, not the watch process.
    await env.platform.db.knex('engine_timer').where({ instance_id: watch.id, activity_id: 'RemindTimer' }).update({ due_at: new Date(Date.now() - 1000) });
    const leader = await loginAs(env.platform.app, 'lanhdao.xa');
    const row = await until(async () => ((await leader.get('/api/tasks').query({ tab: 'group', code: d.code }).expect(200)).body.items as Array<Record<string, unknown>>)
      .find((t) => t.instanceId === watch.id), 'the apology task in the leader\'s group tab', 60_000);
    expect(row).toMatchObject({ code: d.code, procedure: { name: 'Đăng ký khai sinh' }, applicant: 'Lê V. C.' });
  });
});
