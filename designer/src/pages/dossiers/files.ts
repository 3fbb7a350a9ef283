import { get, upload } from '../../api.js';
import { clear, h } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { errorBox } from '../layout.js';

export interface DossierFile { id: string; fileName: string; mime: string; size: number; label: string }

const kb = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1048576).toFixed(1)} MB`);

/** The file chooser a staff member attaches documents with; `send` uploads them and answers the stored files. */
export function filePicker(dossierId: string, idSuffix: string): { field: HTMLElement; input: HTMLInputElement; send(label?: string): Promise<DossierFile[]> } {
  const input = h('input', { type: 'file', id: `files-${idSuffix}`, multiple: true, accept: 'application/pdf,image/jpeg,image/png', 'data-testid': `file-input-${idSuffix}` });
  const field = h('div', null, h('label', { for: input.id }, t('dossier.files.choose')), input);
  return {
    field, input,
    async send(label?: string) {
      if (!input.files?.length) return [];
      const form = new FormData();
      if (label) form.append('label', label);
      for (const f of Array.from(input.files)) form.append('file', f, f.name);
      return (await upload<{ items: DossierFile[] }>(`/api/dossiers/${encodeURIComponent(dossierId)}/files`, form)).items;
    },
  };
}

/** The dossier's documents with download links, and (for staff who work on it) a form to attach more. */
export async function filesCard(dossierId: string, canAttach: boolean): Promise<HTMLElement> {
  const list = h('div', { 'data-testid': 'files' });
  const msg = h('p', { role: 'status', 'aria-live': 'polite' });
  const refresh = async () => {
    const { items } = await get<{ items: DossierFile[] }>(`/api/dossiers/${encodeURIComponent(dossierId)}/files`);
    clear(list, items.length === 0 ? h('p', { class: 'muted' }, t('dossier.files.none')) : h('ul', null, ...items.map((f) => h('li', { 'data-testid': 'file' },
      h('a', { href: `/api/dossiers/${encodeURIComponent(dossierId)}/files/${f.id}`, download: f.fileName }, f.fileName),
      ` (${kb(f.size)})`, f.label ? h('span', { class: 'muted' }, ` — ${f.label}`) : null))));
  };
  await refresh().catch((err) => clear(list, errorBox(err)));
  const card = h('section', { class: 'card' }, h('h2', null, t('dossier.files')), list);
  if (canAttach) {
    const picker = filePicker(dossierId, 'dossier');
    const label = h('input', { id: 'files-label', maxlength: 200 });
    card.append(h('form', { 'data-testid': 'files-form', onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        const saved = await picker.send(label.value.trim() || undefined);
        picker.input.value = '';
        label.value = '';
        msg.textContent = t('dossier.files.uploaded', { n: saved.length });
        await refresh();
      } catch (err) { clear(msg, errorBox(err)); }
    } }, h('h3', null, t('dossier.files.add')), picker.field, h('label', { for: label.id }, t('dossier.files.label')), label,
    h('p', null, h('button', { type: 'submit', 'data-testid': 'files-upload' }, t('dossier.files.upload')))), msg);
  }
  return card;
}
