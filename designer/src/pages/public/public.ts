import { ApiFailure, get, post, qs } from '../../api.js';
import { clear, formatDate, h } from '../../dom.js';
import { getLang, t, type MessageKey } from '../../i18n/index.js';
import { queryParam } from '../../router.js';
import { applicantFields, procedurePicker, type PublishedProcedure } from '../dossiers/receive.js';
import { errorBox, langSwitch } from '../layout.js';

/** Header of the citizen pages (no login). */
function publicLayout(root: HTMLElement, title: string): HTMLElement {
  const main = h('main', { class: 'page' });
  root.append(
    h('header', { class: 'topbar' },
      h('span', { class: 'brand' }, t('public.brand')),
      h('nav', null, h('a', { href: '#/public/file' }, t('nav.publicFile')), h('a', { href: '#/public/lookup' }, t('nav.publicLookup'))),
      h('span', { class: 'spacer' }), langSwitch(), h('a', { href: '#/login' }, t('public.login'))),
    main);
  main.append(h('h1', null, title));
  return main;
}

/** `#/public/file`: online filing with component files. */
export async function publicFilePage(root: HTMLElement): Promise<void> {
  const main = publicLayout(root, t('public.file.title'));
  const applicant = applicantFields('pub');
  const holder = h('div');
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  let picked: PublishedProcedure | undefined;
  let inputs: HTMLInputElement[] = [];
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!picked) return;
    const form = new FormData();
    const components = picked.components.map((c, i) => ({ c, i })).filter(({ i }) => inputs[i]!.files?.length).map(({ c }) => ({ name: c.name }));
    form.set('data', JSON.stringify({ procedureId: picked.id, applicant: applicant.read(), components }));
    let slot = 0;
    picked.components.forEach((_c, i) => {
      const files = inputs[i]!.files;
      if (files?.length) { for (const f of files) form.append(`component:${slot}`, f, f.name); slot++; }
    });
    // The refusal reads in the page's language, not the browser's.
    const res = await fetch('/api/public/dossiers', { method: 'POST', body: form, headers: { 'Accept-Language': getLang() } });
    const body = await res.json().catch(() => ({})) as { type?: string; message?: string; code?: string; details?: unknown; key?: string };
    // With its key, the error box shows the server's sentence (already in the page's language), not a generic one.
    if (!res.ok) { clear(msg, errorBox(new ApiFailure(res.status, body.type ?? '', body.message ?? res.statusText, body.details, body.key))); return; }
    clear(msg, h('p', { class: 'ok', 'data-testid': 'filed-code' }, t('public.file.done', { code: body.code ?? '' })));
  };
  main.append(
    h('p', null, t('public.file.intro')),
    h('form', { onsubmit: submit },
      procedurePicker(async (q) => (await get<{ items: PublishedProcedure[] }>(`/api/public/procedures${qs({ q })}`, { quiet401: true })).items, (p) => {
        picked = p;
        inputs = p.components.map((_c, i) => h('input', { type: 'file', id: `file-${i}`, accept: 'application/pdf,image/jpeg,image/png', 'data-testid': `file-${i}` }));
        clear(holder, h('fieldset', null, h('legend', null, t('receive.components')),
          ...p.components.map((c, i) => h('p', { class: 'field' }, h('label', { for: `file-${i}` }, c.name, c.required ? ` (${t('receive.required')})` : ''), inputs[i]))));
      }, t('receive.procedure')),
      applicant.el, holder, msg,
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'file-submit' }, t('public.file.submit'))));
}

interface LookupView {
  code: string; status: number; procedure: string; unit: string; receivedAt: string | null; dueAt: string | null; filedAt: string;
  currentStep: string | null; supplement: { items: string[]; reason: string } | null; canRate: boolean; rated: boolean;
}

/** `#/public/lookup`: code + last 4 digits → status in words, dates, current step, supplement awaited; rating after 10. */
export async function publicLookupPage(root: HTMLElement): Promise<void> {
  const main = publicLayout(root, t('public.lookup.title'));
  const code = h('input', { id: 'lk-code', required: true, value: queryParam('code') ?? '', 'data-testid': 'lk-code' });
  const factor = h('input', { id: 'lk-factor', required: true, inputmode: 'numeric', pattern: '\\d{4}', maxlength: 4, 'data-testid': 'lk-factor' });
  const out = h('div', { 'aria-live': 'polite' });
  const lang = getLang();
  const show = (v: LookupView) => clear(out, h('section', { class: 'card', 'data-testid': 'lookup-result' },
    h('h2', null, v.code, ' — ', t(`status.${v.status}` as MessageKey)),
    h('dl', null,
      h('dt', null, t('dossier.col.procedure')), h('dd', null, v.procedure),
      h('dt', null, t('dossier.receivedAt')), h('dd', null, formatDate(v.receivedAt ?? v.filedAt, lang)),
      h('dt', null, t('dossier.dueAt')), h('dd', null, formatDate(v.dueAt, lang) || '—'),
      v.currentStep ? [h('dt', null, t('public.lookup.step')), h('dd', null, v.currentStep)] : null,
      v.supplement ? [h('dt', null, t('public.lookup.supplement')), h('dd', { 'data-testid': 'lookup-supplement' }, v.supplement.items.join('; '))] : null),
    v.canRate ? h('p', null, t('public.rate'), ': ', ...(['satisfied', 'normal', 'dissatisfied'] as const).map((r) => h('button', {
      type: 'button', onclick: async () => { await post(`/api/public/dossiers/${encodeURIComponent(v.code)}/rating`, { factor: factor.value, rating: r }); clear(out, h('p', null, t('public.rate.thanks'))); },
    }, t(`public.rate.${r}`)))) : null));
  main.append(
    h('form', { onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        show(await get<LookupView>(`/api/public/dossiers/${encodeURIComponent(code.value.trim())}${qs({ factor: factor.value.trim() })}`, { quiet401: true }));
      } catch (err) {
        clear(out, errorBox(err));
      }
    } },
    h('p', { class: 'field' }, h('label', { for: 'lk-code' }, t('public.lookup.code')), code),
    h('p', { class: 'field' }, h('label', { for: 'lk-factor' }, t('public.lookup.factor')), factor),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'lk-submit' }, t('public.lookup.submit'))),
    out);
}
