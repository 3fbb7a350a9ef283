import { get, qs } from '../../api.js';
import { clear, h } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { queryParam } from '../../router.js';
import { hasRole } from '../../session.js';
import { errorBox } from '../layout.js';
import { dueBadge, timeLeft, when, type DueColour } from './format.js';
import './tasks.css';

type Tab = 'mine' | 'group' | 'due' | 'unit' | 'done';
interface Row {
  id: string; instanceId: string; code: string | null; procedure: { code: string | null; name: string | null };
  step: { key: string; name: string | null }; applicant: string | null; receivedAt: string | null; stepDueAt: string | null;
  dossierDueAt: string | null; timeLeft: { workingHours: number; workingDays: number } | null; state: DueColour; paused: boolean;
  readOnly: boolean; assignee: string | null; completedAt?: string; outcome?: string | null;
}
interface ListResult { tab: Tab; items: Row[]; total: number; page: number; pageSize: number; counts: Record<Tab, number> }

const FILTERS = ['code', 'applicant', 'procedure', 'step', 'dueState', 'receivedFrom', 'receivedTo'] as const;

/** The staff tasklist: tabs with live counts, filters, rows coloured by due state, updated by server-sent events. */
export async function tasklistPage(root: HTMLElement): Promise<() => void> {
  const tabs: Tab[] = ['mine', 'group', 'due', ...(hasRole('leader') || hasRole('inspector') ? ['unit' as Tab] : []), 'done'];
  let tab: Tab = (queryParam('tab') as Tab) || 'mine';
  if (!tabs.includes(tab)) tab = 'mine';
  let page = 1;
  const filter: Record<string, string> = {};
  for (const f of FILTERS) { const v = queryParam(f); if (v) filter[f] = v; }

  const tabBar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('tasks.tabs') });
  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { id: 'task-panel', role: 'tabpanel' });
  const field = (name: (typeof FILTERS)[number], label: string, input: HTMLElement) => h('label', null, label, input);
  const input = (name: (typeof FILTERS)[number], type = 'text') => h('input', { name, type, value: filter[name] ?? '', 'data-testid': `filter-${name}` });
  // The step by name (accents optional): the names of the steps the caller's tasks are at, offered as they type.
  const stepList = h('datalist', { id: 'step-names' });
  const stepInput = h('input', { name: 'step', type: 'search', list: 'step-names', value: filter.step ?? '', autocomplete: 'off', 'data-testid': 'filter-step' });
  void get<{ items: Array<{ key: string; name: string | null }> }>('/api/tasks/steps')
    .then((r) => clear(stepList, [...new Set(r.items.map((s) => s.name ?? s.key))].map((n) => h('option', { value: n }))))
    .catch(() => undefined);
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('tasks.filters'), onsubmit: (e: Event) => {
    e.preventDefault();
    const data = new FormData(form);
    for (const f of FILTERS) { const v = String(data.get(f) ?? '').trim(); if (v) filter[f] = v; else delete filter[f]; }
    page = 1;
    void load();
  } },
  field('code', t('tasks.filter.code'), input('code')),
  field('applicant', t('tasks.filter.applicant'), input('applicant')),
  field('procedure', t('tasks.filter.procedure'), input('procedure')),
  field('step', t('tasks.filter.step'), stepInput),
  field('dueState', t('tasks.filter.dueState'), h('select', { name: 'dueState', 'data-testid': 'filter-dueState' },
    h('option', { value: '' }, t('tasks.filter.any')),
    ...(['on-time', 'near-due', 'overdue'] as const).map((s) => h('option', { value: s, selected: filter.dueState === s }, t(`due.${s}`))))),
  field('receivedFrom', t('tasks.filter.from'), input('receivedFrom', 'date')),
  field('receivedTo', t('tasks.filter.to'), input('receivedTo', 'date')),
  h('button', { type: 'submit', class: 'primary' }, t('tasks.filter.apply')),
  h('button', { type: 'button', onclick: () => { for (const f of FILTERS) delete filter[f]; form.reset(); for (const el of Array.from(form.elements) as HTMLInputElement[]) if (el.name) el.value = ''; page = 1; void load(); } }, t('tasks.filter.reset')));

  const consultCount = h('span', { class: 'count', 'data-testid': 'count-consultations' });
  // Consultations sent to my unit (lấy ý kiến) are answered on their own page: a link beside the tabs, not in the
  // tablist (a tablist may hold only tabs).
  const consultLink = h('a', { class: 'tab-link', href: '#/consultations', 'data-testid': 'tab-consultations' }, t('consult.tab'), consultCount);
  root.append(h('h1', null, t('tasks.title')), form, stepList, h('div', { class: 'tab-row' }, tabBar, consultLink), status, body);
  void import('../consultations/consultations.js').then((m) => m.openConsultationCount()).then((n) => { consultCount.textContent = String(n); }).catch(() => undefined);

  function renderTabs(counts: Record<Tab, number> | null): void {
    clear(tabBar, tabs.map((x) => h('button', {
      role: 'tab', id: `tab-${x}`, 'aria-selected': String(x === tab), 'aria-controls': 'task-panel', tabindex: x === tab ? '0' : '-1', 'data-testid': `tab-${x}`,
      onclick: () => { tab = x; page = 1; void load(); },
      onkeydown: (e: KeyboardEvent) => {
        const i = tabs.indexOf(x);
        const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : null;
        if (next) { e.preventDefault(); tab = next; page = 1; void load().then(() => (document.getElementById(`tab-${next}`))?.focus()); }
      },
    }, t(`tasks.tab.${x}`), counts ? h('span', { class: 'count', 'data-testid': `count-${x}` }, counts[x] ?? 0) : null)));
    body.setAttribute('aria-labelledby', `tab-${tab}`);
  }

  function row(r: Row): HTMLElement {
    const done = tab === 'done';
    return h('tr', { class: done ? '' : `due-${r.state}`, 'data-testid': 'task-row', 'data-task': r.id },
      h('td', null, h('a', { href: `#/work/${r.instanceId}`, 'data-testid': 'task-link' }, r.code ?? r.instanceId.slice(0, 8))),
      h('td', null, r.procedure.name ?? r.procedure.code ?? ''),
      h('td', null, r.step.name ?? r.step.key, r.readOnly && !done ? h('span', { class: 'muted' }, ` (${t('tasks.readOnly')})`) : null),
      h('td', null, r.applicant ?? ''),
      h('td', null, when(r.receivedAt)),
      done ? h('td', null, when(r.completedAt)) : h('td', null, when(r.stepDueAt)),
      done ? h('td', null, r.outcome ?? '') : h('td', null, when(r.dossierDueAt)),
      done ? null : h('td', null, timeLeft(r.timeLeft)),
      done ? null : h('td', null, dueBadge(r.paused ? 'paused' : r.state)),
      done ? null : h('td', null, r.assignee ?? ''));
  }

  async function load(): Promise<void> {
    const q = { tab, page, pageSize: 20, ...filter };
    history.replaceState(null, '', `#/tasks${qs({ tab, ...filter })}`);
    try {
      const res = await get<ListResult>(`/api/tasks${qs(q)}`);
      renderTabs(res.counts);
      const done = tab === 'done';
      const pages = Math.max(1, Math.ceil(res.total / res.pageSize));
      clear(body, res.items.length === 0 ? h('p', { class: 'muted', 'data-testid': 'tasks-empty' }, t('tasks.empty')) : h('table', { class: 'grid', 'data-testid': 'tasks' },
        h('caption', { class: 'sr-only' }, t(`tasks.tab.${tab}`)),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('tasks.col.code')), h('th', { scope: 'col' }, t('tasks.col.procedure')), h('th', { scope: 'col' }, t('tasks.col.step')),
          h('th', { scope: 'col' }, t('tasks.col.applicant')), h('th', { scope: 'col' }, t('tasks.col.received')),
          h('th', { scope: 'col' }, done ? t('tasks.col.completed') : t('tasks.col.stepDue')), h('th', { scope: 'col' }, done ? t('tasks.col.outcome') : t('tasks.col.dossierDue')),
          done ? null : h('th', { scope: 'col' }, t('tasks.col.left')), done ? null : h('th', { scope: 'col' }, t('tasks.col.state')),
          done ? null : h('th', { scope: 'col' }, t('tasks.col.assignee')))),
        h('tbody', null, res.items.map(row))),
      h('nav', { class: 'row', 'aria-label': t('tasks.page', { p: page, n: pages }) },
        h('span', { 'data-testid': 'tasks-total' }, t('tasks.total', { n: res.total })),
        h('button', { disabled: page <= 1, onclick: () => { page--; void load(); } }, t('tasks.prev')),
        h('span', null, t('tasks.page', { p: page, n: pages })),
        h('button', { disabled: page >= pages, onclick: () => { page++; void load(); } }, t('tasks.next'))));
    } catch (err) {
      renderTabs(null);
      clear(body, errorBox(err));
    }
  }

  renderTabs(null);
  await load();
  // Live: the server says when a task of our units arrives or is taken; we re-read the tab.
  const source = typeof EventSource === 'undefined' ? null : new EventSource('/api/tasks/events');
  let pending: ReturnType<typeof setTimeout> | null = null;
  source?.addEventListener('tasks', () => {
    if (pending) return;
    pending = setTimeout(() => { pending = null; void load().then(() => { status.textContent = t('tasks.updated'); }); }, 200);
  });
  return () => { source?.close(); if (pending) clearTimeout(pending); };
}

