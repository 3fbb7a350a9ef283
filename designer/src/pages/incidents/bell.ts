import { api } from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n/index.js';

interface Item { id: string; title: string; body: string; link: string | null; createdAt: string; readAt: string | null }

/** The header bell: unread count (refreshed every 30 s), a list that marks items read when opened. */
export function bell(): HTMLElement {
  const count = h('span', { class: 'bell-count', 'data-testid': 'bell-count', 'aria-live': 'polite' }, '');
  const list = h('div', { class: 'bell-list', role: 'region', 'aria-label': t('bell.label'), hidden: true });
  const button = h('button', { class: 'link bell', 'data-testid': 'bell', 'aria-expanded': 'false', 'aria-label': t('bell.label') }, '🔔 ', count);
  const wrap = h('span', { class: 'bell-wrap' }, button, list);

  async function refresh(): Promise<void> {
    if (!wrap.isConnected && wrap.dataset.started) return;
    const r = await api<{ unread: number }>('GET', '/api/notifications/unread-count', undefined, { quiet401: true }).catch(() => ({ unread: 0 }));
    count.textContent = r.unread ? String(r.unread) : '';
    button.setAttribute('aria-label', r.unread ? `${t('bell.label')}: ${r.unread} ${t('bell.unread')}` : t('bell.label'));
  }

  async function open(): Promise<void> {
    const r = await api<{ items: Item[]; unread: number }>('GET', '/api/notifications?limit=20');
    const readAll = h('button', { class: 'link', 'data-testid': 'bell-read-all', onclick: async () => { await api('POST', '/api/notifications/read-all', {}); await refresh(); await open(); } }, t('bell.readAll'));
    list.replaceChildren(
      r.items.length ? h('ul', null, ...r.items.map((n) => h('li', { class: n.readAt ? 'read' : 'unread' },
        h('strong', null, n.title), h('div', null, n.body),
        h('small', null, new Date(n.createdAt).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })),
        n.link ? h('a', { href: n.link }, '→') : null))) : h('p', null, t('bell.empty')),
    );
    if (r.unread) list.append(readAll);
  }

  button.addEventListener('click', async () => {
    const show = list.hidden;
    list.hidden = !show;
    button.setAttribute('aria-expanded', String(show));
    if (show) await open();
  });
  wrap.dataset.started = '1';
  void refresh();
  const timer = setInterval(() => { if (!wrap.isConnected) clearInterval(timer); else void refresh(); }, 30_000);
  return wrap;
}
