import { CalendarVietnamese } from 'date-chinese';
import { dateOf, ordinalOfDate, weekdayOf } from './time.js';

/**
 * Default non-working days of a year that has no announced notice, from Bộ luật Lao động 2019
 * Điều 112. The lunar dates come from date-chinese's Vietnamese calendar (UTC+7 new moons; the
 * library date-holidays itself uses for VN, called directly because it is ~20× faster); the 5-day Tết span, the day adjacent to
 * 2/9 and compensatory days (nghỉ bù) are our rules, because the government sets them each
 * year. The result is provisional until an administrator confirms it.
 */
export interface Placement {
  /** Tết days taken before mùng 1 (the rest start on mùng 1). */
  tetDaysBefore: number;
  /** Length of the Tết break in days (5 by law). */
  tetDays: number;
  /** Which neighbour of 2/9 is the extra day; 'auto' picks the one that joins a weekend. */
  nationalDayAdjacent: 'auto' | 'before' | 'after';
}

export const DEFAULT_PLACEMENT: Placement = { tetDaysBefore: 1, tetDays: 5, nationalDayAdjacent: 'auto' };

export interface RuleDay {
  date: string;
  kind: 'off';
  name: string;
  confidence: 'computed';
}

const lunarCache = new Map<number, { tet: number; hungKings: number }>();

/** Mùng 1 Tết and 10/3 lunar of a Gregorian year, as local day numbers. */
function lunarDates(year: number): { tet: number; hungKings: number } {
  const hit = lunarCache.get(year);
  if (hit) return hit;
  const cal = new CalendarVietnamese();
  cal.fromJDE(cal.newYear(year));
  const tet = toOrdinal(cal.toGregorian());
  const [cycle, lunarYear] = cal.get();
  cal.set(cycle, lunarYear, 3, false, 10);
  const hungKings = toOrdinal(cal.toGregorian());
  const out = { tet, hungKings };
  lunarCache.set(year, out);
  return out;
}

function toOrdinal(g: { year: number; month: number; day: number }): number {
  return Date.UTC(g.year, g.month - 1, g.day) / 86_400_000;
}

// For each weekday of 2/9 (0 = Sunday), the neighbour that makes a longer break.
const ADJACENT_AUTO: Array<'before' | 'after'> = ['after', 'after', 'before', 'before', 'after', 'before', 'before'];

export function computeDefaultYear(year: number, placement: Placement = DEFAULT_PLACEMENT): RuleDay[] {
  const off = new Map<number, string>();
  const put = (ord: number, name: string) => { if (!off.has(ord)) off.set(ord, name); };
  const ord = (m: number, d: number) => ordinalOfDate(`${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`)!;

  put(ord(1, 1), 'Tết Dương lịch');
  const { tet, hungKings } = lunarDates(year);
  for (let i = -placement.tetDaysBefore; i < placement.tetDays - placement.tetDaysBefore; i++) {
    put(tet + i, i === 0 ? 'Tết Nguyên Đán (mùng 1)' : 'Tết Nguyên Đán');
  }
  put(hungKings, 'Giỗ Tổ Hùng Vương');
  put(ord(4, 30), 'Ngày Giải phóng miền Nam');
  put(ord(5, 1), 'Quốc tế Lao động');
  const nd = ord(9, 2);
  put(nd, 'Quốc khánh');
  const side = placement.nationalDayAdjacent === 'auto' ? ADJACENT_AUTO[weekdayOf(nd)]! : placement.nationalDayAdjacent;
  put(side === 'before' ? nd - 1 : nd + 1, 'Quốc khánh (ngày liền kề)');

  // A holiday on a weekend gives the next weekday that is not already off (nghỉ bù).
  const statutory = [...off.entries()].sort((a, b) => a[0] - b[0]);
  for (const [day, name] of statutory) {
    const wd = weekdayOf(day);
    if (wd !== 0 && wd !== 6) continue;
    let next = day + 1;
    while (off.has(next) || weekdayOf(next) === 0 || weekdayOf(next) === 6) next++;
    off.set(next, `Nghỉ bù ${name.replace(/ \(.*\)$/, '')} (${dateOf(day).slice(8)}/${dateOf(day).slice(5, 7)})`);
  }
  return [...off.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([d, name]) => ({ date: dateOf(d), kind: 'off' as const, name, confidence: 'computed' as const }));
}
