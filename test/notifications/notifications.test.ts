import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pino from 'pino';
import request from 'supertest';
import { createEmailAdapter, createNotificationService, createSmsAdapter } from '../../server/notifications/index.js';
import { basicAuthHeader, loginAs } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { startSmsStub, startSmtpSink, type SmsStub } from './sinks.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

let platform: TestPlatform;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let sms: SmsStub;
const WORKER = basicAuthHeader('worker');
const EMAIL = 'nguyenvana@example.vn';
const PHONE = '0912345678';

beforeAll(async () => {
  smtp = await startSmtpSink();
  sms = await startSmsStub();
  platform = await createTestPlatform({ SMTP_URL: smtp.url, SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_KEY: sms.key });
});
afterAll(async () => {
  await platform.close();
  await smtp.close();
  await sms.close();
});

const accepted = (code: string) => ({
  key: `${code}:citizen:accepted`, template: 'accepted', dossierCode: code, contact: { email: EMAIL, phone: PHONE },
  params: { dossierCode: code, procedureName: 'Đăng ký khai sinh', dueAt: '2026-12-02T17:00:00+07:00' },
});

describe('citizen notifications (email + SMS)', () => {
  test('an accepted dossier is announced once by email and SMS, in Vietnamese, whatever the number of calls', async () => {
    const body = accepted('HS-N-1');
    const first = await request(platform.app).post('/api/notifications/citizen').set('Authorization', WORKER).send(body);
    expect(first.status).toBe(201);
    expect(first.body.deliveries).toEqual([{ channel: 'email', status: 'sent', attempts: 1 }, { channel: 'sms', status: 'sent', attempts: 1 }]);
    const again = await Promise.all([1, 2, 3].map(() => request(platform.app).post('/api/notifications/citizen').set('Authorization', WORKER).send(body)));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    const mails = smtp.mails.filter((m) => m.subject.includes('HS-N-1'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual([EMAIL]);
    expect(mails[0]!.subject).toBe('Hồ sơ HS-N-1 đã được tiếp nhận');
    expect(mails[0]!.text).toContain('Ngày hẹn trả kết quả: 17:00 ngày 02/12/2026');
    expect(sms.messages.filter((m) => m.text.includes('HS-N-1'))).toEqual([{ to: PHONE, text: expect.stringContaining('đã được tiếp nhận') }]);
    // The address is dropped from the outbox once delivered.
    const rows = await platform.db.knex('notification_delivery').where({ effect_key: 'HS-N-1:citizen:accepted' }).select('address', 'status');
    expect(rows).toEqual([{ address: null, status: 'sent' }, { address: null, status: 'sent' }]);
  });

  test('a gateway that is down gives a 502; the retry sends only what was not sent', async () => {
    sms.failing = true;
    const body = { ...accepted('HS-N-2'), key: 'HS-N-2:citizen:result-ready', template: 'result-ready', params: { dossierCode: 'HS-N-2', where: 'Bộ phận Một cửa xã Phú Long' } };
    const failed = await request(platform.app).post('/api/notifications/citizen').set('Authorization', WORKER).send(body);
    expect(failed.status).toBe(502);
    expect(failed.body.type).toBe('DeliveryFailed');
    sms.failing = false;
    const retried = await request(platform.app).post('/api/notifications/citizen').set('Authorization', WORKER).send(body);
    expect(retried.status).toBe(200);
    expect(retried.body.deliveries).toEqual([{ channel: 'email', status: 'sent', attempts: 1 }, { channel: 'sms', status: 'sent', attempts: 2 }]);
    expect(smtp.mails.filter((m) => m.subject.includes('HS-N-2'))).toHaveLength(1);
    expect(sms.messages.filter((m) => m.text.includes('HS-N-2'))).toHaveLength(1);
  });

  test('bad input is a 400 naming the problem and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...accepted('HS-N-3'), template: 'nope' }, /template/],
      [{ ...accepted('HS-N-3'), params: { dossierCode: 'HS-N-3', procedureName: 'X', dueAt: '02/12/2026' } }, /params\.dueAt/],
      [{ ...accepted('HS-N-3'), contact: { phone: 'call me' } }, /phone/],
      [{ ...accepted('HS-N-3'), key: 'HS N 3 with spaces' }, /key/],
    ];
    for (const [body, msg] of cases) {
      const r = await request(platform.app).post('/api/notifications/citizen').set('Authorization', WORKER).send(body);
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(msg);
    }
    await expectKeyedRefusal(() => request(platform.app).post('/api/notifications/citizen').set('Authorization', WORKER).send({ ...accepted('HS-N-3'), contact: { phone: 'call me' } }),
      400, 'notifications.badPhone', 'số điện thoại không hợp lệ', 'invalid phone number');
    const badDate = { ...accepted('HS-N-3'), params: { dossierCode: 'HS-N-3', procedureName: 'X', dueAt: '02/12/2026' } };
    await expectKeyedRefusal(() => request(platform.app).post('/api/notifications/citizen').set('Authorization', WORKER).send(badDate),
      400, 'notifications.badParams', 'Giá trị “params.dueAt”: thời điểm ISO-8601 có múi giờ', 'Value “params.dueAt”: an ISO-8601 instant with an offset');
    expect(await platform.db.knex('worker_effect').where('key', 'like', 'HS-N-3%').select('key')).toEqual([]);
  });

  test('only service accounts send; staff cannot', async () => {
    const staff = await loginAs(platform.app, 'chuyenvien.xa');
    expect((await staff.post('/api/notifications/citizen').send(accepted('HS-N-4'))).status).toBe(403);
  });
});

describe('staff notifications (the bell)', () => {
  test('role holders of the unit and named users are told once; each reads, counts and marks their own', async () => {
    const body = {
      key: 'HS-N-5:remind:2026-12-02T17:00:00+07:00', template: 'remind-before-due', dossierCode: 'HS-N-5',
      params: { dossierCode: 'HS-N-5', dueAt: '2026-12-02T17:00:00+07:00', step: 'Thẩm định hồ sơ' },
      usernames: ['chuyenvien.xa'], roles: [{ role: 'division-head', unitId: 'xa-phu-long' }, { role: 'leader', unitId: 'xa-phu-long' }],
    };
    const r = await request(platform.app).post('/api/notifications/staff').set('Authorization', WORKER).send(body);
    expect(r.status).toBe(201);
    expect(r.body.recipients).toEqual(['chuyenvien.xa', 'lanhdao.xa', 'truongphong.xa']);
    expect((await request(platform.app).post('/api/notifications/staff').set('Authorization', WORKER).send(body)).status).toBe(200);

    const leader = await loginAs(platform.app, 'lanhdao.xa');
    const list = await leader.get('/api/notifications');
    expect(list.body.unread).toBe(1);
    expect(list.body.items[0]).toMatchObject({ title: 'Hồ sơ HS-N-5 sắp đến hạn', dossierCode: 'HS-N-5', readAt: null });
    expect(list.body.items[0].body).toContain('17:00 ngày 02/12/2026');
    expect((await leader.post(`/api/notifications/${list.body.items[0].id}/read`)).body).toEqual({ marked: 1 });
    expect((await leader.get('/api/notifications/unread-count')).body).toEqual({ unread: 0 });
    // Someone else's notification cannot be marked by id.
    const other = await loginAs(platform.app, 'truongphong.xa');
    expect((await other.post(`/api/notifications/${list.body.items[0].id}/read`)).body).toEqual({ marked: 0 });
    expect((await other.get('/api/notifications/unread-count')).body).toEqual({ unread: 1 });
    expect((await request(platform.app).get('/api/notifications')).status).toBe(401);
  });
});

test('a failed delivery logs the channel and the effect, never the address or the text', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
  const service = createNotificationService({
    knex: platform.db.knex, log, staff: { roleHolders: async () => [] },
    adapters: [createEmailAdapter({ smtpUrl: 'smtp://127.0.0.1:1', from: 'x@y.vn' }), createSmsAdapter({ url: 'http://127.0.0.1:1/sms', key: 'k' })],
  });
  await expect(service.notifyCitizen({ ...accepted('HS-N-6'), template: 'accepted' } as never)).rejects.toMatchObject({ status: 502 });
  const all = lines.join('\n');
  expect(all).toContain('HS-N-6:citizen:accepted');
  expect(all).not.toContain(EMAIL);
  expect(all).not.toContain(PHONE);
  expect(all).not.toContain('Đăng ký khai sinh');
  await service.close();
});
