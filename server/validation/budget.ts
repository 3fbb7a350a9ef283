/** Hours in one working day: budgets and limits are summed in working hours. */
export const HOURS_PER_DAY = 8;

/**
 * Parses a working-time budget: "4h", "0.5d", "7d" (d = working day of 8 h).
 * Returns hours, or undefined when the text is not a budget.
 */
export function parseBudget(text: string | undefined | null): number | undefined {
  if (text == null) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([dh])\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return m[2]!.toLowerCase() === 'd' ? n * HOURS_PER_DAY : n;
}

/** Writes hours back as the shortest budget text ("16h" → "2d", "4h" stays). */
export function formatBudget(hours: number): string {
  return hours % HOURS_PER_DAY === 0 ? `${hours / HOURS_PER_DAY}d` : `${hours}h`;
}

export function limitHours(limit: { value: number; unit: 'days' | 'hours' }): number {
  return limit.unit === 'days' ? limit.value * HOURS_PER_DAY : limit.value;
}
