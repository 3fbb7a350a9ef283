import type { Limit } from './calendar.js';

/**
 * BPMN budget strings (`tthc:budget="4h"`, `tthc:beforeDue="1d"`): a non-negative number
 * followed by `d` (working days) or `h` (working hours). Undefined when malformed.
 */
export function parseBudget(text: string): Limit | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([dh])\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  return m[2]!.toLowerCase() === 'd' ? { workingDays: n } : { workingHours: n };
}
