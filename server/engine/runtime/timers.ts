import { hasExpression } from '../expression.js';
import { parseCamundaDate } from '../values.js';
import type { TimerSpec } from '../compile/graph.js';

/**
 * Timer literals (BPMN 2.0 §10.5.5 with ISO 8601): a date, a duration, or a cycle
 * `R[n]/[start/]duration`. Literals are checked at deployment; expressions when the timer starts.
 */

const DURATION = /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function addDuration(from: Date, iso: string): Date | null {
  const m = DURATION.exec(iso.trim());
  if (!m) return null;
  const [, y, mo, w, d, h, mi, s] = m.map((x): number => (x === undefined ? 0 : Number(x)));
  const out = new Date(from);
  out.setUTCFullYear(out.getUTCFullYear() + y!, out.getUTCMonth() + mo!);
  return new Date(out.getTime() + ((w! * 7 + d!) * 86400 + h! * 3600 + mi! * 60 + s!) * 1000);
}

export interface Cycle { repeat: number | null; start: Date | null; duration: string }

export function parseCycle(text: string): Cycle | null {
  const parts = text.trim().split('/');
  const m = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!m || parts.length < 2 || parts.length > 3) return null;
  const duration = parts[parts.length - 1]!;
  if (!addDuration(new Date(0), duration)) return null;
  let start: Date | null = null;
  if (parts.length === 3) { start = parseCamundaDate(parts[1]!); if (!start) return null; }
  return { repeat: m[1] ? Number(m[1]) : null, start, duration };
}

/** Why a literal cannot be a timer, or null when it can (or is an expression, checked later). */
export function checkTimerLiteral(kind: keyof TimerSpec, text: string): string | null {
  if (hasExpression(text)) return null;
  if (kind === 'timeDate') return parseCamundaDate(text) ? null : 'not an ISO 8601 date-time';
  if (kind === 'timeDuration') return addDuration(new Date(0), text) ? null : 'not an ISO 8601 duration (e.g. PT1H, P3D)';
  const c = parseCycle(text);
  if (!c) return 'not an ISO 8601 repeating interval (e.g. R3/PT10M or R/2026-01-01T08:00:00/P1D)';
  if (c.repeat === 0) return 'a cycle repeats at least once (R0 never fires)';
  return null;
}

export interface Due { at: Date; /** Cycle: repetitions left after this one (null = unbounded); absent = fires once. */ left?: number | null; cycle?: string }

/** The first due time of a timer whose text is already evaluated. */
export function firstDue(spec: TimerSpec, now: Date): Due | null {
  if (spec.timeDate) { const at = parseCamundaDate(spec.timeDate); return at ? { at } : null; }
  if (spec.timeDuration) { const at = addDuration(now, spec.timeDuration); return at ? { at } : null; }
  if (spec.timeCycle) {
    const c = parseCycle(spec.timeCycle);
    if (!c) return null;
    let at = c.start ?? addDuration(now, c.duration)!;
    let left = c.repeat === null ? null : c.repeat - 1;
    // A start instant in the past: skip the repetitions already over.
    while (c.start && at < now && (left === null || left > 0)) { at = addDuration(at, c.duration)!; if (left !== null) left--; }
    return { at, left, cycle: spec.timeCycle };
  }
  return null;
}

/** The next run of a cycle after one fired at `at`, or null when it is spent. */
export function nextDue(cycle: string, at: Date, left: number | null | undefined): Due | null {
  if (left !== null && left !== undefined && left <= 0) return null;
  const c = parseCycle(cycle);
  if (!c) return null;
  const next = addDuration(at, c.duration);
  return next ? { at: next, left: left === null || left === undefined ? null : left - 1, cycle } : null;
}
