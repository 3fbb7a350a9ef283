/**
 * The text format of a step's outcomes, `tthc:outcomes="approve:Đồng ý, trình ký; return!:Trả lại bước trước"`:
 * items separated by `;`, each `key[!][:label]`; the key (`[a-z][a-z0-9-]*`) reaches the process as
 * the variable `outcome` (gateways route on `${outcome == 'return'}`); `!` means a reason (comment)
 * is required with it. Pure (no Node, no database): the tasklist reads it on the server and the
 * designer's properties panel edits it in the browser with the same parser.
 */
export interface Outcome { key: string; label: string; reasonRequired: boolean }

const OUTCOME_KEY = /^[a-z][a-z0-9-]{0,39}$/;

/** Default labels for the common keys, when a process gives none. */
const DEFAULT_OUTCOME_LABELS: Record<string, string> = {
  approve: 'Đồng ý', return: 'Trả lại bước trước', refuse: 'Đề xuất từ chối', supplement: 'Yêu cầu bổ sung hồ sơ', accept: 'Tiếp nhận',
};

/** What is wrong with an item, for a message in the reader's language. */
export class OutcomeFormatError extends Error {
  constructor(readonly problem: 'invalid-key' | 'duplicate-key', readonly key: string) {
    super(problem === 'invalid-key' ? `Invalid outcome key '${key}'` : `Duplicate outcome key '${key}'`);
  }
}

/** Parses the attribute; throws an OutcomeFormatError on a malformed item. */
export function parseOutcomes(text: string | undefined): Outcome[] {
  if (!text?.trim()) return [];
  const out: Outcome[] = [];
  for (const raw of text.split(/[;\n]/)) {
    const item = raw.trim();
    if (!item) continue;
    const colon = item.indexOf(':');
    let key = (colon < 0 ? item : item.slice(0, colon)).trim();
    const label = colon < 0 ? '' : item.slice(colon + 1).trim();
    const reasonRequired = key.endsWith('!');
    if (reasonRequired) key = key.slice(0, -1).trim();
    if (!OUTCOME_KEY.test(key)) throw new OutcomeFormatError('invalid-key', key);
    if (out.some((o) => o.key === key)) throw new OutcomeFormatError('duplicate-key', key);
    out.push({ key, label: label || DEFAULT_OUTCOME_LABELS[key] || key, reasonRequired });
  }
  return out;
}

/** The attribute's text for a list of outcomes (labels kept; `;` inside a label would split it, so it becomes `,`). */
export function formatOutcomes(list: Outcome[]): string {
  return list.map((o) => `${o.key}${o.reasonRequired ? '!' : ''}:${o.label.replace(/[;\n]+/g, ',').trim()}`).join('; ');
}
