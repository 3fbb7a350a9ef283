import { h } from '../../dom.js';
import { t } from '../../i18n/index.js';

/**
 * A modal question with a labelled text area, in place of `window.prompt` (which cannot be styled,
 * translated, made multi-line or reached by screen readers reliably). Resolves to the trimmed answer,
 * or null when cancelled; an empty answer is refused in the dialog itself.
 */
export function ask(opts: { title: string; label: string; hint?: string; multiline?: boolean }): Promise<string | null> {
  return new Promise((resolve) => {
    const field = opts.multiline
      ? h('textarea', { id: 'ask-answer', rows: 4, required: true, 'data-testid': 'ask-answer' })
      : h('input', { id: 'ask-answer', required: true, 'data-testid': 'ask-answer' });
    const dialog = h('dialog', { class: 'card', 'aria-labelledby': 'ask-title', 'data-testid': 'ask-dialog' });
    const finish = (value: string | null) => { dialog.close(); dialog.remove(); resolve(value); };
    dialog.append(h('form', { method: 'dialog', onsubmit: (e: SubmitEvent) => {
      e.preventDefault();
      const v = field.value.trim();
      if (v) finish(v);
    } },
    h('h2', { id: 'ask-title' }, opts.title),
    h('label', { for: 'ask-answer' }, opts.label), opts.hint ? h('p', { class: 'muted' }, opts.hint) : null, field,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'ask-ok' }, t('dossier.ok')), ' ',
      h('button', { type: 'button', 'data-testid': 'ask-cancel', onclick: () => finish(null) }, t('dossier.cancel')))));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(null); });
    document.body.append(dialog);
    dialog.showModal();
    field.focus();
  });
}
