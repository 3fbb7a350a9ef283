import { h } from '../dom.js';
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
    const main = h('main', { class: 'page' });
    root.append(
      h('header', { class: 'topbar' },
        h('a', { class: 'brand', href: '#/procedures' }, t('app.title')),
        h('nav', null,
          h('a', { href: '#/procedures' }, t('nav.catalogue')),
          hasRole('one-stop-officer') || hasRole('specialist') || hasRole('leader') || hasRole('inspector') ? h('a', { href: '#/dossiers', 'data-testid': 'nav-dossiers' }, t('nav.dossiers')) : null,
          hasRole('approver') ? h('a', { href: '#/inbox', 'data-testid': 'nav-inbox' }, t('nav.inbox')) : null,
          STAFF.some(hasRole) ? h('a', { href: '#/tasks', 'data-testid': 'nav-tasks' }, t('nav.tasks')) : null,
          hasRole('leader') || hasRole('inspector') ? h('a', { href: '#/sos', 'data-testid': 'nav-sos' }, t('nav.sos')) : null),
        h('span', { class: 'spacer' }),
        langSwitch(),
        user ? h('span', { class: 'user', 'data-testid': 'user' }, user.displayName || user.username) : null,
        h('button', { class: 'link', 'data-testid': 'logout', onclick: async () => { await logout(); navigate('/login'); } }, t('nav.logout'))),
      main);
    return page(main, params);
  };
}

export function errorBox(err: unknown): HTMLElement {
  const e = err as { message?: string; status?: number };
  const msg = e.status === 404 ? t('error.notFound') : e.status === 403 ? t('error.forbidden') : (e.message ?? String(err));
  return h('div', { class: 'error', role: 'alert' }, msg);
}

export function badge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}`, 'data-testid': 'state' }, t(`state.${state}` as never));
}
