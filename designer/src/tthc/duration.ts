/** Working time as written in tthc:budget / tthc:replyDeadline / tthc:beforeDue: "4h", "0.5d", "7d" (1 d = 8 working hours). */
export const HOURS_PER_DAY = 8;

const DURATION = /^\s*(\d+(?:[.,]\d+)?)\s*([hd])\s*$/i;

/** Hours of working time, or null when the text is not a duration we understand. */
export function parseDuration(text: string | undefined | null): number | null {
  if (!text) return null;
  const m = DURATION.exec(text);
  if (!m) return null;
  const n = Number(m[1]!.replace(',', '.'));
  if (!Number.isFinite(n)) return null;
  return m[2]!.toLowerCase() === 'd' ? n * HOURS_PER_DAY : n;
}

/** Normalises user input ("4 h", "0,5d") to the stored form ("4h", "0.5d"); returns null when invalid. */
export function normaliseDuration(text: string): string | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  return `${Number(m[1]!.replace(',', '.'))}${m[2]!.toLowerCase()}`;
}

function num(n: number, lang: string): string {
  const rounded = Math.round(n * 100) / 100;
  return lang === 'vi' ? String(rounded).replace('.', ',') : String(rounded);
}

/** "4h" → "4 giờ", "0.5d" → "0,5 ngày" (en: "4 h", "0.5 d"). */
export function formatDuration(text: string | undefined | null, lang: string): string {
  const m = text ? DURATION.exec(text) : null;
  if (!m) return text ?? '';
  const n = Number(m[1]!.replace(',', '.'));
  const unit = m[2]!.toLowerCase();
  if (lang === 'vi') return `${num(n, lang)} ${unit === 'd' ? 'ngày' : 'giờ'}`;
  return `${num(n, lang)} ${unit === 'd' ? (n === 1 ? 'day' : 'days') : (n === 1 ? 'hour' : 'hours')}`;
}

/** 168 → "168 giờ = 21 ngày làm việc". */
export function formatHours(hours: number, lang: string): string {
  const days = hours / HOURS_PER_DAY;
  return lang === 'vi'
    ? `${num(hours, lang)} giờ = ${num(days, lang)} ngày làm việc`
    : `${num(hours, lang)} h = ${num(days, lang)} working days`;
}
