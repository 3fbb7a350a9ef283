import { post } from '../../api.js';
import { clear, h } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { errorBox } from '../layout.js';
import { when } from './format.js';

/** The watch process's "write the apology" step (server/deadlines/watch.ts). */
export const APOLOGY_STEP = 'WriteApology';

/** "2026-12-03T17:00" typed in the page → the same wall-clock instant in Vietnam. */
const vnInstant = (local: string) => `${local.length === 16 ? `${local}:00` : local}+07:00`;

/**
 * The leader's form on the apology task: reason and new date, signed in the leader's name. The server
 * checks the dates and the single extension before the step completes; the worker then issues form 04.
 */
export function apologyCard(taskId: string, dossierId: string | null | undefined, dueAt: string | null | undefined, msg: HTMLElement): HTMLElement {
  const reason = h('textarea', { id: `apology-reason-${taskId}`, required: true, minlength: 3, 'data-testid': 'apology-reason' });
  const date = h('input', { id: `apology-date-${taskId}`, type: 'datetime-local', required: true, 'data-testid': 'apology-new-date' });
  const link = dossierId ? h('a', { href: `/api/dossiers/${encodeURIComponent(dossierId)}/forms/04.pdf`, target: '_blank', hidden: true, 'data-testid': 'apology-form04' }, t('apology.form')) : null;
  const form = h('form', { onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      await post(`/api/apologies/tasks/${encodeURIComponent(taskId)}`, { reason: reason.value, newDueAt: vnInstant(date.value) });
      msg.textContent = t('apology.signed');
      form.querySelectorAll('button, textarea, input').forEach((el) => el.setAttribute('disabled', ''));
      link?.removeAttribute('hidden');
    } catch (err) {
      clear(msg, errorBox(err));
    }
  } },
  h('p', { class: 'muted' }, t('apology.hint', { due: when(dueAt ?? null) })),
  h('label', { for: reason.id }, t('apology.reason')), reason,
  h('label', { for: date.id }, t('apology.newDueAt')), date,
  h('div', null, h('button', { type: 'submit', class: 'accent', 'data-testid': 'apology-sign' }, t('apology.sign')), ' ', link));
  return h('section', { class: 'card actions-card', 'data-testid': 'apology' }, h('h2', null, t('apology.title')), form);
}
