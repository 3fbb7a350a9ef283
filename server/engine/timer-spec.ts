import { parseDuration, parseInterval } from '@0dep/piso';
import { reason, type Reason } from './compile/messages.js';
import { parseCamundaDate } from './values.js';

/**
 * Timer specifications (BPMN timeDate / timeDuration / timeCycle) and the rules a deployable
 * timer must follow, in one place: the model check (deploy and validation), the scheduler and
 * any interpreter use these. ISO-8601 parsing is @0dep/piso's (the parser bpmn-elements uses).
 *
 * Rules (README, "Timers"):
 * - a cycle repeats at most every MIN_CYCLE_MS (1 minute) — `R/PT0S`, `R5/PT0S`, `R/P0D`,
 *   `R3/PT30S` are refused;
 * - an unbounded cycle (`R/…`, `R-1/…`) repeats at most every MIN_UNBOUNDED_CYCLE_MS (5 minutes);
 * - a bounded cycle has at most MAX_REPETITIONS repetitions;
 * - a cycle must be written literally (no `${…}` expression): an expression could produce any
 *   of the above at run time, where nothing can refuse it any more;
 * - `R<n>` is honoured (n fires, then the timer ends) and so is a cycle's start instant
 *   (`R3/2026-01-05T08:00:00+07:00/P1D` fires at 08:00 on the 5th, 6th and 7th). A start instant
 *   without an offset is Vietnamese time.
 * - when every node was down across several occurrences, the timer fires once, then continues
 *   on its schedule (no burst of catch-up fires).
 */
export const MIN_CYCLE_MS = 60_000;
const MIN_UNBOUNDED_CYCLE_MS = 5 * 60_000;
const MAX_REPETITIONS = 10_000;
/** A timer whose firing failed this many times in a row becomes an incident instead of retrying. */
export const MAX_TIMER_ATTEMPTS = 5;

export interface TimerSpec { timeDate?: string; timeDuration?: string; timeCycle?: string }

interface Cycle {
  /** Number of fires; null = unbounded. */
  repeat: number | null;
  /** The first occurrence, when the cycle names one. */
  start: Date | null;
  /** The cycle's end instant (`R/PT1H/2030-01-01T00:00Z`), when it names one. */
  end: Date | null;
  /** The interval after `from` (months and years follow the calendar). */
  after(from: Date, times?: number): Date;
  /** Nominal interval length (at the epoch), for the minimum rules. */
  intervalMs: number;
}

const isExpression = (s: string) => /[$#]\{/.test(s);

/** Why a cycle does not parse, as a keyed reason (the parser's own errors stay plain Errors). */
class CycleProblem extends Error {
  constructor(readonly reason: Reason) { super(reason.key); }
}

function parseCycle(text: string): Cycle {
  const source = text.trim();
  if (!/^R/i.test(source)) throw new CycleProblem(reason('engine.timer.cycleNoR', { value: text }));
  const iv = parseInterval(source);
  if (!iv.duration) throw new CycleProblem(reason('engine.timer.cycleNoDuration', { value: text }));
  const parts = source.split('/');
  // piso reads a date without offset as the process's local time; here it is Vietnamese time.
  const dateOf = (part: string | undefined) => {
    if (!part) return null;
    const d = parseCamundaDate(part);
    if (!d) throw new CycleProblem(reason('engine.timer.cycleBadDate', { value: text, part }));
    return d;
  };
  const start = iv.start ? dateOf(parts[1]) : null;
  const end = iv.end ? dateOf(parts[parts.length - 1]) : null;
  const duration = iv.duration;
  const repeat = iv.repeat === undefined || iv.repeat < 0 ? null : iv.repeat;
  return {
    repeat,
    start,
    end,
    intervalMs: duration.toMilliseconds(new Date(0)),
    after: (from, times = 1) => duration.getExpireAt(from, times),
  };
}

/** Milliseconds of a duration from `from` (calendar-aware), or throws with the parser's reason. */
function durationAfter(text: string, from: Date): Date {
  return parseDuration(text.trim()).getExpireAt(from);
}

/** What is wrong with one timer spec value (a keyed reason, like the other model findings), or null. */
export function timerSpecProblem(kind: keyof TimerSpec, value: string | undefined): Reason | null {
  if (!value) return null;
  if (kind === 'timeCycle') {
    if (isExpression(value)) return reason('engine.timer.cycleExpression', { value });
    let c: Cycle;
    try {
      c = parseCycle(value);
    } catch (err) {
      return err instanceof CycleProblem ? err.reason : reason('engine.timer.cycleInvalid', { value, detail: (err as Error).message });
    }
    if (c.repeat === 0) return reason('engine.timer.cycleNever', { value });
    if (c.repeat !== null && c.repeat > MAX_REPETITIONS) return reason('engine.timer.cycleTooMany', { value, max: MAX_REPETITIONS });
    if (c.intervalMs < MIN_CYCLE_MS) return reason('engine.timer.cycleTooOften', { value });
    if (c.repeat === null && c.intervalMs < MIN_UNBOUNDED_CYCLE_MS) return reason('engine.timer.cycleEndlessTooOften', { value });
    return null;
  }
  if (isExpression(value)) return null;
  if (kind === 'timeDuration') {
    try {
      parseDuration(value.trim());
    } catch (err) {
      return reason('engine.timer.durationInvalid', { value, detail: (err as Error).message });
    }
    return null;
  }
  if (!parseCamundaDate(value)) return reason('engine.timer.dateInvalid', { value });
  return null;
}

/** Every problem of a timer definition (empty: deployable). */
export function timerSpecProblems(spec: TimerSpec): Reason[] {
  const out: Reason[] = [];
  for (const k of ['timeDate', 'timeDuration', 'timeCycle'] as const) {
    const p = timerSpecProblem(k, spec[k]);
    if (p) out.push(p);
  }
  return out;
}

/** When a timer start event first fires, from `now`; null when it never will. */
export function firstDue(spec: TimerSpec, now = new Date()): Date | null {
  try {
    if (spec.timeDate) return parseCamundaDate(spec.timeDate);
    if (spec.timeDuration) return durationAfter(spec.timeDuration, now);
    if (spec.timeCycle) {
      const c = parseCycle(spec.timeCycle);
      if (c.start) return c.start.getTime() >= now.getTime() ? c.start : nextOccurrence(c, c.start, now);
      const first = c.after(now);
      return c.end && first > c.end ? null : first;
    }
  } catch {
    return null;
  }
  return null;
}

/** The first occurrence of the cycle after `now`, stepping from `last` (skipping missed ones in one jump). */
function nextOccurrence(c: Cycle, last: Date, now: Date): Date | null {
  let next = c.after(last);
  if (next.getTime() <= now.getTime() && c.intervalMs > 0) {
    const skip = Math.floor((now.getTime() - last.getTime()) / c.intervalMs);
    if (skip > 1) next = c.after(last, skip);
    for (let i = 0; next.getTime() <= now.getTime() && i < 1000; i++) next = c.after(next);
  }
  if (next.getTime() <= now.getTime()) return null;
  return c.end && next > c.end ? null : next;
}

/**
 * When a cycle fires next, after firing at `lastDue` for the `fired`-th time (1 = first fire);
 * null when it is done (R<n> reached, end instant passed, or the cycle does not parse).
 */
export function nextCycleDue(cycle: string, lastDue: Date, fired: number, now = new Date()): Date | null {
  let c: Cycle;
  try {
    c = parseCycle(cycle);
  } catch {
    return null;
  }
  if (c.repeat !== null && fired >= c.repeat) return null;
  return nextOccurrence(c, lastDue, now);
}
