import type { Knex } from 'knex';
import { notify, type Database, type Unlisten } from '../db/connect.js';
import { ApiError } from '../http/errors.js';
import type { Logger } from '../log.js';
import { WorkingCalendar, type CalendarOptions, type DayEntry, type EffectiveHours, type YearRecord, type YearView } from './calendar.js';
import { calendarError } from './messages.js';
import { noticeToYear, type NoticeYear } from './notice.js';
import { computeDefaultYear, type Placement } from './rules.js';
import type { WorkingHours } from './schedule.js';
import * as store from './store.js';
import type { ChangeRow } from './store.js';
import { MAX_YEAR, MIN_YEAR, ordinalOfDate, weekdayOf } from './time.js';

/** Every node listens here and reloads its in-memory calendar when anything changes. */
const CALENDAR_CHANNEL = 'calendar_changed';
export const DEFAULT_UNIT = '*';

export interface CalendarServiceDeps {
  db: Database;
  log: Logger;
  options?: Omit<CalendarOptions, 'onUnknownUnit'>;
}

interface DayInput { kind: DayEntry['kind']; name: string; confidence?: string | null }

/** The working-time calendar of every node: the in-memory `calendar`, kept in step with the database, and its administration. */
export interface CalendarService {
  readonly calendar: WorkingCalendar;
  /** Reads everything from the database into the calendar; concurrent calls share one load. */
  reload(): Promise<void>;
  /** Follows other nodes' changes (and org_unit changes, via a trigger). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** 400 unless the unit exists (looks in the database before refusing a unit created since the last load). */
  checkUnit(unitId: string): Promise<void>;
  getYear(year: number): YearView;
  /** The rules' default for a year with a given Tết placement (a preview; nothing is stored). */
  computeYear(year: number, placement?: Partial<Placement>): YearRecord;
  getHours(unitId?: string): Promise<EffectiveHours>;
  listChanges(opts: { limit?: number; beforeId?: number; year?: number }): Promise<ChangeRow[]>;
  /** Adds or changes one day of a year (a day off, or a weekend day worked). */
  putDay(actor: string, date: string, input: DayInput): Promise<YearView>;
  removeDay(actor: string, date: string): Promise<YearView>;
  /** "Nghỉ X, làm bù thứ Bảy Y": a weekday given off and a weekend day worked, in one change. */
  addSwap(actor: string, year: number, swap: { workingDate: string; dayOff: string; name?: string }): Promise<YearView>;
  /** Replaces a year with an official notice (same shape as data/holidays-vn.json); the year becomes confirmed. */
  importYear(actor: string, year: number, notice: NoticeYear): Promise<YearView>;
  /** Confirms a year as it stands (a computed year is stored first, with an optional Tết placement). */
  confirmYear(actor: string, year: number, placement?: Partial<Placement>): Promise<YearView>;
  putHours(actor: string, unitId: string, hours: WorkingHours): Promise<EffectiveHours>;
  removeHours(actor: string, unitId: string): Promise<EffectiveHours>;
}

type Change = { action: string; subject: string; before: unknown; after: unknown };

export function createCalendarService(deps: CalendarServiceDeps): CalendarService {
  const { db, log } = deps;
  let unlisten: Unlisten | undefined;
  let reloading: Promise<void> | undefined;
  let lastUnknownReload = 0;

  const calendar = new WorkingCalendar(undefined, {
    ...deps.options,
    onUnknownUnit: (unitId) => {
      // A unit created since the last load: use the default hours now, learn its parent soon.
      if (Date.now() - lastUnknownReload < 5_000) return;
      lastUnknownReload = Date.now();
      log.warn({ unitId }, 'calendar: unknown unit, using default hours until reload');
      void reload().catch((err) => log.error({ err }, 'calendar reload failed'));
    },
  });

  function reload(): Promise<void> {
    if (reloading) return reloading;
    reloading = (async () => {
      try {
        calendar.replace(await store.loadSnapshot(db.knex));
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  }

  async function checkUnit(unitId: string): Promise<void> {
    if (calendar.hasUnit(unitId)) return;
    if (await store.unitExists(db.knex, unitId)) { await reload(); return; }
    throw calendarError(400, 'InvalidRequestException', 'calendar.unknownUnit', { unit: unitId });
  }

  function getYear(year: number): YearView {
    checkYear(year);
    const { byDate: _b, ...view } = calendar.year(year);
    return view;
  }

  function computeYear(year: number, placement: Partial<Placement> = {}): YearRecord {
    checkYear(year);
    const days = computeDefaultYear(year, { ...calendar.placement, ...placement });
    return { year, status: 'provisional', notice: null, days };
  }

  async function getHours(unitId?: string): Promise<EffectiveHours> {
    if (unitId && unitId !== DEFAULT_UNIT) await checkUnit(unitId);
    return calendar.hoursFor(unitId === DEFAULT_UNIT ? undefined : unitId);
  }

  /**
   * One transaction per change: store a computed year before its first edit (so editing one
   * day keeps the computed others), apply, log who/when/what, notify every node; then reload.
   */
  async function write(actor: string, year: number | null, fn: (trx: Knex.Transaction) => Promise<Change>): Promise<void> {
    await db.knex.transaction(async (trx) => {
      if (year !== null) {
        await store.ensureYear(trx, computeYear(year), actor);
      }
      const change = await fn(trx);
      await store.logChange(trx, { actor, ...change });
      await notify(trx, CALENDAR_CHANNEL, change.action);
    });
    await reload();
  }

  return {
    calendar,
    reload,
    checkUnit,
    getYear,
    computeYear,
    getHours,

    async start() {
      unlisten = await db.listen(CALENDAR_CHANNEL, () => {
        void reload().catch((err) => log.error({ err }, 'calendar reload failed'));
      });
    },

    async stop() {
      await unlisten?.();
      unlisten = undefined;
    },

    listChanges(opts) {
      return store.listChanges(db.knex, {
        limit: Math.min(opts.limit ?? 50, 500), beforeId: opts.beforeId,
        subjectPrefix: opts.year ? `${opts.year}` : undefined,
      });
    },

    async putDay(actor: string, date: string, input: DayInput): Promise<YearView> {
      const { year, ord } = checkDate(date);
      if (input.kind === 'working' && ![0, 6].includes(weekdayOf(ord))) {
        throw calendarError(400, 'InvalidRequestException', 'calendar.weekdayNotWorking', { date });
      }
      await write(actor, year, async (trx) => {
        const before = await store.getDay(trx, date);
        const after: DayEntry = { date, kind: input.kind, name: input.name, confidence: input.confidence ?? null };
        await store.upsertDay(trx, year, after);
        return { action: before ? 'day.change' : 'day.add', subject: date, before, after };
      });
      return getYear(year);
    },

    async removeDay(actor: string, date: string): Promise<YearView> {
      const { year } = checkDate(date);
      await write(actor, year, async (trx) => {
        const before = await store.getDay(trx, date);
        if (!before) throw calendarError(404, 'NotFound', 'calendar.dayNotListed', { date });
        await store.deleteDay(trx, date);
        return { action: 'day.remove', subject: date, before, after: undefined };
      });
      return getYear(year);
    },

    async addSwap(actor: string, year: number, swap: { workingDate: string; dayOff: string; name?: string }): Promise<YearView> {
      const w = checkDate(swap.workingDate);
      const o = checkDate(swap.dayOff);
      if (w.year !== year || o.year !== year) throw calendarError(400, 'InvalidRequestException', 'calendar.swapOtherYear', { year });
      if (![0, 6].includes(weekdayOf(w.ord))) throw calendarError(400, 'InvalidRequestException', 'calendar.swapNotWeekend', { date: swap.workingDate }, [{ field: 'body.workingDate' }]);
      if ([0, 6].includes(weekdayOf(o.ord))) throw calendarError(400, 'InvalidRequestException', 'calendar.swapOffIsWeekend', { date: swap.dayOff }, [{ field: 'body.dayOff' }]);
      const dm = (d: string) => `${d.slice(8)}/${d.slice(5, 7)}`;
      await write(actor, year, async (trx) => {
        const clash = await store.getDay(trx, swap.dayOff);
        if (clash?.kind === 'off') throw calendarError(409, 'Conflict', 'calendar.alreadyOff', { date: swap.dayOff, name: clash.name });
        const off: DayEntry = { date: swap.dayOff, kind: 'off', name: swap.name ?? `Nghỉ hoán đổi (làm bù ${dm(swap.workingDate)})`, confidence: null };
        const work: DayEntry = { date: swap.workingDate, kind: 'working', name: swap.name ?? `Làm bù cho ${dm(swap.dayOff)}`, confidence: null };
        await store.upsertDay(trx, year, off);
        await store.upsertDay(trx, year, work);
        return { action: 'swap.add', subject: `${swap.workingDate}>${swap.dayOff}`, before: clash, after: [off, work] };
      });
      return getYear(year);
    },

    async importYear(actor: string, year: number, notice: NoticeYear): Promise<YearView> {
      checkYear(year);
      const { record, problems } = noticeToYear(year, notice, 'confirmed');
      if (!record) {
        const text = { ...problems[0]!, enDetails: problems.map((p) => p.en) };
        throw new ApiError(400, 'InvalidRequestException', text.vi, problems.map((p) => p.vi), text);
      }
      await write(actor, null, async (trx) => {
        const before = calendar.year(year);
        await store.replaceYear(trx, record, actor);
        return { action: 'year.import', subject: String(year), before: { status: before.status, notice: before.notice, days: before.days }, after: record };
      });
      return getYear(year);
    },

    async confirmYear(actor: string, year: number, placement?: Partial<Placement>): Promise<YearView> {
      checkYear(year);
      await write(actor, null, async (trx) => {
        const existing = await store.lockYear(trx, year);
        if (existing?.status === 'confirmed' && !placement) throw calendarError(409, 'Conflict', 'calendar.alreadyConfirmed', { year });
        if (existing && placement) throw calendarError(409, 'Conflict', 'calendar.alreadyStored', { year });
        if (!existing) await store.insertYear(trx, { ...computeYear(year, placement), status: 'confirmed' }, actor);
        else await store.setYearStatus(trx, year, 'confirmed', actor);
        return { action: 'year.confirm', subject: String(year), before: existing?.status ?? 'computed', after: { status: 'confirmed', placement: placement ?? null } };
      });
      return getYear(year);
    },

    async putHours(actor: string, unitId: string, hours: WorkingHours): Promise<EffectiveHours> {
      if (unitId !== DEFAULT_UNIT) await checkUnit(unitId);
      await write(actor, null, async (trx) => {
        const before = await store.getUnitHours(trx, unitId);
        await store.putUnitHours(trx, unitId, hours, actor);
        return { action: 'hours.set', subject: `unit:${unitId}`, before, after: hours };
      });
      return getHours(unitId);
    },

    async removeHours(actor: string, unitId: string): Promise<EffectiveHours> {
      await write(actor, null, async (trx) => {
        const before = await store.getUnitHours(trx, unitId);
        if (!before) throw calendarError(404, 'NotFound', 'calendar.noOwnHours', { unit: unitId });
        await store.deleteUnitHours(trx, unitId);
        return { action: 'hours.remove', subject: `unit:${unitId}`, before, after: undefined };
      });
      return getHours(unitId === DEFAULT_UNIT ? undefined : unitId);
    },
  };
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw calendarError(400, 'InvalidRequestException', 'calendar.yearRange', { min: MIN_YEAR, max: MAX_YEAR });
  }
}

function checkDate(date: string): { year: number; ord: number } {
  const ord = ordinalOfDate(date);
  if (ord === undefined) throw calendarError(400, 'InvalidRequestException', 'calendar.notADate', { date });
  const year = Number(date.slice(0, 4));
  checkYear(year);
  return { year, ord };
}

