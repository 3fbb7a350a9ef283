/**
 * The working-time calendar and statutory deadlines. The engine, the dossier flow and the
 * reports use `service.calendar` (a WorkingCalendar): synchronous add/subtract and friends.
 */
export { WorkingCalendar } from './calendar.js';
export type { Limit, DayEntry, DayView, YearRecord, YearView, EffectiveHours, CalendarSnapshot, CalendarOptions } from './calendar.js';
export {
  dossierDeadline, startClock, pauseClock, resumeClock, extendClock, dueState, ClockRuleError,
} from './deadline.js';
export type { DossierClock, DeadlineRequest, ResumeOptions, NearDueOptions, DueState } from './deadline.js';
export { CalendarService, CALENDAR_CHANNEL, DEFAULT_UNIT } from './service.js';
export { createCalendarRouter } from './router.js';
export type { CalendarRouterDeps } from './router.js';
export { CalendarRangeError, DEFAULT_HOURS } from './schedule.js';
export type { WorkingHours } from './schedule.js';
export { budgetHours, HOURS_PER_DAY, normaliseBudget, parseBudget, type WorkingAmount } from './budget.js';
export { computeDefaultYear, DEFAULT_PLACEMENT } from './rules.js';
export type { Placement } from './rules.js';
export { assertZoneOffset, formatCamundaLocal, formatLocal, localDate, localDateTime, localDayStart, parseInstant, TIME_ZONE } from './time.js';

import type { Limit } from './calendar.js';

/** The structural interface the engine depends on (kept exactly). */
export interface WorkingTimeCalculator {
  add(start: Date, amount: Limit, unitId?: string): Date;
  subtract(end: Date, amount: Limit, unitId?: string): Date;
}
