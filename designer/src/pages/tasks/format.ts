import { formatDate, h } from '../../dom.js';
import { getLang, t } from '../../i18n/index.js';

export type DueColour = 'on-time' | 'near-due' | 'overdue' | 'paused' | 'none';

export function dueBadge(state: DueColour): HTMLElement {
  return h('span', { class: `due-badge ${state}`, 'data-testid': 'due-state' }, t(`due.${state}` as never));
}

export const when = (iso: string | null | undefined) => formatDate(iso ?? null, getLang());

export function timeLeft(left: { workingHours: number; workingDays: number } | null): string {
  if (!left) return '';
  if (left.workingHours < 0) return t('tasks.overdueBy', { n: -left.workingHours });
  return left.workingHours < 8 ? t('tasks.hours', { n: left.workingHours }) : t('tasks.days', { n: left.workingDays });
}
