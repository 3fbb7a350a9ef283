import { h } from '../../dom.js';
import { getLang, t } from '../../i18n/index.js';
import { formatDuration } from '../../tthc/duration.js';
import { STEP_TEMPLATES, type StepTemplate } from '../../tthc/step-templates.js';

/** Accent-insensitive matching ("tham dinh" finds "Thẩm định"). */
function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

interface Inserter { insert(tpl: StepTemplate, event?: MouseEvent): unknown }

function describe(tpl: StepTemplate): string {
  const role = typeof tpl.attrs['tthc:role'] === 'string' ? t(`role.${tpl.attrs['tthc:role']}` as never) : '';
  const budget = typeof tpl.attrs['tthc:budget'] === 'string' ? formatDuration(tpl.attrs['tthc:budget'], getLang()) : '';
  return [role, budget].filter(Boolean).join(' · ');
}

/**
 * "Thêm bước": a searchable menu of the usual steps, named in words with their role and budget
 * (like Camunda Web Modeler's create menu). Click: the step follows the pointer and is dropped
 * (onto a flow: inserted with room made). Enter: it goes onto the selected flow or after the
 * selected step. Arrow keys move, Escape closes.
 */
export function addStepMenu(inserter: Inserter): { button: HTMLElement; panel: HTMLElement } {
  const search = h('input', { type: 'search', 'aria-label': t('addStep.search'), placeholder: t('addStep.search'), 'data-testid': 'add-step-search', autocomplete: 'off' });
  const list = h('ul', { role: 'listbox', id: 'add-step-list', 'aria-label': t('addStep.title'), class: 'add-step-list' });
  const panel = h('div', { class: 'add-step-panel card', role: 'dialog', 'aria-label': t('addStep.title'), hidden: true, 'data-testid': 'add-step-menu' },
    search, list, h('p', { class: 'muted small' }, t('addStep.hint')));
  const button = h('button', {
    class: 'primary', type: 'button', 'data-testid': 'add-step', 'aria-expanded': 'false', 'aria-controls': 'add-step-list',
    onmousedown: (e: Event) => e.preventDefault(),
    onclick: () => (panel.hidden ? open() : close()),
  }, '+ ', t('addStep.button'));
  let active = 0;
  let shown: StepTemplate[] = [];

  function renderList(): void {
    const q = fold(search.value.trim());
    shown = STEP_TEMPLATES.filter((tpl) => !q || fold(`${t(tpl.label as never)} ${t(tpl.name as never)} ${describe(tpl)}`).includes(q));
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(...shown.map((tpl, i) => h('li', {
      role: 'option', id: `add-step-${tpl.id}`, 'aria-selected': i === active ? 'true' : 'false', class: i === active ? 'active' : '',
      'data-template': tpl.id,
      onmousedown: (e: Event) => e.preventDefault(),
      onclick: (e: MouseEvent) => { close(); inserter.insert(tpl, e); },
    }, h('span', { class: 'name' }, t(tpl.name as never)), h('span', { class: 'muted' }, ` ${describe(tpl) || t(tpl.label as never)}`))));
    if (shown.length) search.setAttribute('aria-activedescendant', `add-step-${shown[active]!.id}`);
    else list.append(h('li', { class: 'muted' }, t('addStep.none')));
  }

  function open(): void {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    search.value = '';
    active = 0;
    renderList();
    search.focus();
  }
  function close(): void {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  }
  search.addEventListener('input', () => { active = 0; renderList(); });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { active = Math.min(active + 1, shown.length - 1); renderList(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = Math.max(active - 1, 0); renderList(); e.preventDefault(); }
    else if (e.key === 'Enter' && shown[active]) { e.preventDefault(); const tpl = shown[active]!; close(); inserter.insert(tpl); button.focus(); }
    else if (e.key === 'Escape') { close(); button.focus(); }
  });
  return { button, panel };
}
