import { computeDefaultYear, DEFAULT_PLACEMENT, type Placement } from './rules.js';
import { CalendarRangeError, DEFAULT_HOURS, Schedule, type WorkingHours } from './schedule.js';
import {
  HOUR_MS, MAX_YEAR, MIN_YEAR, MINUTE_MS, dateOf, msOfDay, ordinalOf, ordinalOfDate, weekdayOf, yearOfOrdinal,
} from './time.js';

export type Limit = { workingDays: number } | { workingHours: number };

export interface DayEntry {
  date: string;
  /** 'off': a weekday given off (holiday, nghỉ bù, swap); 'working': a weekend day worked (làm bù). */
  kind: 'off' | 'working';
  name: string;
  confidence?: string | null;
}

export interface YearRecord {
  year: number;
  status: 'confirmed' | 'provisional';
  notice: string | null;
  days: DayEntry[];
}

/** What the calendar is computed from: the stored years, per-unit hours ('*' = default) and the unit tree. */
export interface CalendarSnapshot {
  years: YearRecord[];
  unitHours: Map<string, WorkingHours>;
  /** unit id → parent id; undefined when units are not known (no org_unit table). */
  units?: Map<string, string | null>;
}

export interface YearView extends YearRecord {
  /** 'database' when stored (imported or edited); 'computed' when derived from the rules. */
  source: 'database' | 'computed';
}

export interface DayView {
  date: string;
  weekday: number;
  working: boolean;
  kind: 'workday' | 'weekend' | 'holiday' | 'working-weekend';
  /** Why the day is (not) worked: 'weekend', the holiday's name, the swap's name; null for an ordinary workday. */
  reason: string | null;
  provisional: boolean;
}

export interface EffectiveHours {
  hours: WorkingHours;
  /** Where they come from: the unit itself, an ancestor, the administrator's default, or the built-in default. */
  source: 'unit' | 'parent' | 'default' | 'built-in';
  from?: string;
}

export interface CalendarOptions {
  placement?: Placement;
  /** Minutes after local midnight past which "received after 15:00 → next working day" applies. */
  cutoffMinutes?: number;
  /** Called when a unit id is not known (e.g. created since the last load); the default hours are used meanwhile. */
  onUnknownUnit?: (unitId: string) => void;
}

const DEFAULT_KEY = '*';

/**
 * The working-time calendar: synchronous and fast, from an in-memory snapshot that the
 * service replaces whenever an administrator changes something (on every node).
 */
export class WorkingCalendar {
  private snapshot: CalendarSnapshot;
  private stored = new Map<number, YearView & { byDate: Map<string, DayEntry> }>();
  private computed = new Map<number, YearView & { byDate: Map<string, DayEntry> }>();
  private schedules = new Map<string, Schedule>();
  private unitSchedules = new Map<string, Schedule>();
  readonly placement: Placement;
  readonly cutoffMinutes: number;
  private readonly onUnknownUnit?: (unitId: string) => void;

  constructor(snapshot: CalendarSnapshot = { years: [], unitHours: new Map() }, opts: CalendarOptions = {}) {
    this.placement = opts.placement ?? DEFAULT_PLACEMENT;
    this.cutoffMinutes = opts.cutoffMinutes ?? 15 * 60;
    this.onUnknownUnit = opts.onUnknownUnit;
    this.snapshot = snapshot;
    this.replace(snapshot);
  }

  /** Swaps in a new snapshot; tables are rebuilt lazily on next use. */
  replace(snapshot: CalendarSnapshot): void {
    this.snapshot = snapshot;
    this.stored = new Map(snapshot.years.map((y) => [y.year, {
      ...y, source: 'database' as const, byDate: new Map(y.days.map((d) => [d.date, d])),
    }]));
    this.schedules.clear();
    this.unitSchedules.clear();
  }

  // ---- years and days -------------------------------------------------------------

  year(year: number): YearView & { byDate: Map<string, DayEntry> } {
    const s = this.stored.get(year);
    if (s) return s;
    let c = this.computed.get(year);
    if (!c) {
      if (year < MIN_YEAR || year > MAX_YEAR) throw new CalendarRangeError(`Year must be between ${MIN_YEAR} and ${MAX_YEAR}`, 'calendar.yearRange', { min: MIN_YEAR, max: MAX_YEAR });
      const days: DayEntry[] = computeDefaultYear(year, this.placement);
      c = { year, status: 'provisional', notice: null, days, source: 'computed', byDate: new Map(days.map((d) => [d.date, d])) };
      this.computed.set(year, c);
    }
    return c;
  }

  private entry(ord: number): DayEntry | undefined {
    const date = dateOf(ord);
    return this.year(Number(date.slice(0, 4))).byDate.get(date);
  }

  private readonly classify = (ord: number, hours: WorkingHours): boolean => {
    const e = this.entry(ord);
    if (e) return e.kind === 'working';
    return hours.weekdays.includes(weekdayOf(ord));
  };

  // ---- units -----------------------------------------------------------------------

  hasUnit(unitId: string): boolean {
    return this.snapshot.units?.has(unitId) ?? this.snapshot.unitHours.has(unitId);
  }

  /** The unit's own hours, else the nearest ancestor's, else the default. */
  hoursFor(unitId?: string): EffectiveHours {
    const { unitHours, units } = this.snapshot;
    const seen = new Set<string>();
    let id: string | null | undefined = unitId;
    while (id && !seen.has(id)) {
      seen.add(id);
      const h = unitHours.get(id);
      if (h) return { hours: h, source: id === unitId ? 'unit' : 'parent', from: id };
      id = units?.get(id);
    }
    const d = unitHours.get(DEFAULT_KEY);
    return d ? { hours: d, source: 'default' } : { hours: DEFAULT_HOURS, source: 'built-in' };
  }

  /** The precomputed schedule of a unit (units with equal hours share one). */
  schedule(unitId?: string): Schedule {
    const key = unitId ?? DEFAULT_KEY;
    const hit = this.unitSchedules.get(key);
    if (hit) return hit;
    if (unitId && !this.hasUnit(unitId)) this.onUnknownUnit?.(unitId);
    const { hours } = this.hoursFor(unitId);
    const hoursKey = JSON.stringify(hours);
    let s = this.schedules.get(hoursKey);
    if (!s) {
      const now = ordinalOf(Date.now());
      s = new Schedule(hours, this.classify, now - 6 * 366, now + 6 * 366);
      this.schedules.set(hoursKey, s);
    }
    if (!unitId || this.hasUnit(unitId)) this.unitSchedules.set(key, s);
    return s;
  }

  // ---- arithmetic (the interface the engine depends on) ----------------------------

  /** Working milliseconds of a limit for a unit: 1 working day = that unit's hours in a day. */
  limitMs(amount: Limit, unitId?: string): number {
    if ('workingDays' in amount) return Math.round(amount.workingDays * this.schedule(unitId).dayMs);
    return Math.round(amount.workingHours * HOUR_MS);
  }

  add(start: Date, amount: Limit, unitId?: string): Date {
    return new Date(this.schedule(unitId).add(start.getTime(), this.limitMs(amount, unitId)));
  }

  subtract(end: Date, amount: Limit, unitId?: string): Date {
    return new Date(this.schedule(unitId).add(end.getTime(), -this.limitMs(amount, unitId)));
  }

  /** Working time from `a` to `b` (negative when b is earlier). */
  workingTimeBetween(a: Date, b: Date, unitId?: string): { ms: number; workingHours: number; workingDays: number } {
    const s = this.schedule(unitId);
    const ms = s.between(a.getTime(), b.getTime());
    return { ms, workingHours: ms / HOUR_MS, workingDays: ms / s.dayMs };
  }

  isWorkingTime(at: Date, unitId?: string): boolean {
    return this.schedule(unitId).isWorkingTime(at.getTime());
  }

  isWorkingDay(day: Date | string, unitId?: string): boolean {
    const ord = typeof day === 'string' ? ordinalOfDate(day) : ordinalOf(day.getTime());
    if (ord === undefined) throw new CalendarRangeError(`Not a date: ${String(day)}`, 'calendar.notADate', { date: String(day) });
    return this.schedule(unitId).isWorkingDay(ord);
  }

  nextOpening(at: Date, unitId?: string): Date {
    return new Date(this.schedule(unitId).nextOpening(at.getTime()));
  }

  nextWorkingDayOpening(at: Date, unitId?: string): Date {
    return new Date(this.schedule(unitId).nextWorkingDayOpening(at.getTime()));
  }

  /** When the clock starts for something received at `at` (outside hours → next opening; after the cut-off → next day). */
  clockStart(at: Date, afterCutoffNextDay = false, unitId?: string): Date {
    const s = this.schedule(unitId);
    const ms = at.getTime();
    if (afterCutoffNextDay && s.isWorkingDay(ordinalOf(ms)) && msOfDay(ms) > this.cutoffMinutes * MINUTE_MS) {
      return new Date(s.nextWorkingDayOpening(ms));
    }
    return new Date(s.nextOpening(ms));
  }

  /** Whether any day from `a` to `b` falls in a year still provisional (computed, not confirmed). */
  isProvisional(a: Date, b: Date): boolean {
    const y0 = yearOfOrdinal(ordinalOf(Math.min(a.getTime(), b.getTime())));
    const y1 = yearOfOrdinal(ordinalOf(Math.max(a.getTime(), b.getTime())));
    for (let y = y0; y <= y1; y++) if (this.year(y).status === 'provisional') return true;
    return false;
  }

  // ---- day listing -----------------------------------------------------------------

  day(ord: number, unitId?: string): DayView {
    const s = this.schedule(unitId);
    const working = s.isWorkingDay(ord);
    const date = dateOf(ord);
    const wd = weekdayOf(ord);
    const e = this.year(Number(date.slice(0, 4))).byDate.get(date);
    const usual = s.hours.weekdays.includes(wd);
    const provisional = this.year(Number(date.slice(0, 4))).status === 'provisional';
    let kind: DayView['kind'];
    let reason: string | null;
    if (e && e.kind === 'off') { kind = usual ? 'holiday' : 'weekend'; reason = e.name; }
    else if (e && e.kind === 'working') { kind = usual ? 'workday' : 'working-weekend'; reason = e.name; }
    else if (usual) { kind = 'workday'; reason = null; }
    else { kind = 'weekend'; reason = 'weekend'; }
    return { date, weekday: wd, working, kind, reason, provisional };
  }
}
