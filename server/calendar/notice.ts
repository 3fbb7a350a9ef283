import { z } from 'zod';
import { inputKey } from '../http/messages.js';
import type { DayEntry, YearRecord } from './calendar.js';
import type { LocalizedText } from '../http/errors.js';
import { calendarText } from './messages.js';
import { ordinalOfDate, weekdayOf } from './time.js';

/** One year of an official notice, in the shape of `holidays-vn.json` (snake_case as published there). */
const NoticeDay = z.object({
  date: z.string().refine((d) => ordinalOfDate(d) !== undefined, inputKey('input.date')),
  name: z.string().trim().min(1).max(200),
  confidence: z.string().max(40).optional(),
}).strict();

export const NoticeYearSchema = z.object({
  notice: z.string().trim().max(200).nullable().optional(),
  days_off: z.array(NoticeDay).max(60).default([]),
  working_saturdays: z.array(NoticeDay).max(30).default([]),
  computed: z.string().optional(),
}).strict();
export type NoticeYear = z.infer<typeof NoticeYearSchema>;

/** Checks a notice for one year and turns it into days; returns problems instead of throwing. */
export function noticeToYear(year: number, notice: NoticeYear, status: YearRecord['status']): { record?: YearRecord; problems: LocalizedText[] } {
  const problems: LocalizedText[] = [];
  const days: DayEntry[] = [];
  const seen = new Set<string>();
  const take = (list: NoticeYear['days_off'], kind: DayEntry['kind'], field: string) => {
    list.forEach((d, i) => {
      const at = { field: `${field}[${i}].date`, date: d.date, year };
      if (!d.date.startsWith(`${year}-`)) problems.push(calendarText('calendar.notice.notInYear', at));
      if (seen.has(d.date)) problems.push(calendarText('calendar.notice.twice', at));
      if (kind === 'working' && ![0, 6].includes(weekdayOf(ordinalOfDate(d.date)!))) {
        problems.push(calendarText('calendar.notice.notWeekend', at));
      }
      seen.add(d.date);
      days.push({ date: d.date, kind, name: d.name, confidence: d.confidence ?? null });
    });
  };
  take(notice.days_off, 'off', 'days_off');
  take(notice.working_saturdays, 'working', 'working_saturdays');
  if (problems.length) return { problems };
  days.sort((a, b) => a.date.localeCompare(b.date));
  return { record: { year, status, notice: notice.notice ?? null, days }, problems };
}
