import { get, post } from '../../api.js';
import { add, clear, formatDate, h } from '../../dom.js';
import { getLang, t, type MessageKey } from '../../i18n/index.js';
import { render, type Params } from '../../router.js';
import { hasRole } from '../../session.js';
import { formatWorkingTime } from '../../tthc/duration.js';
import { errorBox } from '../layout.js';
import { ask } from './ask.js';
import './dossiers.css';
import { filesCard } from './files.js';
import { syncLogCard } from '../portal/sync.js';
import { dueBadge, statusLabel } from './list.js';

/** Roles that work on dossiers (attach documents); an inspector only reads. */
const WORKING_ROLES = ['one-stop-officer', 'specialist', 'division-head', 'leader', 'clerical'];

interface Dossier {
  id: string; code: string; status: number; procedureName?: string; unitName?: string; channel: string;
  applicant: { fullName: string; idNumber?: string; address?: string; phone?: string; email?: string };
  components: Array<{ name: string; copyType?: string; quantity: number }>;
  receivedAt: string | null; startsAt: string | null; dueAt: string | null; pausedAt: string | null; originalDueAt: string | null;
  limit: { value: number; unit: string }; supplement: { items: string[]; reason: string } | null; dueState: string | null;
  refusal: unknown; stop: unknown; collectionMethod: string | null;
}
interface Event { kind: string; fromStatus: number | null; toStatus: number | null; actorName: string | null; reason: string | null; at: string }

/** `#/dossiers/:id`: header, applicant, components, clock, history, forms and the commands allowed now. */
export async function dossierPage(root: HTMLElement, params: Params): Promise<void> {
  const lang = getLang();
  let d: Dossier;
  let events: Event[];
  try {
    [d, events] = await Promise.all([get<Dossier>(`/api/dossiers/${params.id}`), get<Event[]>(`/api/dossiers/${params.id}/timeline`)]);
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  const msg = h('div', { role: 'status' });
  const act = (path: string, body: unknown = {}) => async () => {
    try {
      await post(`/api/dossiers/${d.id}/${path}`, body);
      await render();
    } catch (err) {
      clear(msg, errorBox(err));
    }
  };
  const reasonFor = (title: string, label: string, multiline = true) => ask({ title, label, multiline });
  const forms = [
    ['01', !!d.receivedAt && !!d.dueAt], ['02', !!d.supplement], ['03', !!d.refusal], ['04', !!d.originalDueAt], ['05', !!d.stop],
  ].filter(([, ok]) => ok).map(([no]) => h('li', null, t(`form.${no}` as MessageKey), ': ',
    h('a', { href: `/api/dossiers/${d.id}/forms/${no}.pdf`, target: '_blank', 'data-testid': `form-${no}-pdf` }, 'PDF'), ' · ',
    h('a', { href: `/api/dossiers/${d.id}/forms/${no}.docx`, 'data-testid': `form-${no}-docx` }, 'DOCX')));
  const s = d.status;
  // Reception commands belong to the one-stop office; other staff see the dossier without them.
  const receptionist = hasRole('one-stop-officer');
  const buttons = !receptionist ? [] : [
    s === 1 ? h('button', { class: 'primary', 'data-testid': 'do-accept', onclick: act('accept') }, t('dossier.accept')) : null,
    [1, 4].includes(s) && !d.supplement ? h('button', { 'data-testid': 'do-supplement', onclick: async () => {
      const items = await reasonFor(t('dossier.requestSupplement'), t('dossier.ask.supplement'));
      if (items) await act('supplement-request', { items: items.split(/\n|;/).map((x) => x.trim()).filter(Boolean), reason: '' })();
    } }, t('dossier.requestSupplement')) : null,
    s === 5 ? h('button', { 'data-testid': 'do-supplement-received', onclick: act('supplement-received', { components: [] }) }, t('dossier.supplementReceived')) : null,
    [1, 5].includes(s) ? h('button', { 'data-testid': 'do-refuse', onclick: async () => { const r = await reasonFor(t('dossier.refuse'), t('dossier.ask.refuse')); if (r) await act('refuse', { reasons: r.split('\n').map((x) => x.trim()).filter(Boolean) })(); } }, t('dossier.refuse')) : null,
    [1, 2, 4, 5, 6].includes(s) ? h('button', { 'data-testid': 'do-withdraw', onclick: async () => { const r = await reasonFor(t('dossier.withdraw'), t('dossier.ask.withdraw')); if (r) await act('withdraw', { reason: r })(); } }, t('dossier.withdraw')) : null,
    [4, 5, 6].includes(s) ? h('button', { 'data-testid': 'do-stop', onclick: async () => { const r = await reasonFor(t('dossier.stop'), t('dossier.ask.stop')); if (r) await act('stop', { reason: r })(); } }, t('dossier.stop')) : null,
    s === 9 ? h('span', null, h('label', { for: 'collect' }, t('dossier.collection')), ' ',
      h('select', { id: 'collect' }, ...['in-person', 'post', 'online'].map((c) => h('option', { value: c }, t(`collection.${c}` as MessageKey)))), ' ',
      h('button', { class: 'primary', 'data-testid': 'do-return', onclick: async () => act('return', { collectionMethod: (document.getElementById('collect') as HTMLSelectElement).value })() }, t('dossier.return'))) : null,
  ].filter(Boolean);
  add(root,
    h('h1', null, d.code, ' ', h('span', { class: 'badge', 'data-testid': 'status' }, `${s} — ${statusLabel(s)}`), ' ', dueBadge(d.dueState)),
    h('p', null, d.procedureName ?? '', ' · ', d.unitName ?? ''),
    h('div', { class: 'cols' },
      h('section', { class: 'card' }, h('h2', null, t('dossier.applicant')),
        h('dl', null, h('dt', null, t('receive.fullName')), h('dd', null, d.applicant.fullName),
          h('dt', null, t('receive.idNumber')), h('dd', null, d.applicant.idNumber ?? '—'),
          h('dt', null, t('receive.address')), h('dd', null, d.applicant.address ?? '—'),
          h('dt', null, t('receive.phone')), h('dd', null, d.applicant.phone ?? '—'))),
      h('section', { class: 'card' }, h('h2', null, t('dossier.clock')),
        h('dl', null,
          h('dt', null, t('dossier.limit')), h('dd', null, formatWorkingTime(`${d.limit.value}${d.limit.unit === 'days' ? 'd' : 'h'}`, lang)),
          h('dt', null, t('dossier.receivedAt')), h('dd', null, formatDate(d.receivedAt, lang) || '—'),
          h('dt', null, t('dossier.startsAt')), h('dd', null, formatDate(d.startsAt, lang) || '—'),
          h('dt', null, t('dossier.dueAt')), h('dd', { 'data-testid': 'due' }, formatDate(d.dueAt, lang) || '—',
            d.originalDueAt ? ` (${t('dossier.extended', { d: formatDate(d.originalDueAt, lang) })})` : ''),
          d.pausedAt ? [h('dt', null, t('dossier.pausedAt')), h('dd', null, formatDate(d.pausedAt, lang))] : null))),
    h('section', { class: 'card' }, h('h2', null, t('dossier.components')),
      h('ul', null, ...d.components.map((c) => h('li', null, `${c.name} × ${c.quantity}`))),
      d.supplement ? h('p', null, h('strong', null, `${t('dossier.supplementItems')}: `), d.supplement.items.join('; ')) : null),
    await filesCard(d.id, WORKING_ROLES.some(hasRole) && ![3, 7, 8, 10].includes(s)),
    forms.length ? h('section', { class: 'card' }, h('h2', null, t('dossier.forms')), h('ul', null, ...forms)) : null,
    buttons.length ? h('section', { class: 'card' }, h('h2', null, t('dossier.actions')), msg, h('p', { class: 'actions' }, ...buttons.flatMap((b) => [b, ' ']))) : msg,
    syncLogCard(d.id),
    h('section', { class: 'card' }, h('h2', null, t('dossier.history')),
      h('table', { class: 'grid' }, h('tbody', null, ...events.map((e) => h('tr', null,
        h('td', null, formatDate(e.at, lang)),
        h('td', null, e.kind === 'status' ? `${e.fromStatus ? statusLabel(e.fromStatus) + ' → ' : ''}${statusLabel(e.toStatus!)}` : eventLabel(e.kind)),
        h('td', null, e.actorName ?? ''), h('td', null, e.reason ?? '')))))));
}

/** A timeline entry's kind in words; kinds added later by other capabilities show as they are. */
function eventLabel(kind: string): string {
  const key = `event.${kind}` as MessageKey;
  const label = t(key);
  return label === key ? kind : label;
}
