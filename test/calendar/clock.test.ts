import {
  ClockRuleError, dueState, extendClock, formatLocal, parseInstant, pauseClock, resumeClock, startClock,
} from '../../server/calendar/index.js';
import { seededCalendar } from '../../server/calendar/seeded.js';

const at = (s: string) => parseInstant(s)!;
const cal = seededCalendar();

describe('a dossier clock', () => {
  // Received Monday 2/3/2026 10:00, 5 working days → due Monday 9/3 10:00.
  const clock = startClock(cal, { receivedAt: at('2026-03-02T10:00:00+07:00'), limit: { workingDays: 5 } });

  it('starts with the statutory due instant', () => {
    expect(formatLocal(clock.dueAt)).toBe('2026-03-09T10:00:00+07:00');
  });

  it('pauses for a supplement and resumes the remaining time', () => {
    // Paused Wednesday 4/3 10:00 with 3 working days left; the citizen answers Tuesday 10/3 at 14:00.
    const paused = pauseClock(cal, clock, at('2026-03-04T10:00:00+07:00'));
    expect(paused.remainingMs).toBe(3 * 8 * 3_600_000);
    expect(dueState(cal, paused, at('2026-03-20T10:00:00+07:00')).state).toBe('paused');
    const resumed = resumeClock(cal, paused, at('2026-03-10T14:00:00+07:00'), { mode: 'resume' });
    expect(formatLocal(resumed.dueAt)).toBe('2026-03-13T14:00:00+07:00');
    expect(resumed.pausedAt).toBeUndefined();
    expect(resumed.pauses).toBe(1);
  });

  it('can restart the full limit instead, honouring the 15:00 rule for the supplement', () => {
    const paused = pauseClock(cal, clock, at('2026-03-04T10:00:00+07:00'));
    const resumed = resumeClock(cal, paused, at('2026-03-10T15:30:00+07:00'), { mode: 'restart', afterCutoffNextDay: true });
    expect(formatLocal(resumed.startsAt)).toBe('2026-03-11T08:00:00+07:00');
    expect(formatLocal(resumed.dueAt)).toBe('2026-03-17T17:00:00+07:00');
  });

  it('does not count the Tết break while resuming', () => {
    const c = startClock(cal, { receivedAt: at('2026-02-09T08:00:00+07:00'), limit: { workingDays: 3 } });
    const paused = pauseClock(cal, c, at('2026-02-10T08:00:00+07:00'));
    const resumed = resumeClock(cal, paused, at('2026-02-13T08:00:00+07:00'), { mode: 'resume' });
    expect(formatLocal(resumed.dueAt)).toBe('2026-02-23T17:00:00+07:00');
  });

  it('refuses to pause twice or resume a running clock', () => {
    const paused = pauseClock(cal, clock, at('2026-03-04T10:00:00+07:00'));
    expect(() => pauseClock(cal, paused, at('2026-03-05T10:00:00+07:00'))).toThrow(ClockRuleError);
    expect(() => resumeClock(cal, clock, at('2026-03-05T10:00:00+07:00'), { mode: 'resume' })).toThrow(ClockRuleError);
  });

  it('allows one extension to a later date only', () => {
    expect(() => extendClock(clock, at('2026-03-09T09:00:00+07:00'))).toThrow(/later/);
    const extended = extendClock(clock, at('2026-03-16T10:00:00+07:00'), at('2026-03-05T09:00:00+07:00'));
    expect(formatLocal(extended.originalDueAt!)).toBe('2026-03-09T10:00:00+07:00');
    expect(formatLocal(extended.dueAt)).toBe('2026-03-16T10:00:00+07:00');
    expect(() => extendClock(extended, at('2026-03-20T10:00:00+07:00'))).toThrow(/once/);
  });

  it.each([
    ['2026-03-02T10:00:00+07:00', 'on-time'],
    ['2026-03-06T09:00:00+07:00', 'on-time'], // 1 day + 1 h left (> 1 day, > 20 % of 5 days)
    ['2026-03-06T11:00:00+07:00', 'near-due'], // 7 h left: less than 1 working day
    ['2026-03-09T10:00:00+07:00', 'near-due'],
    ['2026-03-09T10:00:01+07:00', 'overdue'],
  ] as const)('at %s the dossier is %s', (now, state) => {
    expect(dueState(cal, clock, at(now)).state).toBe(state);
  });

  it('uses the share of the limit when it is the stricter threshold', () => {
    const long = startClock(cal, { receivedAt: at('2026-03-02T08:00:00+07:00'), limit: { workingDays: 20 } });
    // 3 working days left of 20: more than 1 day but less than 20 % (4 days).
    const now = cal.subtract(long.dueAt, { workingDays: 3 });
    expect(dueState(cal, long, now).state).toBe('near-due');
    expect(dueState(cal, long, now, { ratio: 0.1 }).state).toBe('on-time');
    expect(dueState(cal, long, now, { workingDays: 4, ratio: 0 }).state).toBe('near-due');
  });
});
