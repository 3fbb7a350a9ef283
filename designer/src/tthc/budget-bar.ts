/** How the budget bar shows the longest path against the statutory limit. */
export interface BudgetStatus {
  percent: number;
  level: 'ok' | 'near' | 'over' | 'unknown';
}

export function budgetStatus(totalHours: number, limitHours: number | undefined): BudgetStatus {
  if (limitHours === undefined || limitHours <= 0) return { percent: totalHours > 0 ? 100 : 0, level: 'unknown' };
  const ratio = totalHours / limitHours;
  return {
    percent: Math.min(100, Math.round(ratio * 100)),
    level: ratio > 1 ? 'over' : ratio >= 0.9 ? 'near' : 'ok',
  };
}
