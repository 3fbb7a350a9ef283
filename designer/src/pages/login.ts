import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import { serverMessage } from '../i18n/server-message.js';
import { navigate, queryParam } from '../router.js';
import { login } from '../session.js';
import { langSwitch } from './layout.js';

export function loginPage(root: HTMLElement): void {
  const error = h('div', { class: 'error', role: 'alert', hidden: true });
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', {
    class: 'login card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        await login(username.value.trim(), password.value);
        const next = queryParam('next');
        navigate(next && next.startsWith('/') && next !== '/login' ? next : '/procedures');
      } catch (err) {
        const status = (err as { status?: number }).status;
        error.textContent = status === 401 || status === 400 ? t('login.failed') : status === 429 ? t('login.tooMany') : serverMessage(err);
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h1', null, t('app.title')),
  h('p', { class: 'muted' }, t('login.intro')),
  h('label', null, t('login.username'), username),
  h('label', null, t('login.password'), password),
  error, submit, h('div', { class: 'right' }, langSwitch()));
  // A citizen who opens the platform's address lands here: the public pages must be one click away.
  const citizens = h('nav', { class: 'login card citizen-links', 'aria-label': t('public.forCitizens') },
    h('h2', null, t('public.forCitizens')),
    h('a', { href: '#/public/file' }, t('nav.publicFile')),
    h('a', { href: '#/public/lookup' }, t('nav.publicLookup')));
  root.append(h('div', { class: 'login-wrap' }, h('div', { class: 'login-column' }, form, citizens)));
  username.focus();
}
