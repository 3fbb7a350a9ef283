import { get } from '../api.js';
import { h } from '../dom.js';
import { bell } from './incidents/bell.js';
import { getLang, setLang, t } from '../i18n/index.js';
import { serverMessage } from '../i18n/server-message.js';
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
        // The full title, unless a long navigation needs the room on a laptop: then "TTHC" (the title as its tooltip).
        h('a', { class: 'brand', href: '#/procedures', title: t('app.title') }, h('span', { class: 'brand-full' }, t('app.title')), h('span', { class: 'brand-short' }, 'TTHC')),
        h('nav', null,
          h('a', { href: '#/procedures' }, t('nav.catalogue')),
          hasRole('one-stop-officer') || hasRole('specialist') || hasRole('leader') || hasRole('inspector') ? h('a', { href: '#/dossiers', 'data-testid': 'nav-dossiers' }, t('nav.dossiers')) : null,
          reviewLink,
          STAFF.some(hasRole) ? h('a', { href: '#/tasks', 'data-testid': 'nav-tasks' }, t('nav.tasks')) : null,
          hasRole('leader') || hasRole('inspector') ? h('a', { href: '#/sos', 'data-testid': 'nav-sos' }, t('nav.sos')) : null,
          adminGroup()),
        h('span', { class: 'spacer' }),
        langSwitch(),
        user ? bell() : null,
        user ? h('span', { class: 'user', 'data-testid': 'user' }, user.displayName || user.username) : null,
        h('button', { class: 'link', 'data-testid': 'logout', onclick: async () => { await logout(); navigate('/login'); } }, t('nav.logout'))),
      main);
    const bar = root.querySelector('header.topbar');
    if (bar && bar.querySelectorAll('nav > a, nav > .navmenu').length > 3) bar.classList.add('crowded');
    if (reviewLink) void reviewCount(reviewLink);
    const done = await page(main, params);
    focusHeading(main);
    return done;
  };
}

/**
 * The administration entries (incidents, portal sync, units, users, calendar, audit) under one
 * "Quản trị" menu, so an administrator's bar fits 1366 px in both languages; one entry stays a link.
 * A disclosure (button + list of links, Escape closes), not an ARIA menu: the entries are links.
 */
function adminGroup(): HTMLElement | null {
  const admin = hasRole('system-admin');
  const items: Array<[string, string, string]> = [
    admin ? ['#/admin/units', t('admin.units'), 'nav-admin'] : null,
    admin ? ['#/admin/users', t('admin.users'), 'nav-admin-users'] : null,
    admin ? ['#/admin/calendar', t('admin.calendar'), 'nav-admin-calendar'] : null,
    hasRole('inspector') ? ['#/admin/audit', t('admin.audit'), 'nav-audit'] : null,
    admin ? ['#/incidents', t('nav.incidents'), 'nav-incidents'] : null,
    admin || hasRole('inspector') ? ['#/portal-sync', t('portal.nav'), 'nav-portal-sync'] : null,
  ].filter((x): x is [string, string, string] => !!x);
  const here = (href: string) => location.hash === href || location.hash.startsWith(`${href}/`);
  if (items.length <= 1) return items[0] ? h('a', { href: items[0][0], 'data-testid': items[0][2], 'aria-current': here(items[0][0]) ? 'page' : undefined }, items[0][1]) : null;
  const list = h('ul', { id: 'admin-menu', class: 'navmenu-list', hidden: true, 'data-testid': 'admin-menu' },
    items.map(([href, label, testid]) => h('li', null, h('a', { href, 'data-testid': testid, 'aria-current': here(href) ? 'page' : undefined }, label))));
  const button = h('button', {
    type: 'button', class: `navmenu-button${items.some(([href]) => here(href)) ? ' current' : ''}`, 'aria-expanded': 'false', 'aria-controls': 'admin-menu', 'data-testid': 'nav-admin-menu',
  }, t('admin.title'), h('span', { 'aria-hidden': 'true' }, ' ▾'));
  const wrap = h('div', { class: 'navmenu' }, button, list);
  const show = (open: boolean) => { list.hidden = !open; button.setAttribute('aria-expanded', String(open)); };
  button.addEventListener('click', () => show(list.hidden));
  wrap.addEventListener('keydown', (e: KeyboardEvent) => { if (e.key === 'Escape' && !list.hidden) { show(false); button.focus(); } });
  wrap.addEventListener('focusout', (e: FocusEvent) => { if (!wrap.contains(e.relatedTarget as Node | null)) show(false); });
  // A click elsewhere closes it; the listener leaves with the page's header.
  const outside = (e: MouseEvent) => {
    if (!wrap.isConnected) document.removeEventListener('click', outside);
    else if (!wrap.contains(e.target as Node)) show(false);
  };
  document.addEventListener('click', outside);
  return wrap;
}

/** "Quy trình chờ phê duyệt (2)": the approver sees at once whether anything waits. */
async function reviewCount(link: HTMLElement): Promise<void> {
  try {
    const items = await get<unknown[]>('/api/review-inbox');
    if (items.length) link.textContent = t('nav.reviewCount', { label: t('nav.inbox'), n: items.length });
  } catch { /* the label stays without a count */ }
}

/** After navigation, focus goes to the page's heading so a screen reader announces the new page. */
function focusHeading(main: HTMLElement): void {
  const heading = main.querySelector<HTMLElement>('h1');
  // Focus the user (or the page itself) moved somewhere while the page loaded stays where it is.
  const active = document.activeElement;
  if (!heading || active && active !== document.body && active !== main && active.isConnected) return;
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
}

export function errorBox(err: unknown): HTMLElement {
  // Never a raw server string: keyed text in the user's language, else the sentence for its type.
  return h('div', { class: 'error', role: 'alert' }, serverMessage(err));
}

export function badge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}`, 'data-testid': 'state' }, t(`state.${state}` as never));
}
