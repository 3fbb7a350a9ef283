import { get } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import type { Version } from '../types.js';
import { errorBox } from './layout.js';
import { dateTimeVi, levelName } from './names.js';

export async function inboxPage(root: HTMLElement): Promise<void> {
  root.append(h('h1', { tabindex: '-1' }, t('inbox.title')));
  try {
    const r = await get<Version[] | { items: Version[] }>('/api/review-inbox');
    const items = Array.isArray(r) ? r : r.items;
    if (!items.length) {
      root.append(h('p', { class: 'muted' }, t('inbox.empty')));
      return;
    }
    root.append(h('table', { class: 'grid', 'data-testid': 'inbox' },
      h('thead', null, h('tr', null, h('th', null, t('inbox.procedure')), h('th', null, '#'), h('th', null, t('process.author')), h('th', null, t('process.updated')))),
      h('tbody', null, await Promise.all(items.map(async (v) => h('tr', null,
        h('td', null, h('a', { href: `#/versions/${v.id}`, 'data-testid': 'review-link' }, v.procedureName ?? v.procedureCode ?? v.procedureId)),
        h('td', null, `v${v.number} (${await levelName(v.level)})`), h('td', null, v.authorName ?? ''), h('td', null, dateTimeVi(v.submittedAt ?? v.updatedAt))))))));
  } catch (err) {
    root.append(errorBox(err));
  }
}
