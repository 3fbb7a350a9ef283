import { MAX_YEAR, MIN_YEAR, MINUTE_MS, midnightOf, msOfDay, ordinalOf, ordinalOfDate } from './time.js';

/** Daily opening intervals (minutes since local midnight, sorted, disjoint) and the usual working weekdays. */
export interface WorkingHours {
  intervals: ReadonlyArray<readonly [number, number]>;
  /** 0 = Sunday … 6 = Saturday. */
  weekdays: ReadonlyArray<number>;
}

export const DEFAULT_HOURS: WorkingHours = { intervals: [[8 * 60, 12 * 60], [13 * 60, 17 * 60]], weekdays: [1, 2, 3, 4, 5] };

/** Whether a local day is worked under the given hours (weekend, holidays and swaps decided by the caller). */
export type DayClassifier = (ord: number, hours: WorkingHours) => boolean;

const MIN_ORD = ordinalOfDate(`${MIN_YEAR}-01-01`)!;
const MAX_ORD = ordinalOfDate(`${MAX_YEAR}-12-31`)!;
const GROW_DAYS = 5 * 366;

/** What a CalendarRangeError says, as a key of the calendar's texts (messages.ts) with its parameters. */
export type CalendarRangeKey = 'calendar.range.invalidDate' | 'calendar.range.years' | 'calendar.range.workingTime' | 'calendar.notADate' | 'calendar.yearRange';

/** A date, year or amount outside what the calendar tabulates: the message is for logs, the key for the person. */
export class CalendarRangeError extends RangeError {
  constructor(message: string, readonly key: CalendarRangeKey, readonly params: Record<string, string | number> = {}) {
    super(message);
  }
}

/**
 * One unit's working time as precomputed tables, so every operation is a few array reads:
 * `cum[i]` = working days before table day i, `work[k]` = table day of the k-th working day.
 * A "position" is working milliseconds since the table start; adding working time is
 * position arithmetic, never a walk over days or minutes. Tables grow on demand.
 */
export class Schedule {
  readonly dayMs: number;
  private readonly starts: number[];
  private readonly ends: number[];
  private first = 0;
  private cum = new Int32Array(0);
  private work = new Int32Array(0);

  constructor(readonly hours: WorkingHours, private readonly classify: DayClassifier, fromOrd: number, toOrd: number) {
    this.starts = hours.intervals.map((i) => i[0] * MINUTE_MS);
    this.ends = hours.intervals.map((i) => i[1] * MINUTE_MS);
    this.dayMs = this.ends.reduce((s, e, j) => s + e - this.starts[j]!, 0);
    if (this.dayMs <= 0) throw new Error('Working hours must open for some time each day');
    this.build(fromOrd, toOrd);
  }

  private build(fromOrd: number, toOrd: number): void {
    const from = Math.max(MIN_ORD, fromOrd);
    const to = Math.min(MAX_ORD, toOrd);
    const n = to - from + 1;
    const cum = new Int32Array(n + 1);
    const work: number[] = [];
    for (let i = 0; i < n; i++) {
      const w = this.classify(from + i, this.hours);
      if (w) work.push(i);
      cum[i + 1] = cum[i]! + (w ? 1 : 0);
    }
    this.first = from;
    this.cum = cum;
    this.work = Int32Array.from(work);
  }

  private last(): number { return this.first + this.cum.length - 2; }

  /** Makes the tables cover [fromOrd, toOrd]; positions computed before a growth are invalid after it. */
  private cover(fromOrd: number, toOrd: number): void {
    if (!Number.isFinite(fromOrd) || !Number.isFinite(toOrd)) throw new CalendarRangeError('Invalid date', 'calendar.range.invalidDate');
    if (fromOrd < MIN_ORD || toOrd > MAX_ORD) {
      throw new CalendarRangeError(`Dates must fall between ${MIN_YEAR} and ${MAX_YEAR}`, 'calendar.range.years', { min: MIN_YEAR, max: MAX_YEAR });
    }
    if (fromOrd >= this.first && toOrd <= this.last()) return;
    this.build(Math.min(this.first, fromOrd - GROW_DAYS), Math.max(this.last(), toOrd + GROW_DAYS));
  }

  isWorkingDay(ord: number): boolean {
    this.cover(ord, ord);
    const i = ord - this.first;
    return this.cum[i + 1]! > this.cum[i]!;
  }

  /** Working position of an instant (time before opening, at lunch or after close counts as the boundary). */
  private position(ms: number): number {
    const ord = ordinalOf(ms);
    this.cover(ord, ord);
    const i = ord - this.first;
    const before = this.cum[i]!;
    let p = before * this.dayMs;
    if (this.cum[i + 1] === before) return p;
    const m = msOfDay(ms);
    for (let j = 0; j < this.starts.length; j++) {
      const s = this.starts[j]!;
      const e = this.ends[j]!;
      if (m >= e) p += e - s;
      else { if (m > s) p += m - s; break; }
    }
    return p;
  }

  /**
   * The instant at a working position. 'close': the earliest such instant, so a due time that
   * ends a day is that day's 17:00, not the next opening. 'open': the latest, i.e. when work resumes.
   * Returns undefined if the tables must grow first.
   */
  private instant(p: number, mode: 'close' | 'open'): number | undefined {
    let k = Math.floor(p / this.dayMs);
    let r = p - k * this.dayMs;
    if (mode === 'close' && r === 0 && k > 0) { k -= 1; r = this.dayMs; }
    if (k < 0 || k >= this.work.length) return undefined;
    const day = midnightOf(this.first + this.work[k]!);
    const last = this.starts.length - 1;
    for (let j = 0; j <= last; j++) {
      const len = this.ends[j]! - this.starts[j]!;
      if (r < len || (r === len && (mode === 'close' || j === last))) return day + this.starts[j]! + r;
      r -= len;
    }
    return day + this.ends[last]!;
  }

  /** Runs a position computation, growing the tables and retrying when the answer falls outside them. */
  private solve(ms: number, delta: number, mode: 'close' | 'open'): number {
    for (let attempt = 0; attempt < 64; attempt++) {
      const out = this.instant(this.position(ms) + delta, mode);
      if (out !== undefined) return out;
      const ord = ordinalOf(ms);
      const span = Math.ceil(Math.abs(delta) / this.dayMs) * 2 + 14;
      this.cover(delta < 0 ? ord - span : ord, delta < 0 ? ord : ord + span);
    }
    throw new CalendarRangeError('Working time out of range', 'calendar.range.workingTime', { min: MIN_YEAR, max: MAX_YEAR });
  }

  /** `start` plus `ms` working milliseconds (negative goes back). */
  add(start: number, ms: number): number {
    if (ms === 0) return start;
    return this.solve(start, ms, 'close');
  }

  /** Working milliseconds from `a` to `b` (negative when b is before a). */
  between(a: number, b: number): number {
    // Growth between the two reads would shift positions: cover both days first.
    this.cover(Math.min(ordinalOf(a), ordinalOf(b)), Math.max(ordinalOf(a), ordinalOf(b)));
    return this.position(b) - this.position(a);
  }

  isWorkingTime(ms: number): boolean {
    if (!this.isWorkingDay(ordinalOf(ms))) return false;
    const m = msOfDay(ms);
    for (let j = 0; j < this.starts.length; j++) if (m >= this.starts[j]! && m < this.ends[j]!) return true;
    return false;
  }

  /** `ms` itself when open, else the next moment work starts. */
  nextOpening(ms: number): number {
    if (this.isWorkingTime(ms)) return ms;
    return this.solve(ms, 0, 'open');
  }

  /** Opening of the first working day after the local day of `ms`. */
  nextWorkingDayOpening(ms: number): number {
    const ord = ordinalOf(ms);
    this.cover(ord, ord + 60);
    const k = this.cum[ord - this.first + 1]!;
    if (k >= this.work.length) { this.cover(ord, ord + 400); return this.nextWorkingDayOpening(ms); }
    return midnightOf(this.first + this.work[k]!) + this.starts[0]!;
  }

  /** Close of business of the local day of `ms` (its last interval's end), whether or not it is worked. */
  closeOf(ms: number): number {
    return midnightOf(ordinalOf(ms)) + this.ends[this.ends.length - 1]!;
  }

  get coveredDays(): number { return this.cum.length - 1; }
}
