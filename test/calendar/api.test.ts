import request from 'supertest';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createApp } from '../../server/http/app.js';
import { createLogger } from '../../server/log.js';
import { createCalendarRouter, createCalendarService } from '../../server/calendar/index.js';

describe('calendar API', () => {
  let platform: TestPlatform;
  let admin: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    admin = await loginAs(platform.app, 'admin');
  });
  afterAll(async () => { await platform.close(); });

  const deadline = (body: unknown) => request(platform.app).post('/api/calendar/deadline').send(body as object);

  describe('POST /deadline (public)', () => {
    it('computes the appointment across Tết 2026 with the 15:00 rule', async () => {
      const res = await deadline({ receivedAt: '2026-02-13T16:00:00+07:00', limit: { workingDays: 1 }, afterCutoffNextDay: true });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ startsAt: '2026-02-23T08:00:00+07:00', dueAt: '2026-02-23T17:00:00+07:00', provisional: false });
    });

    it('gives the same answer for the same instant in UTC, always in +07:00', async () => {
      const a = await deadline({ receivedAt: '2026-04-24T02:00:00Z', limit: { workingHours: 8 } });
      const b = await deadline({ receivedAt: '2026-04-24T09:00:00+07:00', limit: { workingHours: 8 } });
      expect(a.body).toEqual(b.body);
      expect(a.body.dueAt).toBe('2026-04-28T09:00:00+07:00');
    });

    it('accepts a known unit and uses its hours', async () => {
      const res = await deadline({ receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: 1 }, unitId: 'xa-phu-long' });
      expect(res.status).toBe(200);
      expect(res.body.dueAt).toBe('2026-03-02T17:00:00+07:00');
    });

    it.each([
      ['missing limit', { receivedAt: '2026-03-02T08:00:00+07:00' }, /limit/],
      ['negative limit', { receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: -1 } }, /workingDays/],
      ['both limits', { receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: 1, workingHours: 2 } }, /một trong hai/],
      ['empty limit', { receivedAt: '2026-03-02T08:00:00+07:00', limit: {} }, /một trong hai/],
      ['unparseable date', { receivedAt: 'next tuesday', limit: { workingDays: 1 } }, /receivedAt/],
      ['impossible date', { receivedAt: '2026-02-30T08:00:00+07:00', limit: { workingDays: 1 } }, /receivedAt/],
      ['date without offset', { receivedAt: '2026-03-02T08:00:00', limit: { workingDays: 1 } }, /múi giờ/],
      ['unknown unit', { receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: 1 }, unitId: 'no-such-unit' }, /no-such-unit/],
      ['unknown field', { receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: 1 }, foo: 1 }, /foo|unrecognized/i],
      ['string limit', { receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: '3' } }, /workingDays/],
      ['date beyond the supported range', { receivedAt: '2099-12-30T08:00:00+07:00', limit: { workingDays: 2000 } }, /các năm từ 1976 đến 2100/],
    ])('400 on %s', async (_n, body, message) => {
      const res = await deadline(body);
      expect(res.status).toBe(400);
      expect(typeof res.body.type).toBe('string');
      expect(res.body.message).toMatch(message);
    });

    it('is rate-limited per client', async () => {
      const log = createLogger('silent');
      const service = createCalendarService({ db: platform.db, log });
      await service.reload();
      const app = createApp({
        log, authenticate: (_req, _res, next) => next(),
        mounts: [{ path: '/api/calendar', router: createCalendarRouter({ service, publicRateLimit: { windowMs: 60_000, limit: 2 } }) }],
      });
      const body = { receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: 1 } };
      expect((await request(app).post('/api/calendar/deadline').send(body)).status).toBe(200);
      expect((await request(app).get('/api/calendar/days?from=2026-03-02&to=2026-03-03')).status).toBe(200);
      const third = await request(app).post('/api/calendar/deadline').send(body);
      expect(third.status).toBe(429);
      expect(third.body.type).toBe('TooManyRequests');
    });

    it('400 on a body that is not JSON', async () => {
      const res = await request(platform.app).post('/api/calendar/deadline').set('Content-Type', 'application/json').send('{oops');
      expect(res.status).toBe(400);
    });
  });

  describe('GET /days (public)', () => {
    it('lists Tết 2026 with reasons', async () => {
      const res = await request(platform.app).get('/api/calendar/days?from=2026-02-13&to=2026-02-23');
      expect(res.status).toBe(200);
      const byDate = Object.fromEntries(res.body.days.map((d: { date: string }) => [d.date, d]));
      expect(res.body.days).toHaveLength(11);
      expect(byDate['2026-02-13']).toMatchObject({ working: true, kind: 'workday', reason: null });
      expect(byDate['2026-02-14']).toMatchObject({ working: false, kind: 'weekend', reason: 'weekend' });
      expect(byDate['2026-02-17']).toMatchObject({ working: false, kind: 'holiday', reason: 'Tết Nguyên Đán (mùng 1)' });
      expect(byDate['2026-02-23']).toMatchObject({ working: true, provisional: false });
    });

    it('shows swaps both ways', async () => {
      const res = await request(platform.app).get('/api/calendar/days?from=2026-08-22&to=2026-08-31');
      const byDate = Object.fromEntries(res.body.days.map((d: { date: string }) => [d.date, d]));
      expect(byDate['2026-08-22']).toMatchObject({ working: true, kind: 'working-weekend', reason: 'Làm bù cho 31/8' });
      expect(byDate['2026-08-31']).toMatchObject({ working: false, kind: 'holiday' });
    });

    it('flags computed years as provisional', async () => {
      const res = await request(platform.app).get('/api/calendar/days?from=2027-02-05&to=2027-02-11');
      expect(res.body.days.every((d: { provisional: boolean; working: boolean }) => d.provisional && !d.working)).toBe(true);
    });

    it.each([
      ['from=2026-01-01&to=2029-01-01', /tối đa 3 năm/],
      ['from=2026-02-01&to=2026-01-01', /không được trước/],
      ['from=2026-13-01&to=2026-12-31', /from/],
      ['to=2026-12-31', /from/],
      ['from=2026-01-01&to=2026-01-02&unitId=nope', /nope/],
    ])('400 on %s', async (qs, message) => {
      const res = await request(platform.app).get(`/api/calendar/days?${qs}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    });
  });

  describe('administration', () => {
    it('refuses anonymous and non-admin changes', async () => {
      const anon = await request(platform.app).put('/api/calendar/years/2027/days/2027-03-01').send({ kind: 'off', name: 'x' });
      expect(anon.status).toBe(401);
      const specialist = await loginAs(platform.app, 'chuyenvien.xa');
      const res = await specialist.put('/api/calendar/years/2027/days/2027-03-01').send({ kind: 'off', name: 'x' });
      expect(res.status).toBe(403);
    });

    it('edits a computed year: keeps the computed days, stays provisional until confirmed, logs who and what', async () => {
      const before = await request(platform.app).get('/api/calendar/years/2027');
      expect(before.body).toMatchObject({ status: 'provisional', source: 'computed' });
      const res = await admin.put('/api/calendar/years/2027/days/2027-02-12').send({ kind: 'off', name: 'Nghỉ Tết bổ sung' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'provisional', source: 'database' });
      const dates = res.body.days.map((d: { date: string }) => d.date);
      expect(dates).toEqual(expect.arrayContaining(['2027-01-01', '2027-02-06', '2027-02-12', '2027-09-02']));

      const due = await deadline({ receivedAt: '2027-02-04T08:00:00+07:00', limit: { workingDays: 2 } });
      expect(due.body.dueAt).toBe('2027-02-15T17:00:00+07:00');

      const confirmed = await admin.post('/api/calendar/years/2027/confirm').send({});
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.status).toBe('confirmed');
      expect((await admin.post('/api/calendar/years/2027/confirm').send({})).status).toBe(409);

      const log = await admin.get('/api/calendar/changes?year=2027');
      expect(log.status).toBe(200);
      expect(log.body.map((c: { action: string }) => c.action)).toEqual(['year.confirm', 'day.add']);
      expect(log.body[1]).toMatchObject({ actor: 'admin', subject: '2027-02-12', after: { kind: 'off', name: 'Nghỉ Tết bổ sung' } });
      expect(log.body[1].at).toMatch(/\+07:00$/);
    });

    it('adds a swap, removes a day, and refuses bad days', async () => {
      // 30/4/2028 is a Sunday: its nghỉ bù is Tuesday 2/5 (1/5 is itself a holiday), so 2/5 cannot be swapped.
      const clash = await admin.post('/api/calendar/years/2028/swaps').send({ workingDate: '2028-04-29', dayOff: '2028-05-02' });
      expect(clash.status).toBe(409);
      const swap = await admin.post('/api/calendar/years/2028/swaps').send({ workingDate: '2028-05-06', dayOff: '2028-05-03' });
      expect(swap.status).toBe(201);
      const days = await request(platform.app).get('/api/calendar/days?from=2028-04-29&to=2028-05-06');
      const byDate = Object.fromEntries(days.body.days.map((d: { date: string }) => [d.date, d]));
      expect(['2028-04-29', '2028-04-30', '2028-05-01', '2028-05-02', '2028-05-03'].map((d) => byDate[d].working)).toEqual([false, false, false, false, false]);
      expect(byDate['2028-05-06']).toMatchObject({ working: true, kind: 'working-weekend' });

      const removed = await admin.delete('/api/calendar/years/2028/days/2028-05-03');
      expect(removed.status).toBe(200);
      expect((await request(platform.app).get('/api/calendar/days?from=2028-05-03&to=2028-05-03')).body.days[0].working).toBe(true);
      expect((await admin.delete('/api/calendar/years/2028/days/2028-05-03')).status).toBe(404);

      expect((await admin.put('/api/calendar/years/2028/days/2028-05-03').send({ kind: 'working', name: 'x' })).status).toBe(400);
      expect((await admin.put('/api/calendar/years/2028/days/2029-05-03').send({ kind: 'off', name: 'x' })).status).toBe(400);
      expect((await admin.put('/api/calendar/years/2028/days/2028-05-03').send({ kind: 'holiday', name: 'x' })).status).toBe(400);
      expect((await admin.post('/api/calendar/years/2028/swaps').send({ workingDate: '2028-05-01', dayOff: '2028-05-02' })).status).toBe(400);
    });

    it('imports a year notice as JSON and refuses an inconsistent one without a partial write', async () => {
      const notice = {
        notice: 'TB thử nghiệm 2029',
        days_off: [{ date: '2029-01-01', name: 'Tết Dương lịch' }, { date: '2029-02-12', name: 'Tết Nguyên Đán' }],
        working_saturdays: [{ date: '2029-02-17', name: 'Làm bù' }],
      };
      const res = await admin.put('/api/calendar/years/2029').send(notice);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ year: 2029, status: 'confirmed', notice: 'TB thử nghiệm 2029' });
      expect(res.body.days).toHaveLength(3);

      const bad = await admin.put('/api/calendar/years/2029').send({ ...notice, days_off: [{ date: '2030-01-01', name: 'x' }] });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/2030-01-01/);
      expect((await request(platform.app).get('/api/calendar/years/2029')).body.days).toHaveLength(3);
    });

    it('sets working hours per unit; children inherit; removing falls back', async () => {
      const put = await admin.put('/api/calendar/units/stp/hours').send({ intervals: [['07:00', '11:30'], ['13:30', '17:00']], weekdays: [1, 2, 3, 4, 5] });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ source: 'unit', intervals: [['07:00', '11:30'], ['13:30', '17:00']] });
      const child = await admin.get('/api/calendar/units/stp-hctp/hours');
      expect(child.body).toMatchObject({ source: 'parent', from: 'stp' });

      // 1 working day = that unit's day (8 h); the lunch break is 11:30–13:30.
      const due = await deadline({ receivedAt: '2026-03-02T07:00:00+07:00', limit: { workingDays: 1 }, unitId: 'stp-hctp' });
      expect(due.body).toMatchObject({ startsAt: '2026-03-02T07:00:00+07:00', dueAt: '2026-03-02T17:00:00+07:00' });
      const half = await deadline({ receivedAt: '2026-03-02T11:00:00+07:00', limit: { workingHours: 1 }, unitId: 'stp-hctp' });
      expect(half.body.dueAt).toBe('2026-03-02T14:00:00+07:00');

      expect((await admin.put('/api/calendar/units/stp/hours').send({ intervals: [['12:00', '08:00']], weekdays: [1] })).status).toBe(400);
      expect((await admin.put('/api/calendar/units/stp/hours').send({ intervals: [['08:00', '12:00'], ['11:00', '13:00']], weekdays: [1] })).status).toBe(400);
      expect((await admin.put('/api/calendar/units/ghost/hours').send({ intervals: [['08:00', '12:00']], weekdays: [1] })).status).toBe(400);

      expect((await admin.delete('/api/calendar/units/stp/hours')).status).toBe(200);
      const after = await deadline({ receivedAt: '2026-03-02T07:00:00+07:00', limit: { workingDays: 1 }, unitId: 'stp-hctp' });
      expect(after.body).toMatchObject({ startsAt: '2026-03-02T08:00:00+07:00', dueAt: '2026-03-02T17:00:00+07:00' });
    });

    it('picks up a unit created after start-up', async () => {
      await platform.db.knex('org_unit').insert({ id: 'xa-moi', parent_id: 'tinh', name: 'UBND xã Mới', name_folded: 'ubnd xa moi', kind: 'commune', level: 1 });
      const res = await deadline({ receivedAt: '2026-03-02T08:00:00+07:00', limit: { workingDays: 1 }, unitId: 'xa-moi' });
      expect(res.status).toBe(200);
    });
  });
});
