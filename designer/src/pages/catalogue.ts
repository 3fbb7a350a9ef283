import { get, qs } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n/index.js';
import { navigate } from '../router.js';
import type { Page, Procedure } from '../types.js';
import { errorBox } from './layout.js';

type Option = { id?: string; code?: string; name?: string; label?: string } | string;
const optValue = (o: Option) => (typeof o === 'string' ? o : o.id ?? o.code ?? o.name ?? '');
const optLabel = (o: Option) => (typeof o === 'string' ? o : o.name ?? o.label ?? o.id ?? o.code ?? '');

function limitText(p: Procedure): string {
  if (p.limit?.workingDays !== undefined) return t('catalogue.days', { n: p.limit.workingDays });
  if (p.limit?.workingHours !== undefined) return t('catalogue.hours', { n: p.limit.workingHours });
  return '';
}

export async function cataloguePage(root: HTMLElement): Promise<void> {
  const state = { q: '', field: '', level: '', agencyId: '', page: 1 };
  const q = h('input', { type: 'search', placeholder: t('catalogue.search'), 'aria-label': t('catalogue.search'), 'data-testid': 'search' });
  const field = h('select', { 'aria-label': t('catalogue.field') }, h('option', { value: '' }, t('catalogue.allFields')));
  const level = h('select', { 'aria-label': t('catalogue.level') }, h('option', { value: '' }, t('catalogue.allLevels')));
  const agency = h('select', { 'aria-label': t('catalogue.agency') }, h('option', { value: '' }, t('catalogue.allAgencies')));
  const results = h('div', { class: 'results' });
  root.append(h('h1', null, t('catalogue.title')), h('div', { class: 'filters' }, q, field, level, agency), results);

  const [fields, levels] = await Promise.all([
    get<Option[] | { items: Option[] }>('/api/catalog/fields').catch(() => []),
    get<Option[] | { items: Option[] }>('/api/catalog/levels').catch(() => []),
  ]);
  const list = (x: Option[] | { items: Option[] }) => (Array.isArray(x) ? x : x.items ?? []);
  for (const f of list(fields)) field.append(h('option', { value: optValue(f) }, optLabel(f)));
  const levelNames = new Map<string, string>();
  const fieldNames = new Map<string, string>();
  for (const f of list(fields)) fieldNames.set(optValue(f), optLabel(f));
  for (const l of list(levels)) {
    levelNames.set(optValue(l), optLabel(l));
    level.append(h('option', { value: optValue(l) }, optLabel(l)));
  }
  const agencies = new Map<string, string>();

  let seq = 0;
  async function load(): Promise<void> {
    const mine = ++seq;
    try {
      const page = await get<Page<Procedure>>('/api/procedures' + qs({ ...state, pageSize: 20 }));
      if (mine !== seq) return;
      for (const p of page.items) if (p.agencyId && !agencies.has(p.agencyId)) {
        agencies.set(p.agencyId, p.agencyName ?? p.agencyId);
        agency.append(h('option', { value: p.agencyId }, p.agencyName ?? p.agencyId));
      }
      const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
      clear(results,
        h('p', { class: 'muted' }, t('catalogue.count', { n: page.total })),
        h('table', { class: 'grid', 'data-testid': 'procedures' },
          h('thead', null, h('tr', null, ...['code', 'name', 'field', 'level', 'agency', 'limit'].map((c) => h('th', null, t(`catalogue.col.${c}` as never))))),
          h('tbody', null, page.items.map((p) => h('tr', { class: 'clickable', onclick: () => navigate(`/procedures/${encodeURIComponent(p.id)}`) },
            h('td', null, p.code), h('td', null, h('a', { href: `#/procedures/${encodeURIComponent(p.id)}` }, p.name)),
            h('td', null, fieldNames.get(p.field ?? '') ?? p.field ?? ''), h('td', null, levelNames.get(p.level ?? '') ?? p.level ?? ''), h('td', null, p.agencyName ?? ''), h('td', null, limitText(p)))))),
        h('div', { class: 'pager' },
          h('button', { disabled: state.page <= 1, onclick: () => { state.page--; void load(); } }, '‹'),
          ` ${page.page} / ${pages} `,
          h('button', { disabled: state.page >= pages, onclick: () => { state.page++; void load(); } }, '›')));
    } catch (err) {
      clear(results, errorBox(err));
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.q = q.value; state.page = 1; void load(); }, 250); });
  field.addEventListener('change', () => { state.field = field.value; state.page = 1; void load(); });
  level.addEventListener('change', () => { state.level = level.value; state.page = 1; void load(); });
  agency.addEventListener('change', () => { state.agencyId = agency.value; state.page = 1; void load(); });
  await load();
}
