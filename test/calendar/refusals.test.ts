import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';

/** The administrator's calendar refusals carry a key and read in the requested language (the admin screens show them as sent). */
describe('calendar refusals by key, in Vietnamese and English', () => {
  let platform: TestPlatform;
  let admin: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    admin = await loginAs(platform.app, 'admin');
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it.each([
    ['a weekday made a working day', (c: AuthedClient) => c.put('/api/calendar/years/2027/days/2027-03-03').send({ kind: 'working', name: 'x' }), 400, 'calendar.weekdayNotWorking', 'chỉ thứ Bảy hoặc Chủ nhật', 'only a Saturday or Sunday'],
    ['a swap whose working day is a weekday', (c: AuthedClient) => c.post('/api/calendar/years/2027/swaps').send({ workingDate: '2027-06-07', dayOff: '2027-06-08' }), 400, 'calendar.swapNotWeekend', 'phải là thứ Bảy hoặc Chủ nhật', 'must be a Saturday or Sunday'],
    ['a swap across years', (c: AuthedClient) => c.post('/api/calendar/years/2027/swaps').send({ workingDate: '2028-06-03', dayOff: '2027-06-08' }), 400, 'calendar.swapOtherYear', 'phải thuộc năm 2027', 'must be in 2027'],
    ['a swap onto a day off', (c: AuthedClient) => c.post('/api/calendar/years/2027/swaps').send({ workingDate: '2027-08-28', dayOff: '2027-09-02' }), 409, 'calendar.alreadyOff', 'Ngày 02/09/2027 đã là ngày nghỉ', '02/09/2027 is already a day off'],
    ['removing a day not listed', (c: AuthedClient) => c.delete('/api/calendar/years/2027/days/2027-03-03'), 404, 'calendar.dayNotListed', 'không có trong danh sách', 'is not a listed day'],
    ['a date outside the year', (c: AuthedClient) => c.delete('/api/calendar/years/2027/days/2028-03-03'), 400, 'calendar.dateNotInYear', 'không thuộc năm 2027', 'is not in 2027'],
    // The supported years are said in both languages (the Vietnamese used to drop them).
    ['days before the supported years', (c: AuthedClient) => c.get('/api/calendar/days?from=1900-01-01&to=1900-01-05'), 400, 'calendar.range.years', 'trong các năm từ 1976 đến 2100', 'between 1976 and 2100'],
  ])('%s', async (_name, call, status, key, vi, en) => {
    const inVi = await call(admin).expect(status);
    expect(inVi.body.key).toBe(key);
    expect(inVi.body.message).toContain(vi);
    const inEn = await call(admin).set('Accept-Language', 'en').expect(status);
    expect(inEn.body).toMatchObject({ key });
    expect(inEn.body.message).toContain(en);
  });
});
