import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeDefaultYear } from '../../server/calendar/rules.js';
import { parseBudget } from '../../server/calendar/budget.js';
import { ordinalOfDate, weekdayOf } from '../../server/calendar/time.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../server/calendar/holidays-vn.json');
const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { years: Record<string, { days_off?: Array<{ date: string }> }> };
const weekday = (d: string) => weekdayOf(ordinalOfDate(d)!);
const weekdaysOff = (days: Array<{ date: string }>) => days.map((d) => d.date).filter((d) => weekday(d) !== 0 && weekday(d) !== 6).sort();

describe('default non-working days computed from the law', () => {
  it('reproduce the 2026 notice except its announced swap (31/8)', () => {
    const announced = weekdaysOff(data.years['2026']!.days_off!).filter((d) => d !== '2026-08-31');
    expect(weekdaysOff(computeDefaultYear(2026))).toEqual(announced);
  });

  it('reproduce the 2025 notice when Tết starts two days before mùng 1 (the government\'s choice that year)', () => {
    const announced = weekdaysOff(data.years['2025']!.days_off!).filter((d) => d !== '2025-05-02');
    expect(weekdaysOff(computeDefaultYear(2025, { tetDaysBefore: 2, tetDays: 5, nationalDayAdjacent: 'auto' }))).toEqual(announced);
  });

  it('give 2027 a 5-day Tết around Saturday 6/2 with nghỉ bù for the weekend days, and Giỗ Tổ on Friday 16/4', () => {
    const days = computeDefaultYear(2027);
    const off = days.map((d) => d.date);
    expect(off).toEqual(expect.arrayContaining(['2027-02-05', '2027-02-06', '2027-02-09', '2027-02-10', '2027-02-11', '2027-04-16']));
    expect(off).not.toContain('2027-02-12');
    expect(days.find((d) => d.date === '2027-02-06')!.name).toMatch(/mùng 1/);
    // 1/5/2027 is a Saturday: Monday 3/5 is given off.
    expect(days.find((d) => d.date === '2027-05-03')!.name).toMatch(/Nghỉ bù/);
    expect(days.every((d) => d.confidence === 'computed')).toBe(true);
  });

  it('give the next working day for a holiday on a weekend (1/1/2028 is a Saturday; 30/4 a Sunday before 1/5)', () => {
    const off = computeDefaultYear(2028).map((d) => d.date);
    expect(off).toContain('2028-01-03');
    expect(off).toEqual(expect.arrayContaining(['2028-04-30', '2028-05-01', '2028-05-02']));
  });

  it('places the day adjacent to 2/9 as configured', () => {
    expect(computeDefaultYear(2027, { tetDaysBefore: 1, tetDays: 5, nationalDayAdjacent: 'before' }).map((d) => d.date)).toContain('2027-09-01');
    expect(computeDefaultYear(2027, { tetDaysBefore: 1, tetDays: 5, nationalDayAdjacent: 'after' }).map((d) => d.date)).toContain('2027-09-03');
  });
});

describe('BPMN budget strings', () => {
  it.each([
    ['4h', { workingHours: 4 }],
    ['0.5d', { workingDays: 0.5 }],
    ['0,5d', { workingDays: 0.5 }],
    ['7d', { workingDays: 7 }],
    [' 12 H ', { workingHours: 12 }],
    ['4', undefined],
    ['-1d', undefined],
    ['1w', undefined],
    ['', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseBudget(text)).toEqual(expected);
  });
});
