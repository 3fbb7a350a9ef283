import { get, qs } from '../../api.js';
import { clear, formatDate, h } from '../../dom.js';
import { getLang, t, type MessageKey } from '../../i18n/index.js';
import { navigate, queryParam } from '../../router.js';
import { errorBox } from '../layout.js';
import { hasRole } from '../../session.js';

export interface DossierRow {
  id: string; code: string; procedureName?: string; status: number; applicantName: string; applicantIdMasked: string | null;
  filedAt: string; receivedAt: string | null; dueAt: string | null; dueState: string | null; channel: string;
}

export const statusLabel = (s: number) => t(`status.${s}` as MessageKey);
export const dueBadge = (s: string | null) => (s ? h('span', { class: `badge due-${s}` }, t(`due.${s}` as MessageKey)) : null);

/** `#/dossiers`: the unit's dossiers with filters; `?status=1` is the online queue. */
export async function dossierListPage(root: HTMLElement): Promise<void> {
  const lang = getLang();
  const status = h('select', { id: 'f-status', 'aria-label': t('dossier.filter.status') },
    h('option', { value: '' }, t('dossier.filter.anyStatus')),
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => h('option', { value: String(s), selected: queryParam('status') === String(s) }, `${s} — ${statusLabel(s)}`)));
  const due = h('select', { id: 'f-due', 'aria-label': t('dossier.filter.due') },
    h('option', { value: '' }, t('dossier.filter.anyDue')),
    ...['on-time', 'near-due', 'overdue', 'paused'].map((d) => h('option', { value: d, selected: queryParam('dueState') === d }, t(`due.${d}` as MessageKey))));
  const code = h('input', { id: 'f-code', 'aria-label': t('dossier.filter.code'), placeholder: t('dossier.filter.code'), value: queryParam('code') ?? '' });
  const applicant = h('input', { id: 'f-applicant', 'aria-label': t('dossier.filter.applicant'), placeholder: t('dossier.filter.applicant'), value: queryParam('applicant') ?? '' });
  const page = Number(queryParam('page') ?? 1);
  const apply = (p = 1) => navigate(`/dossiers${qs({ status: status.value, dueState: due.value, code: code.value.trim(), applicant: applicant.value.trim(), page: p > 1 ? p : undefined })}`);
  const results = h('div', { 'aria-live': 'polite' });
  root.append(
    h('h1', null, queryParam('status') === '1' ? t('dossier.queue') : t('dossier.list.title')),
    h('p', null,
      // Only the one-stop office receives (dossier:receive): an inspector or a specialist is not offered the button.
      hasRole('one-stop-officer') ? h('a', { class: 'button primary', href: '#/dossiers/new', 'data-testid': 'receive' }, t('nav.receive')) : null, ' ',
      h('a', { href: '#/dossiers?status=1', 'data-testid': 'queue' }, t('dossier.queue')), ' · ',
      h('a', { href: '#/dossiers' }, t('dossier.all'))),
    h('form', { class: 'filters', onsubmit: (e: Event) => { e.preventDefault(); apply(); } },
      status, due, code, applicant, h('button', { type: 'submit' }, t('dossier.filter.apply'))),
    results);
  try {
    const res = await get<{ items: DossierRow[]; total: number; totalCapped?: boolean; pageSize: number }>(`/api/dossiers${qs({
      status: queryParam('status') ?? undefined, dueState: queryParam('dueState') ?? undefined, code: queryParam('code') ?? undefined,
      applicant: queryParam('applicant') ?? undefined, page,
    })}`);
    clear(results,
      h('p', null, t(res.totalCapped ? 'dossier.countMore' : 'dossier.count', { n: res.total.toLocaleString(getLang() === 'vi' ? 'vi-VN' : 'en-GB') })),
      res.items.length ? h('table', { class: 'grid', 'data-testid': 'dossier-table' },
        h('thead', null, h('tr', null, ...(['code', 'procedure', 'applicant', 'id', 'status', 'received', 'due'] as const).map((c) => h('th', { scope: 'col' }, t(`dossier.col.${c}`))))),
        h('tbody', null, ...res.items.map((d) => h('tr', null,
          h('td', null, h('a', { href: `#/dossiers/${d.id}` }, d.code)),
          h('td', null, d.procedureName ?? ''),
          h('td', null, d.applicantName),
          h('td', null, d.applicantIdMasked ?? ''),
          h('td', null, statusLabel(d.status)),
          h('td', null, formatDate(d.receivedAt ?? d.filedAt, lang)),
          h('td', null, formatDate(d.dueAt, lang), ' ', dueBadge(d.dueState)))))) : h('p', null, t('dossier.empty')),
      res.total > res.pageSize ? h('p', { class: 'pager' },
        page > 1 ? h('button', { onclick: () => apply(page - 1) }, '‹') : null, ` ${page} / ${Math.ceil(res.total / res.pageSize)} `,
        page * res.pageSize < res.total ? h('button', { onclick: () => apply(page + 1) }, '›') : null) : null);
  } catch (err) {
    clear(results, errorBox(err));
  }
}
