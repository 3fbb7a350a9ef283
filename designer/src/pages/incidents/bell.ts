import { api } from '../../api.js';
import { h } from '../../dom.js';
import { getLang, t } from '../../i18n/index.js';
import { dateTimeVi } from '../names.js';

interface Item { id: string; title: string; body: string; titleEn?: string | null; bodyEn?: string | null; link: string | null; createdAt: string; readAt: string | null }

/** A bell drawn as SVG: the emoji has no glyph in the fonts of many office machines (it showed as an empty box). */
function bellIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24'); svg.setAttribute('width', '18'); svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z');
  svg.append(path);
  return svg;
}

/** The header bell: unread count (refreshed every 30 s), a list that marks items read when opened. */
export function bell(): HTMLElement {
  const count = h('span', { class: 'bell-count', 'data-testid': 'bell-count', 'aria-live': 'polite' }, '');
  const list = h('div', { class: 'bell-list', role: 'region', 'aria-label': t('bell.label'), hidden: true });
  const button = h('button', { class: 'link bell', 'data-testid': 'bell', 'aria-expanded': 'false', 'aria-label': t('bell.label') }, bellIcon(), count);
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
        // The English text when the notice has one; otherwise the Vietnamese.
        h('strong', null, getLang() === 'en' && n.titleEn ? n.titleEn : n.title), h('div', null, getLang() === 'en' && n.bodyEn ? n.bodyEn : n.body),
        h('small', null, dateTimeVi(n.createdAt)),
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
  // After the header is in the page (refresh() stops once the bell has left it): the count shows at once, not 30 s later.
  setTimeout(() => void refresh(), 0);
  const timer = setInterval(() => { if (!wrap.isConnected) clearInterval(timer); else void refresh(); }, 30_000);
  return wrap;
}
