import { get, post, qs } from '../../api.js';
import { clear, h } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { errorBox } from '../layout.js';
import { dueBadge, when, type DueColour } from './format.js';
import './tasks.css';

interface Sos {
  id: string; instanceId: string; code: string | null; reason: string; cause: string | null; raisedBy: string; automatic: boolean; raisedAt: string;
  ageHours: number; status: 'open' | 'resolved'; resolvedBy: string | null; action: string | null; dossierState: DueColour;
}

/** The SOS board of the unit's leaders and the province's inspectors: open SOS, age, due state; resolve with an action. */
export async function sosPage(root: HTMLElement): Promise<void> {
  let status: 'open' | 'resolved' = 'open';
  const body = h('div');
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('sos.title') });
  root.append(h('h1', null, t('sos.title')), tabs, body);
  async function load(): Promise<void> {
    clear(tabs, (['open', 'resolved'] as const).map((s) => h('button', { role: 'tab', 'aria-selected': String(s === status), onclick: () => { status = s; void load(); } }, t(`sos.${s}`))));
    try {
      const items = await get<Sos[]>(`/api/sos${qs({ status })}`);
      clear(body, !items.length ? h('p', { class: 'muted' }, t('sos.empty')) : h('table', { class: 'grid', 'data-testid': 'sos-board' },
        h('thead', null, h('tr', null, ...(['code', 'reason', 'by', 'age', 'due', 'action'] as const).map((k) => h('th', { scope: 'col' }, t(`sos.col.${k}`))))),
        h('tbody', null, items.map((s) => {
          const action = h('input', { id: `sos-action-${s.id}`, 'aria-label': t('sos.col.action'), 'data-testid': 'sos-action' });
          return h('tr', { 'data-testid': 'sos-row' },
            h('td', null, h('a', { href: `#/work/${s.instanceId}` }, s.code ?? s.instanceId.slice(0, 8))),
            h('td', null, s.reason, s.cause ? h('div', { class: 'muted' }, t(`sos.cause.${s.cause}` as never)) : null),
            h('td', null, s.automatic ? t('sos.auto') : s.raisedBy, h('div', { class: 'muted' }, when(s.raisedAt))),
            h('td', null, `${s.ageHours} h`),
            h('td', null, dueBadge(s.dossierState)),
            h('td', null, s.status === 'resolved' ? `${s.action ?? ''} (${s.resolvedBy ?? ''})` : h('form', { class: 'row', onsubmit: async (e: Event) => {
              e.preventDefault();
              try { await post(`/api/sos/${s.id}/resolve`, { action: action.value }); await load(); } catch (err) { body.prepend(errorBox(err)); }
            } }, action, h('button', { type: 'submit', 'data-testid': 'sos-resolve' }, t('sos.resolve')))));
        }))));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }
  await load();
}
