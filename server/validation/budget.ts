import { budgetHours, HOURS_PER_DAY } from '../calendar/index.js';

/** A step's budget in working hours; undefined unless it is a positive working-time amount (a 0 h step is a mistake). */
export function positiveBudgetHours(text: string | undefined | null): number | undefined {
  const h = budgetHours(text);
  return h !== undefined && h > 0 ? h : undefined;
}

export function limitHours(limit: { value: number; unit: 'days' | 'hours' }): number {
  return limit.unit === 'days' ? limit.value * HOURS_PER_DAY : limit.value;
}
