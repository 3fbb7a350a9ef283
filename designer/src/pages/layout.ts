import { get } from '../api.js';
import { h } from '../dom.js';
import { bell } from './incidents/bell.js';
import { getLang, setLang, t } from '../i18n/index.js';
import { navigate, type PageHandler } from '../router.js';
import { currentUser, hasRole, logout } from '../session.js';

export function langSwitch(): HTMLElement {
  return h('select', {
    class: 'lang', 'aria-label': t('nav.language'), 'data-testid': 'lang',
    onchange: (e: Event) => setLang((e.target as HTMLSelectElement).value as 'vi' | 'en'),
  }, h('option', { value: 'vi', selected: getLang() === 'vi' }, 'Tiếng Việt'), h('option', { value: 'en', selected: getLang() === 'en' }, 'English'));
}

/** Roles that work dossiers' steps (the tasklist link). */
const STAFF = ['one-stop-officer', 'specialist', 'division-head', 'leader', 'clerical', 'inspector'];

/** Wraps a page with the header (navigation, language, user). */
export function layout(page: PageHandler): PageHandler {
  return async (root, params) => {
    const user = currentUser();
    const main = h('main', { class: 'page', id: 'main', tabindex: '-1' });
    const reviewLink = hasRole('approver') ? h('a', { href: '#/inbox', 'data-testid': 'nav-inbox' }, t('nav.inbox')) : null;
    root.append(
      // The hash router owns '#…' links: the skip link moves focus itself.
      h('a', { class: 'skip-link', href: '#main', 'data-testid': 'skip-link', onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, t('a11y.skip')),
      h('header', { class: 'topbar' },
        h('a', { class: 'brand', href: '#/procedures' }, t('app.title')),
        h('nav', null,
          h('a', { href: '#/procedures' }, t('nav.catalogue')),
          hasRole('one-stop-officer') || hasRole('specialist') || hasRole('leader') || hasRole('inspector') ? h('a', { href: '#/dossiers', 'data-testid': 'nav-dossiers' }, t('nav.dossiers')) : null,
          reviewLink,
          STAFF.some(hasRole) ? h('a', { href: '#/tasks', 'data-testid': 'nav-tasks' }, t('nav.tasks')) : null,
          hasRole('leader') || hasRole('inspector') ? h('a', { href: '#/sos', 'data-testid': 'nav-sos' }, t('nav.sos')) : null,
          hasRole('system-admin') ? h('a', { href: '#/incidents', 'data-testid': 'nav-incidents' }, t('nav.incidents')) : null,
          hasRole('system-admin') || hasRole('inspector') ? h('a', { href: '#/portal-sync', 'data-testid': 'nav-portal-sync' }, t('portal.nav')) : null,
          hasRole('system-admin') ? h('a', { href: '#/admin/units', 'data-testid': 'nav-admin' }, t('admin.title'))
            : hasRole('inspector') ? h('a', { href: '#/admin/audit', 'data-testid': 'nav-audit' }, t('admin.audit')) : null),
        h('span', { class: 'spacer' }),
        langSwitch(),
        user ? bell() : null,
        user ? h('span', { class: 'user', 'data-testid': 'user' }, user.displayName || user.username) : null,
        h('button', { class: 'link', 'data-testid': 'logout', onclick: async () => { await logout(); navigate('/login'); } }, t('nav.logout'))),
      main);
    if (reviewLink) void reviewCount(reviewLink);
    const done = await page(main, params);
    focusHeading(main);
    return done;
  };
}

/** "Quy trình chờ phê duyệt (2)": the approver sees at once whether anything waits. */
async function reviewCount(link: HTMLElement): Promise<void> {
  try {
    const items = await get<unknown[]>('/api/review-inbox');
    if (items.length) link.textContent = t('nav.reviewCount', { label: t('nav.inbox'), n: items.length });
  } catch { /* the label stays without a count */ }
}

/** After navigation, focus goes to the page's heading so a screen reader announces the new page. */
export function focusHeading(main: HTMLElement): void {
  const heading = main.querySelector<HTMLElement>('h1');
  if (!heading || main.contains(document.activeElement) && document.activeElement !== document.body && document.activeElement !== main) return;
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
}

export function errorBox(err: unknown): HTMLElement {
  const e = err as { message?: string; status?: number; key?: string };
  // A keyed server message is already in the user's language (the client sends Accept-Language).
  const msg = e.key && e.message ? e.message : e.status === 404 ? t('error.notFound') : e.status === 403 ? t('error.forbidden') : (e.message ?? String(err));
  return h('div', { class: 'error', role: 'alert' }, msg);
}

export function badge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}`, 'data-testid': 'state' }, t(`state.${state}` as never));
}
