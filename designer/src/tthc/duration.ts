import { HOURS_PER_DAY, parseBudget } from '../../../server/calendar/budget.js';

/** Display of working time as written in tthc:budget / tthc:replyDeadline / tthc:beforeDue; parsing is server/calendar/budget.ts. */
function num(n: number, lang: string): string {
  const rounded = Math.round(n * 100) / 100;
  return lang === 'vi' ? String(rounded).replace('.', ',') : String(rounded);
}

/** "4h" → "4 giờ", "0.5d" → "0,5 ngày" (en: "4 h", "0.5 d"). */
export function formatDuration(text: string | undefined | null, lang: string): string {
  const a = parseBudget(text);
  if (!a) return text ?? '';
  const n = 'workingDays' in a ? a.workingDays : a.workingHours;
  const unit = 'workingDays' in a ? 'd' : 'h';
  if (lang === 'vi') return `${num(n, lang)} ${unit === 'd' ? 'ngày' : 'giờ'}`;
  return `${num(n, lang)} ${unit === 'd' ? (n === 1 ? 'day' : 'days') : (n === 1 ? 'hour' : 'hours')}`;
}

/** "2d" → "2 ngày làm việc" / "2 working days"; "4h" → "4 giờ làm việc" / "4 working hours" (a deadline or a limit, said in words). */
export function formatWorkingTime(text: string | undefined | null, lang: string): string {
  const a = parseBudget(text);
  if (!a) return text ?? '';
  const days = 'workingDays' in a;
  const n = days ? a.workingDays : a.workingHours;
  if (lang === 'vi') return `${num(n, lang)} ${days ? 'ngày' : 'giờ'} làm việc`;
  return `${num(n, lang)} working ${days ? (n === 1 ? 'day' : 'days') : (n === 1 ? 'hour' : 'hours')}`;
}

/** 168 → "168 giờ = 21 ngày làm việc". */
export function formatHours(hours: number, lang: string): string {
  const days = hours / HOURS_PER_DAY;
  return lang === 'vi'
    ? `${num(hours, lang)} giờ = ${num(days, lang)} ngày làm việc`
    : `${num(hours, lang)} h = ${num(days, lang)} working days`;
}
