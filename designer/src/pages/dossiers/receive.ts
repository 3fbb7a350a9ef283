import { get, post, qs } from '../../api.js';
import { clear, h } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { navigate } from '../../router.js';
import { errorBox } from '../layout.js';

export interface PublishedProcedure {
  id: string; code: string; name: string; agencyName?: string;
  components: Array<{ name: string; copyType: string; quantity: number; required: boolean }>;
}

/** Applicant fields shared by reception and online filing; `read()` returns the party object. */
export function applicantFields(prefix: string) {
  const field = (key: string, label: string, attrs: Record<string, unknown> = {}) => {
    const input = h('input', { id: `${prefix}-${key}`, name: key, ...attrs });
    return { input, row: h('p', { class: 'field' }, h('label', { for: `${prefix}-${key}` }, label), input) };
  };
  const f = {
    fullName: field('fullName', t('receive.fullName'), { required: true, autocomplete: 'name' }),
    idNumber: field('idNumber', t('receive.idNumber'), { inputmode: 'numeric', pattern: '\\d{12}' }),
    address: field('address', t('receive.address')),
    phone: field('phone', t('receive.phone'), { inputmode: 'tel' }),
    email: field('email', t('receive.email'), { type: 'email' }),
  };
  return {
    el: h('fieldset', null, h('legend', null, t('receive.applicant')), ...Object.values(f).map((x) => x.row)),
    read: (): Record<string, string> => Object.fromEntries(Object.entries(f).map(([k, v]): [string, string] => [k, v.input.value.trim()]).filter(([, v]) => v !== '')),
  };
}

/** Procedure search (accent-insensitive on the server) with a pick list. */
export function procedurePicker(source: (q: string) => Promise<PublishedProcedure[]>, onPick: (p: PublishedProcedure) => void, label: string): HTMLElement {
  const input = h('input', { id: 'proc-q', type: 'search', autocomplete: 'off', 'data-testid': 'proc-q' });
  const list = h('ul', { class: 'picklist', 'aria-live': 'polite' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const search = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const items = await source(input.value.trim());
      clear(list, ...items.map((p) => h('li', null, h('button', { type: 'button', class: 'link', 'data-testid': `pick-${p.code}`, onclick: () => { onPick(p); clear(list); input.value = `${p.code} — ${p.name}`; } }, `${p.code} — ${p.name}`))));
    }, 150);
  };
  input.addEventListener('input', search);
  search();
  return h('div', { class: 'field' }, h('label', { for: 'proc-q' }, label), input, list);
}

/** The published components as checkboxes; only these can be recorded. */
export function componentChecklist(p: PublishedProcedure): { el: HTMLElement; checked: () => string[]; unchecked: () => string[] } {
  const boxes = p.components.map((c, i) => ({ c, box: h('input', { type: 'checkbox', id: `comp-${i}`, 'data-testid': `comp-${i}` }) }));
  return {
    el: h('fieldset', null, h('legend', null, t('receive.components')),
      ...boxes.map(({ c, box }, i) => h('p', null, box, ' ', h('label', { for: `comp-${i}` }, c.name, c.required ? ` (${t('receive.required')})` : '')))),
    checked: () => boxes.filter((b) => b.box.checked).map((b) => b.c.name),
    unchecked: () => boxes.filter((b) => !b.box.checked).map((b) => b.c.name),
  };
}

/** `#/dossiers/new`: receive in person, then accept / request a supplement / refuse. */
export async function receivePage(root: HTMLElement): Promise<void> {
  const applicant = applicantFields('rcv');
  const holder = h('div');
  const content = h('textarea', { id: 'rcv-content', rows: 2 });
  const msg = h('div', { role: 'status' });
  let picked: PublishedProcedure | undefined;
  let checklist: ReturnType<typeof componentChecklist> | undefined;
  const reason = h('textarea', { id: 'rcv-reason', rows: 2, 'data-testid': 'reason' });
  const submit = async (decision: 'accept' | 'supplement' | 'refuse') => {
    if (!picked || !checklist) return;
    const body: Record<string, unknown> = {
      procedureId: picked.id, applicant: applicant.read(), components: checklist.checked().map((name) => ({ name })), content: content.value.trim(), decision,
    };
    if (decision === 'supplement') body.supplement = { items: checklist.unchecked(), reason: reason.value.trim() };
    if (decision === 'refuse') body.refusal = { reasons: reason.value.split('\n').map((s) => s.trim()).filter(Boolean) };
    try {
      const d = await post<{ id: string; status: number }>('/api/dossiers', body);
      if (decision === 'accept') window.open(`/api/dossiers/${d.id}/forms/01.pdf`, '_blank');
      navigate(`/dossiers/${d.id}`);
    } catch (err) {
      clear(msg, errorBox(err));
    }
  };
  root.append(
    h('h1', null, t('receive.title')),
    procedurePicker(async (q) => (await get<{ items: PublishedProcedure[] }>(`/api/procedures${qs({ q, status: 'active', pageSize: 10 })}`)).items, (p) => {
      picked = p;
      checklist = componentChecklist(p);
      clear(holder, checklist.el);
    }, t('receive.procedure')),
    applicant.el,
    holder,
    h('p', { class: 'field' }, h('label', { for: 'rcv-content' }, t('receive.content')), content),
    h('p', { class: 'field' }, h('label', { for: 'rcv-reason' }, `${t('receive.reason')} / ${t('receive.reasons')}`), reason),
    msg,
    h('p', { class: 'actions' },
      h('button', { class: 'primary', 'data-testid': 'accept', onclick: () => submit('accept') }, t('receive.accept')), ' ',
      h('button', { 'data-testid': 'supplement', onclick: () => submit('supplement') }, t('receive.supplement')), ' ',
      h('button', { 'data-testid': 'refuse', onclick: () => submit('refuse') }, t('receive.refuse'))));
}
