/**
 * Vietnamese local time without Intl on the hot path: Asia/Ho_Chi_Minh has been a fixed
 * UTC+7 with no daylight saving since 1975, so local wall time is UTC shifted by 7 hours.
 * The process TZ is never consulted. `assertZoneOffset` checks the assumption at start-up (server/main.ts).
 * Everything on the server that turns an instant into a Vietnamese date or time, or back, goes through here.
 */
const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** Supported years: the fixed-offset assumption holds from 1976; nothing plausible needs past 2100 (and a public request must not make us tabulate centuries). */
export const MIN_YEAR = 1976;
export const MAX_YEAR = 2100;

/** Local day number (days since 1970-01-01 in Vietnamese time). */
export const ordinalOf = (ms: number): number => Math.floor((ms + OFFSET_MS) / DAY_MS);
/** Milliseconds since local midnight. */
export const msOfDay = (ms: number): number => ms + OFFSET_MS - ordinalOf(ms) * DAY_MS;
/** The instant of local midnight starting day `ord`. */
export const midnightOf = (ord: number): number => ord * DAY_MS - OFFSET_MS;
/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekdayOf = (ord: number): number => (((ord + 4) % 7) + 7) % 7;

export function dateOf(ord: number): string {
  return new Date(ord * DAY_MS).toISOString().slice(0, 10);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a `YYYY-MM-DD` string, or undefined if it is not a real calendar date. */
export function ordinalOfDate(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const ord = ms / DAY_MS;
  return dateOf(ord) === date ? ord : undefined;
}

export const yearOfOrdinal = (ord: number): number => new Date(ord * DAY_MS).getUTCFullYear();

/** ISO-8601 in Vietnamese time with an explicit `+07:00` (milliseconds only when non-zero). */
export function formatLocal(d: Date | number): string {
  const ms = typeof d === 'number' ? d : d.getTime();
  const iso = new Date(ms + OFFSET_MS).toISOString();
  const body = iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
  return `${body}+07:00`;
}

/** The instant a Vietnamese calendar day (`YYYY-MM-DD`) starts; undefined if it is not a real date. */
export function localDayStart(date: string): Date | undefined {
  const ord = ordinalOfDate(date);
  return ord === undefined ? undefined : new Date(midnightOf(ord));
}

/** The Vietnamese calendar date (`YYYY-MM-DD`) of an instant. */
export const localDate = (d: Date | number): string => dateOf(ordinalOf(typeof d === 'number' ? d : d.getTime()));

/** `YYYY-MM-DD HH:mm:ss` in Vietnamese time (CSV exports and printed registers). */
export const localDateTime = (d: Date | number): string => formatLocal(Math.floor((typeof d === 'number' ? d : d.getTime()) / 1000) * 1000).slice(0, 19).replace('T', ' ');

/** Camunda's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in Vietnamese time: `2026-01-05T08:00:00.000+0700`. */
export function formatCamundaLocal(d: Date | number): string {
  const ms = typeof d === 'number' ? d : d.getTime();
  return `${new Date(ms + OFFSET_MS).toISOString().slice(0, 23)}+0700`;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses ISO-8601 that carries an explicit offset (`Z` or `±hh:mm`); a bare local time is
 * refused because it would silently take the server's zone. Rejects impossible dates (30 Feb).
 */
export function parseInstant(text: string): Date | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  if (ordinalOfDate(`${y}-${mo}-${d}`) === undefined) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  const off = m[8]!;
  if (off !== 'Z') {
    const digits = off.replace(':', '');
    if (Number(digits.slice(1, 3)) > 14 || Number(digits.slice(3, 5)) > 59) return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Fails loudly if the runtime's zone database disagrees with the fixed offset used above. */
export function assertZoneOffset(): void {
  const probe = Date.UTC(2026, 0, 15, 3, 0);
  const hour = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', hourCycle: 'h23' }).format(probe);
  if (Number(hour) !== 10) throw new Error(`${TIME_ZONE} is not UTC+7 in this runtime (got hour ${hour})`);
}

/** "08:00" → minutes since midnight. */
export function parseClock(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (mi > 59 || h > 24 || (h === 24 && mi !== 0)) return undefined;
  return h * 60 + mi;
}

export const formatClock = (min: number): string =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
