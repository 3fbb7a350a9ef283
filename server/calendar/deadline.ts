import type { Limit, WorkingCalendar } from './calendar.js';

/**
 * A dossier's statutory clock as a plain value: the dossier flow stores it and passes it back.
 * Nothing here recomputes a due date already issued; each operation returns a new clock.
 */
export interface DossierClock {
  unitId?: string;
  limit: Limit;
  receivedAt: Date;
  startsAt: Date;
  dueAt: Date;
  /** Set while waiting for the citizen's supplement. */
  pausedAt?: Date;
  /** Working milliseconds that were left when the clock was paused. */
  remainingMs?: number;
  pauses: number;
  /** The due date before the one extension (gia hạn), once extended. */
  originalDueAt?: Date;
  extendedAt?: Date;
}

export class ClockRuleError extends Error {
  constructor(readonly code: 'already-paused' | 'not-paused' | 'already-extended' | 'extension-not-later' | 'paused', message: string) {
    super(message);
  }
}

export interface DeadlineRequest {
  receivedAt: Date;
  limit: Limit;
  afterCutoffNextDay?: boolean;
  unitId?: string;
}

/** Receipt → when the clock starts and the appointment (due) instant. */
export function dossierDeadline(cal: WorkingCalendar, req: DeadlineRequest): { startsAt: Date; dueAt: Date; provisional: boolean } {
  const startsAt = cal.clockStart(req.receivedAt, req.afterCutoffNextDay ?? false, req.unitId);
  const dueAt = cal.add(startsAt, req.limit, req.unitId);
  return { startsAt, dueAt, provisional: cal.isProvisional(startsAt, dueAt) };
}

export function startClock(cal: WorkingCalendar, req: DeadlineRequest): DossierClock {
  const { startsAt, dueAt } = dossierDeadline(cal, req);
  return { unitId: req.unitId, limit: req.limit, receivedAt: req.receivedAt, startsAt, dueAt, pauses: 0 };
}

/** Stops the clock (supplement requested): the working time left is kept, the citizen's time is not counted. */
export function pauseClock(cal: WorkingCalendar, clock: DossierClock, at: Date): DossierClock {
  if (clock.pausedAt) throw new ClockRuleError('already-paused', 'The clock is already paused');
  const left = cal.workingTimeBetween(at, clock.dueAt, clock.unitId).ms;
  return { ...clock, pausedAt: at, remainingMs: Math.max(0, left), pauses: clock.pauses + 1 };
}

export interface ResumeOptions {
  /** 'resume' continues with the time left; 'restart' gives the full limit again (per procedure). */
  mode: 'resume' | 'restart';
  afterCutoffNextDay?: boolean;
}

/** Restarts the clock when the supplement arrives; the new due instant counts from the next opening. */
export function resumeClock(cal: WorkingCalendar, clock: DossierClock, at: Date, opts: ResumeOptions): DossierClock {
  if (!clock.pausedAt) throw new ClockRuleError('not-paused', 'The clock is not paused');
  const startsAt = cal.clockStart(at, opts.afterCutoffNextDay ?? false, clock.unitId);
  const ms = opts.mode === 'restart' ? cal.limitMs(clock.limit, clock.unitId) : clock.remainingMs ?? 0;
  const dueAt = cal.add(startsAt, { workingHours: ms / 3_600_000 }, clock.unitId);
  const { pausedAt: _p, remainingMs: _r, ...rest } = clock;
  return { ...rest, startsAt, dueAt };
}

/** The one extension a dossier may get (form 04: apology with a new date). */
export function extendClock(clock: DossierClock, newDueAt: Date, at: Date = new Date()): DossierClock {
  if (clock.extendedAt) throw new ClockRuleError('already-extended', 'The due date has already been extended once');
  if (clock.pausedAt) throw new ClockRuleError('paused', 'Resume the clock before extending it');
  if (newDueAt.getTime() <= clock.dueAt.getTime()) {
    throw new ClockRuleError('extension-not-later', 'The new due date must be later than the current one');
  }
  return { ...clock, originalDueAt: clock.dueAt, dueAt: newDueAt, extendedAt: at };
}

export interface NearDueOptions {
  /** Near due when fewer than this many working days are left (default 1). */
  workingDays?: number;
  /** …or when less than this share of the limit is left (default 0.2). */
  ratio?: number;
}

export type DueState = 'on-time' | 'near-due' | 'overdue' | 'paused';

/** Where a dossier stands at `now`: overdue, near due (default: < 1 working day or < 20 % of the limit left), or on time. */
export function dueState(
  cal: WorkingCalendar, clock: Pick<DossierClock, 'dueAt' | 'limit' | 'unitId' | 'pausedAt'>, now: Date, opts: NearDueOptions = {},
): { state: DueState; remainingMs: number } {
  if (clock.pausedAt) return { state: 'paused', remainingMs: cal.workingTimeBetween(clock.pausedAt, clock.dueAt, clock.unitId).ms };
  if (now.getTime() > clock.dueAt.getTime()) return { state: 'overdue', remainingMs: -cal.workingTimeBetween(clock.dueAt, now, clock.unitId).ms };
  const remainingMs = cal.workingTimeBetween(now, clock.dueAt, clock.unitId).ms;
  const day = cal.limitMs({ workingDays: 1 }, clock.unitId);
  const near = remainingMs < (opts.workingDays ?? 1) * day || remainingMs < (opts.ratio ?? 0.2) * cal.limitMs(clock.limit, clock.unitId);
  return { state: near ? 'near-due' : 'on-time', remainingMs };
}
