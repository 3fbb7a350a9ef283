/**
 * The working-time calendar and statutory deadlines. The engine, the dossier flow and the
 * reports use `service.calendar` (a WorkingCalendar): synchronous add/subtract and friends.
 */
export { WorkingCalendar } from './calendar.js';
export type { Limit } from './calendar.js';
export {
  dossierDeadline, startClock, pauseClock, resumeClock, extendClock, dueState, ClockRuleError,
} from './deadline.js';
export type { DossierClock, DueState } from './deadline.js';
export { createCalendarService, type CalendarService } from './service.js';
export { createCalendarRouter } from './router.js';
export { budgetHours, HOURS_PER_DAY, parseBudget, type WorkingAmount } from './budget.js';
export { assertZoneOffset, formatCamundaLocal, formatLocal, localDate, localDateTime, localDayStart, midnightOf, ordinalOfDate, parseInstant } from './time.js';

import type { Limit } from './calendar.js';

/** The structural interface the engine depends on (kept exactly). */
export interface WorkingTimeCalculator {
  add(start: Date, amount: Limit, unitId?: string): Date;
  subtract(end: Date, amount: Limit, unitId?: string): Date;
}
