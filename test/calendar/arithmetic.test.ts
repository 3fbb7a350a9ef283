import type { Database } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { createCalendarService, dossierDeadline, formatLocal, parseInstant, type WorkingCalendar } from '../../server/calendar/index.js';
import { createTestDatabase } from '../helpers/db.js';
import { DEADLINE_CASES } from './fixtures/cases.js';

const at = (s: string) => parseInstant(s)!;

describe('deadline arithmetic over the seeded 2025–2026 calendar', () => {
  let db: Database;
  let cal: WorkingCalendar;
  beforeAll(async () => {
    db = await createTestDatabase();
    const service = createCalendarService({ db, log: createLogger('silent') });
    await service.reload();
    cal = service.calendar;
  });
  afterAll(async () => { await db.close(); });

  it.each(DEADLINE_CASES)('$name', (c) => {
    const r = dossierDeadline(cal, { receivedAt: at(c.receivedAt), limit: c.limit, afterCutoffNextDay: c.afterCutoffNextDay });
    expect({ startsAt: formatLocal(r.startsAt), dueAt: formatLocal(r.dueAt) }).toEqual({ startsAt: c.startsAt, dueAt: c.dueAt });
    expect(r.provisional).toBe(false);
  });

  it.each([
    ['1 day back from Monday after Tết lands before Tết', '2026-02-23T10:00:00+07:00', { workingDays: 1 }, '2026-02-13T10:00:00+07:00'],
    ['1 day before a Tuesday 17:00 due, across the Giỗ Tổ Monday', '2026-04-28T17:00:00+07:00', { workingDays: 1 }, '2026-04-24T17:00:00+07:00'],
    ['2 hours back over lunch', '2026-03-03T14:00:00+07:00', { workingHours: 2 }, '2026-03-03T11:00:00+07:00'],
    ['back into the previous year', '2026-01-02T09:00:00+07:00', { workingHours: 2 }, '2025-12-31T16:00:00+07:00'],
  ] as const)('subtract: %s', (_n, end, amount, expected) => {
    expect(formatLocal(cal.subtract(at(end), amount))).toBe(expected);
  });

  it('add and subtract are inverse on working instants', () => {
    const start = at('2026-02-11T09:45:00+07:00');
    for (const h of [1, 3.5, 8, 40, 123]) {
      const end = cal.add(start, { workingHours: h });
      expect(cal.subtract(end, { workingHours: h }).getTime()).toBe(start.getTime());
      expect(cal.workingTimeBetween(start, end).workingHours).toBeCloseTo(h, 9);
    }
  });

  it('measures working time between instants, not calendar time', () => {
    expect(cal.workingTimeBetween(at('2026-02-13T08:00:00+07:00'), at('2026-02-23T08:00:00+07:00')).workingHours).toBe(8);
    expect(cal.workingTimeBetween(at('2026-03-02T11:00:00+07:00'), at('2026-03-02T14:00:00+07:00')).workingHours).toBe(2);
    expect(cal.workingTimeBetween(at('2026-03-03T08:00:00+07:00'), at('2026-03-02T08:00:00+07:00')).workingDays).toBe(-1);
  });

  it.each([
    ['2026-03-02T08:00:00+07:00', true],
    ['2026-03-02T07:59:59+07:00', false],
    ['2026-03-02T12:00:00+07:00', false],
    ['2026-03-02T12:59:00+07:00', false],
    ['2026-03-02T16:59:59+07:00', true],
    ['2026-03-02T17:00:00+07:00', false],
    ['2026-02-17T10:00:00+07:00', false], // mùng 1 Tết
    ['2026-08-22T10:00:00+07:00', true], // làm bù Saturday
    ['2026-02-13T03:00:00Z', true],
  ] as const)('isWorkingTime(%s) = %s', (t, expected) => {
    expect(cal.isWorkingTime(at(t))).toBe(expected);
  });

  it.each([
    ['2026-03-02T10:00:00+07:00', '2026-03-02T10:00:00+07:00'],
    ['2026-03-02T12:10:00+07:00', '2026-03-02T13:00:00+07:00'],
    ['2026-03-06T17:30:00+07:00', '2026-03-09T08:00:00+07:00'],
    ['2026-02-15T20:00:00+07:00', '2026-02-23T08:00:00+07:00'],
    ['2025-12-31T23:59:59+07:00', '2026-01-02T08:00:00+07:00'],
  ] as const)('nextOpening(%s) = %s', (t, expected) => {
    expect(formatLocal(cal.nextOpening(at(t)))).toBe(expected);
  });

  it('marks computed years provisional', () => {
    const r = dossierDeadline(cal, { receivedAt: at('2026-12-28T09:00:00+07:00'), limit: { workingDays: 10 } });
    expect(r.provisional).toBe(true);
    expect(cal.year(2027).status).toBe('provisional');
    expect(cal.year(2026).status).toBe('confirmed');
  });

  it('refuses dates outside the supported range instead of looping', () => {
    expect(() => cal.add(new Date('2101-01-01T00:00:00Z'), { workingDays: 1 })).toThrow(RangeError);
    expect(() => cal.add(new Date(Number.NaN), { workingDays: 1 })).toThrow(RangeError);
  });
});
