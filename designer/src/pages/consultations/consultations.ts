import { get, postForm, qs } from '../../api.js';
import { clear, h } from '../../dom.js';
import { getLang, t, type MessageKey } from '../../i18n/index.js';
import { queryParam } from '../../router.js';
import { formatWorkingTime } from '../../tthc/duration.js';
import { errorBox } from '../layout.js';
import { when } from '../tasks/format.js';
import '../tasks/tasks.css';
import './consultations.css';

type DueState = 'on-time' | 'near-due' | 'overdue' | 'answered' | 'answered-late';
type Opinion = 'agree' | 'agree_with_conditions' | 'disagree';
interface DocRef { id: string; name: string }
interface Consultation {
  id: string; dossierCode: string; dossierId: string | null; instanceId: string | null; stepKey: string; stepName: string | null;
  requestingUnitId: string; requestingUnitName?: string; consultedUnitId: string | null; agencyName: string; external: boolean;
  question: string; documents: DocRef[]; replyDeadline: string; sentAt: string; replyDueAt: string;
  status: 'open' | 'answered'; dueState: DueState; opinion: Opinion | null; replyText: string | null; replyDocuments: DocRef[];
  repliedAt: string | null; repliedBy: string | null; recordedByHand: boolean; late: boolean; delayExplanation: string | null; remindersSent: number;
}
interface Detail extends Consultation {
  events: Array<{ kind: string; at: string; actor: string | null; actorName: string | null; data: Record<string, unknown> | null }>;
  may: { reply: boolean; recordByHand: boolean };
}
type Side = 'incoming' | 'outgoing';
const OPINIONS: Opinion[] = ['agree', 'agree_with_conditions', 'disagree'];

export function stateBadge(s: DueState): HTMLElement {
  return h('span', { class: `due-badge ${s}`, 'data-testid': 'consult-state' }, t(`due.${s}` as MessageKey));
}

/** Open consultations sent to the caller's units (the count on the tasklist's "Consultations" tab). */
export async function openConsultationCount(): Promise<number> {
  return (await get<{ total: number }>(`/api/consultations${qs({ side: 'incoming', status: 'open', pageSize: 1 })}`)).total;
}

/** `#/consultations`: consultations sent to my unit (to answer) or by it, coloured by how near the reply deadline is. */
export async function consultationsPage(root: HTMLElement): Promise<void> {
  let side: Side = queryParam('side') === 'outgoing' ? 'outgoing' : 'incoming';
  let openOnly = queryParam('open') !== 'false';
  const tabBar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('consult.title') });
  const body = h('div', { id: 'consult-panel', role: 'tabpanel' });
  const only = h('input', { type: 'checkbox', id: 'consult-open', checked: openOnly, 'data-testid': 'consult-open-only', onchange: () => { openOnly = only.checked; void load(); } });
  root.append(h('p', null, h('a', { href: '#/tasks' }, t('work.back'))), h('h1', null, t('consult.title')), tabBar,
    h('p', { class: 'row' }, only, h('label', { for: 'consult-open' }, t('consult.openOnly'))), body);

  function tabs(counts?: Record<Side, number>): void {
    clear(tabBar, (['incoming', 'outgoing'] as Side[]).map((x) => h('button', {
      role: 'tab', id: `ctab-${x}`, 'aria-selected': String(x === side), 'aria-controls': 'consult-panel', 'data-testid': `consult-tab-${x}`,
      onclick: () => { side = x; void load(); },
    }, t(`consult.${x}`), counts ? h('span', { class: 'count' }, counts[x]) : null)));
    body.setAttribute('aria-labelledby', `ctab-${side}`);
  }

  async function load(): Promise<void> {
    history.replaceState(null, '', `#/consultations${qs({ side, open: openOnly ? undefined : 'false' })}`);
    try {
      const status = openOnly ? 'open' : undefined;
      const [res, inc, out] = await Promise.all([
        get<{ items: Consultation[]; total: number }>(`/api/consultations${qs({ side, status, pageSize: 100 })}`),
        get<{ total: number }>(`/api/consultations${qs({ side: 'incoming', status: 'open', pageSize: 1 })}`),
        get<{ total: number }>(`/api/consultations${qs({ side: 'outgoing', status: 'open', pageSize: 1 })}`),
      ]);
      tabs({ incoming: inc.total, outgoing: out.total });
      clear(body, res.items.length === 0 ? h('p', { class: 'muted', 'data-testid': 'consult-empty' }, t('consult.empty')) : h('table', { class: 'grid', 'data-testid': 'consultations' },
        h('caption', { class: 'sr-only' }, t(`consult.${side}`)),
        h('thead', null, h('tr', null, ...(['dossier', 'question', side === 'incoming' ? 'from' : 'to', 'sent', 'due', 'state'] as const)
          .map((k) => h('th', { scope: 'col' }, t(`consult.col.${k}`))))),
        h('tbody', null, res.items.map((c) => h('tr', { class: `due-${c.dueState}`, 'data-testid': 'consult-row' },
          h('td', null, h('a', { href: `#/consultations/${c.id}`, 'data-testid': 'consult-link' }, c.dossierCode)),
          h('td', null, c.question.length > 120 ? `${c.question.slice(0, 117)}…` : c.question),
          h('td', null, side === 'incoming' ? c.requestingUnitName ?? c.requestingUnitId : c.agencyName),
          h('td', null, when(c.sentAt)),
          h('td', null, when(c.replyDueAt)),
          h('td', null, stateBadge(c.dueState)))))));
    } catch (err) {
      tabs();
      clear(body, errorBox(err));
    }
  }
  tabs();
  await load();
}

const docList = (c: { id: string }, docs: DocRef[], linked: boolean) => docs.length
  ? h('ul', null, docs.map((d) => h('li', null, linked ? h('a', { href: `/api/consultations/${c.id}/files/${encodeURIComponent(d.id)}` }, d.name) : d.name)))
  : h('p', { class: 'muted' }, t('consult.noDocuments'));

/** `#/consultations/:id`: the question and its documents, the reply (or the form to give it), the history. */
export async function consultationPage(root: HTMLElement, params: { id: string }): Promise<void> {
  let c: Detail;
  try {
    c = await get<Detail>(`/api/consultations/${encodeURIComponent(params.id)}`);
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  const msg = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'consult-status' });
  root.append(
    h('p', null, h('a', { href: '#/consultations' }, t('consult.back'))),
    h('h1', null, t('consult.one', { code: c.dossierCode }), ' ', stateBadge(c.dueState)),
    h('section', { class: 'card' }, h('dl', { class: 'consult-facts' },
      h('dt', null, t('consult.col.dossier')), h('dd', null, c.dossierId ? h('a', { href: `#/dossiers/${c.dossierId}` }, c.dossierCode) : c.dossierCode,
        c.instanceId ? [' · ', h('a', { href: `#/work/${c.instanceId}` }, t('work.timeline'))] : null),
      h('dt', null, t('consult.step')), h('dd', null, c.stepName ?? c.stepKey),
      h('dt', null, t('consult.col.from')), h('dd', null, c.requestingUnitName ?? c.requestingUnitId),
      h('dt', null, t('consult.col.to')), h('dd', null, c.agencyName),
      h('dt', null, t('consult.col.sent')), h('dd', null, when(c.sentAt)),
      h('dt', null, t('consult.deadline')), h('dd', { 'data-testid': 'consult-deadline' }, formatWorkingTime(c.replyDeadline, getLang())),
      h('dt', null, t('consult.col.due')), h('dd', { 'data-testid': 'consult-due' }, when(c.replyDueAt)),
      h('dt', null, t('consult.reminders')), h('dd', null, c.remindersSent)),
    c.external ? h('p', { class: 'muted' }, t('consult.external')) : null),
    h('section', { class: 'card' }, h('h2', null, t('consult.question')), h('p', { class: 'consult-question', 'data-testid': 'consult-question' }, c.question),
      h('h3', null, t('consult.documents')), docList(c, c.documents, !!c.dossierId)),
    msg,
  );
  if (c.status === 'answered') root.append(answerCard(c));
  else if (c.may.reply) root.append(replyForm(c, msg, false));
  else if (c.may.recordByHand) root.append(replyForm(c, msg, true));
  else root.append(h('p', { class: 'muted' }, t('consult.readOnly')));
  root.append(h('section', { class: 'card' }, h('h2', null, t('consult.history')),
    h('table', { class: 'grid', 'data-testid': 'consult-history' }, h('tbody', null, c.events.map((e) => h('tr', null,
      h('td', null, when(e.at)), h('td', null, t(`event.${e.kind}` as MessageKey)),
      h('td', { 'data-testid': 'consult-actor' }, e.actor === 'workers' ? t('consult.actor.system') : e.actorName ?? e.actor ?? ''),
      h('td', null, e.kind === 'explanation' ? String(e.data?.text ?? '') : e.kind === 'reminded' ? remindedText(e.data) : '')))))));
}

/** A reminder's working day (stored as yyyy-mm-dd, local) as dd/mm/yyyy, and how late it was. */
function remindedText(data: Record<string, unknown> | null): string {
  const day = String(data?.day ?? '');
  const dmy = /^\d{4}-\d{2}-\d{2}$/.test(day) ? day.split('-').reverse().join('/') : day;
  return t('consult.remindedDay', { day: dmy, n: Number(data?.lateDays ?? 0) });
}

function answerCard(c: Detail): HTMLElement {
  return h('section', { class: 'card', 'data-testid': 'consult-answer' }, h('h2', null, t('consult.answer')),
    h('dl', { class: 'consult-facts' },
      h('dt', null, t('consult.opinion')), h('dd', { 'data-testid': 'consult-opinion' }, c.opinion ? t(`consult.opinion.${c.opinion}` as MessageKey) : ''),
      h('dt', null, t('consult.repliedBy')), h('dd', null, c.repliedBy ?? '', c.recordedByHand ? h('span', { class: 'muted' }, ` ${t('consult.byHand')}`) : null),
      h('dt', null, t('consult.repliedAt')), h('dd', null, when(c.repliedAt))),
    h('p', { class: 'consult-question' }, c.replyText ?? ''),
    c.late ? h('div', { class: 'consult-late' }, h('strong', null, `${t('consult.late')}. ${t('consult.explanation')}: `), c.delayExplanation ?? '') : null,
    h('h3', null, t('consult.documents')), docList(c, c.replyDocuments, true));
}

/** The consulted unit's reply, or the requesting unit's record of an outside agency's reply. */
function replyForm(c: Detail, msg: HTMLElement, byHand: boolean): HTMLElement {
  const due = new Date(c.replyDueAt);
  const text = h('textarea', { id: 'consult-text', name: 'text', required: true, rows: 5, 'data-testid': 'consult-text' });
  const files = h('input', { id: 'consult-files', type: 'file', name: 'files', multiple: true, accept: 'application/pdf,image/jpeg,image/png', 'data-testid': 'consult-files' });
  const explanation = h('textarea', { id: 'consult-explanation', name: 'explanation', rows: 3, 'data-testid': 'consult-explanation' });
  const explainBox = h('div', { class: 'consult-explain', 'data-testid': 'consult-explain-box' },
    h('p', { class: 'consult-late' }, t('consult.explanationHint')), h('label', { for: explanation.id }, t('consult.explanation'), ' *'), explanation);
  const via = h('select', { id: 'consult-via', name: 'receivedVia' }, (['email', 'paper'] as const).map((v) => h('option', { value: v }, t(`consult.via.${v}`))));
  const receivedAt = h('input', { id: 'consult-received', type: 'datetime-local', name: 'receivedAt' });
  // Late is judged on the reply's time: now, or when the outside agency's letter arrived.
  const lateNow = () => (byHand && receivedAt.value ? new Date(`${receivedAt.value}:00+07:00`) : new Date()) > due;
  // Required when late: checked on submit with our own message (aria-required tells assistive technology).
  const sync = () => { explainBox.hidden = !lateNow(); explanation.setAttribute('aria-required', String(lateNow())); };
  receivedAt.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'card consult-form', 'data-testid': 'consult-form', onsubmit: async (e: Event) => {
    e.preventDefault();
    if (lateNow() && !explanation.value.trim()) { clear(msg, h('p', { class: 'error', role: 'alert' }, t('consult.explanationRequired'))); explanation.focus(); return; }
    const data = new FormData();
    data.set('opinion', (form.querySelector('input[name=opinion]:checked') as HTMLInputElement).value);
    data.set('text', text.value);
    if (lateNow()) data.set('explanation', explanation.value);
    if (byHand) {
      data.set('receivedVia', via.value);
      if (receivedAt.value) data.set('receivedAt', `${receivedAt.value}:00+07:00`);
    }
    for (const f of Array.from(files.files ?? [])) data.append('files', f, f.name);
    try {
      await postForm(`/api/consultations/${c.id}/${byHand ? 'record' : 'reply'}`, data);
      msg.textContent = t('consult.sent');
      location.reload();
    } catch (err) {
      clear(msg, errorBox(err));
    }
  } },
  h('h2', null, byHand ? t('consult.record') : t('consult.answer')),
  h('fieldset', null, h('legend', null, t('consult.opinion')), OPINIONS.map((o, i) => h('label', { class: 'row' },
    h('input', { type: 'radio', name: 'opinion', value: o, checked: i === 0, 'data-testid': `consult-opinion-${o}` }), t(`consult.opinion.${o}` as MessageKey)))),
  byHand ? h('div', { class: 'row' }, h('label', { for: via.id }, t('consult.receivedVia')), via, h('label', { for: receivedAt.id }, t('consult.receivedAt')), receivedAt) : null,
  h('label', { for: text.id }, t('consult.text'), ' *'), text,
  h('label', { for: files.id }, t('consult.files')), files,
  explainBox,
  h('div', null, h('button', { type: 'submit', class: 'accent', 'data-testid': 'consult-send' }, byHand ? t('consult.recordSubmit') : t('consult.send'))));
  return form;
}
