import { get } from '../api.js';
import { getLang, t } from '../i18n/index.js';
import type { Procedure } from '../types.js';

interface Level { id: string; nameVi?: string; nameEn?: string; name?: string }
let levels: Promise<Level[]> | undefined;

/** A level by its name in the user's language ("Cấp xã"), never its id. */
export async function levelName(id: string | undefined): Promise<string> {
  if (!id) return '';
  levels ??= get<Level[]>('/api/catalog/levels').catch(() => []);
  const l = (await levels).find((x) => x.id === id);
  if (!l) return id;
  return (getLang() === 'en' ? l.nameEn : l.nameVi) ?? l.name ?? id;
}

/** The time limit as the catalogue states it: "10 ngày làm việc", not "80 h". */
export function limitText(p: Pick<Procedure, 'limit'> | undefined): string {
  const l = p?.limit;
  if (!l) return '';
  if (typeof l.workingDays === 'number') return t('catalogue.days', { n: l.workingDays });
  if (typeof l.workingHours === 'number') return t('catalogue.hours', { n: l.workingHours });
  return '';
}

/** dd/mm/yyyy for a calendar date (YYYY-MM-DD) or an instant, in Vietnam's time zone. */
export function dateVi(value: string | undefined | null): string {
  if (!value) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-');
    return `${d}/${m}/${y}`;
  }
  const dt = new Date(value);
  if (Number.isNaN(dt.getTime())) return value;
  return dt.toLocaleDateString('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
}

/** dd/mm/yyyy hh:mm in Vietnam's time zone. */
export function dateTimeVi(value: string | undefined | null): string {
  if (!value) return '';
  const dt = new Date(value);
  if (Number.isNaN(dt.getTime())) return value;
  const time = dt.toLocaleTimeString('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' });
  return `${dateVi(value)} ${time}`;
}
