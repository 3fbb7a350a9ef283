/**
 * The one parser of working-time amounts as BPMN models write them (`tthc:budget`, `tthc:beforeDue`,
 * `tthc:replyDeadline`, REMIND_BEFORE_DUE): a non-negative number, `.` or `,` as the decimal mark, then `d`
 * (working days of 8 h) or `h` (working hours), spaces and case ignored: "4h", "0.5d", "0,5d", " 2 D ".
 * Pure and import-free: the server and the designer (designer/src/tthc/duration.ts) share this file.
 */
export const HOURS_PER_DAY = 8;

export type WorkingAmount = { workingDays: number } | { workingHours: number };

const AMOUNT = /^\s*(\d+(?:[.,]\d+)?)\s*([dh])\s*$/i;

/** '4h' → {workingHours: 4}; '0.5d' / '0,5d' → {workingDays: 0.5}; undefined when malformed. */
export function parseBudget(text: string | null | undefined): WorkingAmount | undefined {
  const m = text ? AMOUNT.exec(text) : null;
  if (!m) return undefined;
  const n = Number(m[1]!.replace(',', '.'));
  if (!Number.isFinite(n)) return undefined;
  return m[2]!.toLowerCase() === 'd' ? { workingDays: n } : { workingHours: n };
}

/** The amount in working hours (1 d = 8 h), or undefined when malformed. */
export function budgetHours(text: string | null | undefined): number | undefined {
  const a = parseBudget(text);
  return a === undefined ? undefined : 'workingDays' in a ? a.workingDays * HOURS_PER_DAY : a.workingHours;
}

/** The stored form of what a person typed ("4 h" → "4h", "0,5d" → "0.5d"); null when malformed. */
export function normaliseBudget(text: string): string | null {
  const a = parseBudget(text);
  return a === undefined ? null : 'workingDays' in a ? `${a.workingDays}d` : `${a.workingHours}h`;
}

/** Writes hours back as the shortest budget text ("16h" → "2d", "4h" stays). */
export function formatBudget(hours: number): string {
  return hours % HOURS_PER_DAY === 0 ? `${hours / HOURS_PER_DAY}d` : `${hours}h`;
}
