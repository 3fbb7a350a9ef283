import { api, get } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n/index.js';
import { errorBox } from './layout.js';

interface DecisionFile { id: string; fileName: string; size: number; sha256: string }

/** server/files FILE_LIMITS.maxFileBytes. */
const MAX_BYTES = 10 * 1024 * 1024;
const sizeText = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/**
 * The signed decision on the version page: a download link for whoever reads the version, and for
 * the approver who may (`may.attachDecision`) the upload of the PDF. Stored by the server with its
 * sha256 (shown, so a printed copy can be matched to the file) and recorded in the history.
 */
export function decisionFilesSection(versionId: string, mayAttach: boolean): HTMLElement {
  const base = `/api/process-versions/${encodeURIComponent(versionId)}/decision-files`;
  const list = h('div', { 'data-testid': 'decision-files' });
  const msg = h('div', { role: 'status' });
  const section = h('section', { class: 'card decision-files', 'aria-labelledby': 'decision-files-title' },
    h('h2', { id: 'decision-files-title' }, t('version.signedDecision')), list, msg);

  async function load(): Promise<void> {
    try {
      const { items } = await get<{ items: DecisionFile[] }>(base);
      clear(list, items.length
        ? h('ul', { class: 'plain' }, items.map((f, i) => h('li', { class: i ? 'muted' : '' },
          h('a', { href: `${base}/${f.id}`, download: f.fileName, 'data-testid': i ? undefined : 'decision-file-link' }, f.fileName),
          ' ', h('small', { class: 'muted' }, t('version.fileMeta', { size: sizeText(f.size), sha: f.sha256.slice(0, 16) + '…' })))))
        : h('p', { class: 'muted', 'data-testid': 'no-decision-file' }, t('version.signedDecisionNone')));
    } catch (err) {
      clear(list, errorBox(err));
    }
  }

  if (mayAttach) {
    const file = h('input', { type: 'file', name: 'file', accept: 'application/pdf,.pdf', 'data-testid': 'decision-file-input' });
    section.append(h('form', {
      class: 'inline-form', 'data-testid': 'decision-file-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const chosen = file.files?.[0];
        if (!chosen) { clear(msg, h('div', { class: 'error', role: 'alert' }, t('version.noFileChosen'))); return; }
        // Said here in the reader's language (the upload limit's own answer is bilingual).
        if (chosen.size > MAX_BYTES) { clear(msg, h('div', { class: 'error', role: 'alert' }, t('version.fileTooLarge', { name: chosen.name }))); return; }
        const body = new FormData();
        body.append('file', chosen, chosen.name);
        try {
          const saved = await api<DecisionFile>('POST', base, body);
          clear(msg, h('p', { class: 'ok' }, t('version.attachedOk', { name: saved.fileName })));
          file.value = '';
          await load();
        } catch (err) {
          clear(msg, errorBox(err));
        }
      },
    }, h('label', null, t('version.attachDecision'), file, h('small', { class: 'muted' }, t('version.attachDecisionHint'))),
    h('button', { type: 'submit', 'data-testid': 'decision-file-upload' }, t('version.attach'))));
  }
  void load();
  return section;
}
