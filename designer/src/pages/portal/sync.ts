import { get, post } from '../../api.js';
import { clear, formatDate, h } from '../../dom.js';
import { getLang, t, type MessageKey } from '../../i18n/index.js';
import { statusLabel } from '../dossiers/list.js';
import { errorBox } from '../layout.js';

interface SyncRow {
  id: string; seq: number; status: number; state: 'pending' | 'acked' | 'rejected'; changedAt: string; attempts: number; ackedAt: string | null;
  receipt: string | null; lastError: string | null; lastHttp: number | null; dossierCode: string; onTime: boolean | null; nextAttemptAt: string | null;
  heldBehind?: { id: string; seq: number; error: string | null; httpStatus: number | null } | null; holding?: number;
}
interface Stats { dossiers: number; syncedOnTime: number; share: number | null; records: number; acked: number; pending: number; rejected: number; warned: number }

const when = (iso: string | null) => formatDate(iso, getLang()) || '—';

function table(rows: SyncRow[], withDossier: boolean, onRetry?: (r: SyncRow) => Promise<void>): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, t('portal.empty'));
  const cols: MessageKey[] = [...(withDossier ? ['portal.col.dossier' as const] : []), 'portal.col.seq', 'portal.col.status', 'portal.col.created', 'portal.col.state', 'portal.col.acked', 'portal.col.attempts', 'portal.col.error'];
  return h('table', { class: 'grid', 'data-testid': 'portal-sync' },
    h('thead', null, h('tr', null, ...cols.map((k) => h('th', { scope: 'col' }, t(k))), onRetry ? h('th', null, '') : null)),
    h('tbody', null, ...rows.map((r) => h('tr', { 'data-state': r.state },
      withDossier ? h('td', null, r.dossierCode) : null,
      h('td', null, String(r.seq)),
      h('td', null, `${r.status} — ${statusLabel(r.status)}`),
      h('td', null, when(r.changedAt)),
      h('td', null, t(`portal.state.${r.state}`), held(r) ?? (r.state === 'pending' && r.nextAttemptAt ? h('div', { class: 'muted' }, when(r.nextAttemptAt)) : null)),
      h('td', null, when(r.ackedAt), r.receipt ? h('div', { class: 'muted' }, r.receipt) : null),
      h('td', null, String(r.attempts)),
      h('td', null, r.lastError ? `${r.lastHttp ? `${r.lastHttp}: ` : ''}${r.lastError}` : ''),
      onRetry ? h('td', null, r.state === 'rejected' ? h('button', { onclick: () => void onRetry(r), 'data-testid': 'portal-retry' }, t('portal.retry')) : null) : null))));
}

/** Why a record waits (behind the dossier's rejected record) or what waits behind a rejected one, and how to resolve it. */
function held(r: SyncRow): HTMLElement | null {
  if (r.heldBehind) {
    const error = `${r.heldBehind.httpStatus ? `${r.heldBehind.httpStatus}: ` : ''}${r.heldBehind.error ?? '—'}`;
    return h('div', { class: 'portal-held', 'data-testid': 'portal-held' },
      h('strong', null, t('portal.heldBehind', { seq: r.heldBehind.seq, error })), h('div', { class: 'muted' }, t('portal.heldHint', { seq: r.heldBehind.seq })));
  }
  return r.state === 'rejected' && r.holding ? h('div', { class: 'muted', 'data-testid': 'portal-holding' }, t('portal.holding', { n: r.holding })) : null;
}

/** The dossier page's card: every status record sent to the national portal, with its outcome. */
export function syncLogCard(dossierId: string): HTMLElement {
  const card = h('section', { class: 'card', 'data-testid': 'portal-sync-log' }, h('h2', null, t('portal.log')));
  void get<SyncRow[]>(`/api/dossiers/${encodeURIComponent(dossierId)}/portal-sync`)
    .then((rows) => card.append(table(rows, false)))
    .catch((err) => card.append(errorBox(err)));
  return card;
}

/** `#/portal-sync` (administrators, inspectors): the on-time share for the scorecard and the records that need attention. */
export async function portalSyncPage(root: HTMLElement): Promise<void> {
  const status = h('p', { role: 'status' });
  const stats = h('div');
  const list = h('div');
  const only = h('input', { type: 'checkbox', id: 'portal-attention', checked: true, onchange: () => void load() });
  root.append(h('h1', null, t('portal.title')), stats, h('p', null, only, ' ', h('label', { for: 'portal-attention' }, t('portal.filter'))), status, list);
  async function load(): Promise<void> {
    try {
      const [s, page] = await Promise.all([
        get<Stats>('/api/portal-sync/stats'),
        get<{ items: SyncRow[] }>(`/api/portal-sync/records?pageSize=100${(only).checked ? '&state=attention' : ''}`),
      ]);
      clear(stats, h('dl', { class: 'card', 'data-testid': 'portal-stats' },
        h('dt', null, t('portal.onTime')), h('dd', null, s.share === null ? '—' : `${(s.share * 100).toLocaleString(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 })} % (${s.syncedOnTime}/${s.dossiers})`),
        h('dt', null, t('portal.pending')), h('dd', null, String(s.pending)),
        h('dt', null, t('portal.state.rejected')), h('dd', null, String(s.rejected)),
        h('dt', null, t('portal.overdue')), h('dd', null, String(s.warned))));
      clear(list, table(page.items, true, async (r) => {
        try { await post(`/api/portal-sync/records/${r.id}/retry`); await load(); } catch (err) { clear(status, errorBox(err)); }
      }));
    } catch (err) {
      clear(list, errorBox(err));
    }
  }
  await load();
}
