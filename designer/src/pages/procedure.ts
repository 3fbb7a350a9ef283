import { get, post, qs } from '../api.js';
import { add, clear, h } from '../dom.js';
import { t } from '../i18n/index.js';
import { navigate } from '../router.js';
import { TEMPLATES, type TemplateName } from '../tthc/templates.js';
import type { ProcessInfo, Procedure, Version } from '../types.js';
import { badge, errorBox } from './layout.js';
import { dateTimeVi, levelName, limitText } from './names.js';

export async function procedurePage(root: HTMLElement, params: Record<string, string>): Promise<void> {
  let proc: Procedure;
  try {
    proc = await get<Procedure>(`/api/procedures/${encodeURIComponent(params.id!)}`);
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  const levels = proc.levels?.length ? proc.levels : proc.level ? [proc.level] : [];
  const levelNames = await Promise.all(levels.map((l) => levelName(l)));
  const levelSel = h('select', { 'aria-label': t('catalogue.level'), 'data-testid': 'level' }, levels.map((l, i) => h('option', { value: l }, levelNames[i])));
  const body = h('div');
  add(root,
    h('p', null, h('a', { href: '#/procedures' }, '← ', t('nav.catalogue'))),
    h('h1', { tabindex: '-1' }, proc.name),
    h('p', { class: 'muted' }, `${proc.code} · ${proc.field ?? ''} · ${await levelName(proc.level)} · ${t('proc.limit', { limit: limitText(proc) })}`),
    h('p', { class: 'muted', 'data-testid': 'agencies' }, t('proc.executedBy', { agency: proc.agencyName ?? proc.agencyId ?? '' }), h('br'),
      t('proc.managedBy', { agency: proc.managingAgencyName ?? proc.managingAgencyId ?? proc.agencyName ?? '' })),
    levels.length > 1 ? h('label', null, t('catalogue.level'), ' ', levelSel) : null,
    body);

  async function load(): Promise<void> {
    const level = levelSel.value || proc.level || '';
    try {
      const info = await get<ProcessInfo>(`/api/procedures/${encodeURIComponent(proc.id)}/process${qs({ level })}`);
      render(info, level);
    } catch (err) {
      clear(body, errorBox(err));
    }
  }

  function render(info: ProcessInfo, level: string): void {
    // The server says whether this user may draft here (managing agency): no button they cannot use.
    const canDraft = info.may?.draft === true;
    const template = h('select', { 'data-testid': 'template' },
      (Object.keys(TEMPLATES) as TemplateName[]).map((k) => h('option', { value: k }, t(`template.${k}` as never))));
    const createError = h('div', { hidden: true });
    async function create(body: { xml?: string; fromVersionId?: string }): Promise<void> {
      try {
        const v = await post<Version>(`/api/procedures/${encodeURIComponent(proc.id)}/versions`, { level, ...body });
        navigate(`/versions/${v.id}/edit`);
      } catch (err) {
        createError.replaceChildren(errorBox(err));
        createError.hidden = false;
      }
    }
    const fileInput = h('input', {
      type: 'file', accept: '.bpmn,.xml,application/xml', hidden: true,
      onchange: async () => { const f = fileInput.files?.[0]; if (f) await create({ xml: await f.text() }); },
    });
    const active = info.versions.find((v) => v.state === 'active');
    clear(body,
      info.model?.needsReview ? h('div', { class: 'warning' }, t('process.needsReview')) : null,
      canDraft ? h('div', { class: 'actions' },
        template,
        h('button', { class: 'primary', 'data-testid': 'create-draft', onclick: () => create({ xml: TEMPLATES[template.value as TemplateName](proc.name) }) }, t('process.newFromTemplate')),
        active ? h('button', { 'data-testid': 'create-from-active', onclick: () => create({ fromVersionId: active.id }) }, t('process.newFromActive', { n: active.number })) : null,
        h('button', { onclick: () => fileInput.click() }, t('process.importBpmn')), fileInput) : null,
      createError,
      canDraft ? null : h('p', { class: 'muted', 'data-testid': 'no-draft-right' }, t('proc.noDraftRight', { agency: proc.managingAgencyName ?? proc.managingAgencyId ?? '' })),
      h('h2', null, t('process.versions')),
      info.versions.length
        ? h('table', { class: 'grid', 'data-testid': 'versions' },
          h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, t('process.state')), h('th', null, t('process.author')), h('th', null, t('process.updated')), h('th', null, ''))),
          h('tbody', null, [...info.versions].sort((a, b) => b.number - a.number).map((v) => h('tr', null,
            h('td', null, `v${v.number}`), h('td', null, badge(v.state)), h('td', null, v.authorName ?? ''),
            h('td', null, dateTimeVi(v.updatedAt)),
            h('td', null,
              h('a', { href: `#/versions/${v.id}` }, t('process.open')),
              v.state === 'draft' && canDraft ? [' · ', h('a', { href: `#/versions/${v.id}/edit`, 'data-testid': 'edit' }, t('process.edit'))] : null)))))
        : h('p', { class: 'muted' }, t('process.noVersions')));
  }
  levelSel.addEventListener('change', () => void load());
  await load();
}
