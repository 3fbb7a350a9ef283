import type { Knex } from 'knex';
import type { CalendarSnapshot, DayEntry, YearRecord } from './calendar.js';
import type { WorkingHours } from './schedule.js';

type Db = Knex | Knex.Transaction;

/** Table rows as the database returns them (json columns parsed; dates as 'YYYY-MM-DD' text where selected so). */
interface CalendarYearRow { year: number; status: YearRecord['status']; notice: string | null; updated_by: string | null; updated_at: Date }
interface CalendarDayRow { day: string; year: number; kind: DayEntry['kind']; name: string; confidence: string | null }
interface UnitHoursRow { unit_id: string; intervals: Array<[number, number]>; weekdays: number[]; updated_by: string | null; updated_at: Date }
interface OrgUnitLink { id: string; parent_id: string | null }
type YearHead = Omit<YearRecord, 'days'>;

export interface ChangeRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
}

/** All SQL of the calendar. Dates travel as 'YYYY-MM-DD' text so no driver ever applies a time zone. */
export async function loadSnapshot(db: Db): Promise<CalendarSnapshot> {
  const years: YearHead[] = await db<CalendarYearRow>('calendar_year').select('year', 'status', 'notice').orderBy('year');
  const days = await db('calendar_day')
    .select(db.raw(`to_char(day, 'YYYY-MM-DD') as date`), 'year', 'kind', 'name', 'confidence')
    .orderBy('day') as Array<DayEntry & { year: number }>;
  const byYear = new Map<number, DayEntry[]>();
  for (const d of days) {
    const list = byYear.get(d.year) ?? [];
    list.push({ date: d.date, kind: d.kind, name: d.name, confidence: d.confidence });
    byYear.set(d.year, list);
  }
  const hours = await db<UnitHoursRow>('calendar_unit_hours').select('unit_id', 'intervals', 'weekdays');
  const unitHours = new Map<string, WorkingHours>(hours.map((h) => [h.unit_id, { intervals: h.intervals, weekdays: h.weekdays }]));
  let units: Map<string, string | null> | undefined;
  if (await hasUnitTable(db)) {
    const rows = await db<OrgUnitLink>('org_unit').select('id', 'parent_id');
    units = new Map(rows.map((r) => [r.id, r.parent_id]));
  }
  return {
    years: years.map((y) => ({ ...y, days: byYear.get(y.year) ?? [] })),
    unitHours,
    units,
  };
}

async function hasUnitTable(db: Db): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ t: string | null }> }>(`select to_regclass('org_unit') as t`);
  return Boolean(rows[0]?.t);
}

export async function unitExists(db: Db, unitId: string): Promise<boolean> {
  if (!(await hasUnitTable(db))) return false;
  return Boolean(await db<OrgUnitLink>('org_unit').where({ id: unitId }).first('id'));
}

export async function lockYear(trx: Knex.Transaction, year: number): Promise<YearHead | undefined> {
  return trx<CalendarYearRow>('calendar_year').where({ year }).forUpdate().first('year', 'status', 'notice');
}

export async function insertYear(trx: Knex.Transaction, record: YearRecord, actor: string): Promise<void> {
  await trx('calendar_year').insert({ year: record.year, status: record.status, notice: record.notice, updated_by: actor });
  if (record.days.length) await trx('calendar_day').insert(record.days.map((d) => toRow(record.year, d)));
}

/** Stores a year unless a row exists already (two administrators' first edits may race). */
export async function ensureYear(trx: Knex.Transaction, record: YearRecord, actor: string): Promise<void> {
  const inserted = await trx('calendar_year')
    .insert({ year: record.year, status: record.status, notice: record.notice, updated_by: actor })
    .onConflict('year').ignore().returning('year');
  if (inserted.length && record.days.length) await trx('calendar_day').insert(record.days.map((d) => toRow(record.year, d)));
  await trx('calendar_year').where({ year: record.year }).forUpdate().update({ updated_by: actor, updated_at: trx.fn.now() });
}

export async function replaceYear(trx: Knex.Transaction, record: YearRecord, actor: string): Promise<void> {
  await trx('calendar_year').where({ year: record.year }).delete();
  await insertYear(trx, record, actor);
}

export async function setYearStatus(trx: Knex.Transaction, year: number, status: YearRecord['status'], actor: string): Promise<void> {
  await trx('calendar_year').where({ year }).update({ status, updated_by: actor, updated_at: trx.fn.now() });
}

export async function getDay(db: Db, date: string): Promise<DayEntry | undefined> {
  return db<CalendarDayRow>('calendar_day').where({ day: date })
    .first(db.raw(`to_char(day, 'YYYY-MM-DD') as date`), 'kind', 'name', 'confidence');
}

export async function upsertDay(trx: Knex.Transaction, year: number, d: DayEntry): Promise<void> {
  await trx('calendar_day').insert(toRow(year, d)).onConflict('day').merge(['kind', 'name', 'confidence']);
}

export async function deleteDay(trx: Knex.Transaction, date: string): Promise<number> {
  return trx('calendar_day').where({ day: date }).delete();
}

export async function getUnitHours(db: Db, unitId: string): Promise<WorkingHours | undefined> {
  const row = await db<UnitHoursRow>('calendar_unit_hours').where({ unit_id: unitId }).first('intervals', 'weekdays');
  return row ? { intervals: row.intervals, weekdays: row.weekdays } : undefined;
}

export async function putUnitHours(trx: Knex.Transaction, unitId: string, h: WorkingHours, actor: string): Promise<void> {
  await trx('calendar_unit_hours')
    .insert({ unit_id: unitId, intervals: JSON.stringify(h.intervals), weekdays: JSON.stringify(h.weekdays), updated_by: actor })
    .onConflict('unit_id').merge({ intervals: JSON.stringify(h.intervals), weekdays: JSON.stringify(h.weekdays), updated_by: actor, updated_at: trx.fn.now() });
}

export async function deleteUnitHours(trx: Knex.Transaction, unitId: string): Promise<number> {
  return trx('calendar_unit_hours').where({ unit_id: unitId }).delete();
}

export async function logChange(trx: Knex.Transaction, c: Omit<ChangeRow, 'id' | 'at'>): Promise<void> {
  await trx('calendar_change').insert({
    actor: c.actor, action: c.action, subject: c.subject,
    before: c.before === undefined ? null : JSON.stringify(c.before),
    after: c.after === undefined ? null : JSON.stringify(c.after),
  });
}

export async function listChanges(db: Db, opts: { limit: number; beforeId?: number; subjectPrefix?: string }): Promise<ChangeRow[]> {
  const q = db('calendar_change')
    .select('id', db.raw(`to_char(at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') as at`), 'actor', 'action', 'subject', 'before', 'after')
    .orderBy('id', 'desc').limit(opts.limit);
  if (opts.beforeId) q.where('id', '<', opts.beforeId);
  if (opts.subjectPrefix) q.where('subject', 'like', `${opts.subjectPrefix.replace(/[\\%_]/g, '\\$&')}%`);
  return q as Promise<ChangeRow[]>;
}

function toRow(year: number, d: DayEntry) {
  return { day: d.date, year, kind: d.kind, name: d.name, confidence: d.confidence ?? null };
}
