import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import type { StepTable } from '../tthc/steps.js';

/** The step table as the approval decision shows it; a row click reports its element. */
/** `highlight`: the elements changed by the version under review; their rows are marked. */
/** `limit`: the statutory limit as the catalogue states it ("10 ngày làm việc"). */
export function stepTableView(table: StepTable, onSelect?: (elementId: string) => void, limit?: string, highlight?: Set<string>): HTMLElement {
  return h('table', { class: 'grid steps', 'data-testid': 'step-table' },
    h('thead', null, h('tr', null,
      h('th', null, t('steps.col.step')), h('th', null, t('steps.col.who')), h('th', null, t('steps.col.task')),
      h('th', null, t('steps.col.time')), h('th', null, t('steps.col.form')))),
    h('tbody', null, table.rows.map((r) => h('tr', {
      class: [onSelect ? 'clickable' : '', highlight?.has(r.elementId) ? 'row-changed' : ''].filter(Boolean).join(' '), 'data-element-id': r.elementId,
      onclick: onSelect ? () => onSelect(r.elementId) : undefined,
      // Keyboard: the list of steps selects the element (then role and budget are set in the panel).
      tabindex: onSelect ? '0' : undefined,
      onkeydown: onSelect ? (e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(r.elementId); } } : undefined,
    }, h('td', null, r.step), h('td', null, r.who), h('td', { class: r.branch ? 'branch' : undefined }, r.task, r.branch ? h('span', { class: 'muted' }, ` (${t('annex.branch')})`) : null, r.outcomes ? h('div', { class: 'muted outcomes', 'data-testid': 'step-outcomes' }, t('steps.outcomes', { list: r.outcomes })) : null), h('td', null, r.time), h('td', null, r.form)))),
    h('tfoot', null, h('tr', null, h('td', { colspan: 3 }, t('steps.total')), h('td', { colspan: 2 }, table.totalText,
      limit ? ` (${t('budget.limit', { limit })})` : ''))));
}
