/** A message a person reads, by key, in Vietnamese and English (placeholders already filled); `enDetails` replaces the details for English. */
export interface LocalizedText { key: string; vi: string; en: string; enDetails?: unknown }

/** A capability's table of person-facing messages, by key; `{name}` placeholders are filled from params. */
export type MessageTable = Record<string, { vi: string; en: string }>;

export type Lang = 'vi' | 'en';

/** Every catalogue's texts by key: a zod schema may name a key as its message (see `fromZodError`). */
const KNOWN_TEXTS = new Map<string, { vi: string; en: string }>();

export const knownText = (key: string) => KNOWN_TEXTS.get(key);

/** Every key any catalogue registered, with its texts (the guard test checks both languages of each). */
export const allKnownTexts = (): ReadonlyMap<string, { vi: string; en: string }> => KNOWN_TEXTS;

type Params = Record<string, string | number>;
const fill = (s: string, params: Params) => s.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));

/**
 * One key's texts with each language's own placeholder values (a field named in words, a type's
 * name): `vi` fills the Vietnamese text, `en` the English one.
 */
export function textIn(key: string, vi: Params, en: Params = vi): LocalizedText {
  const t = KNOWN_TEXTS.get(key);
  if (!t) throw new Error(`no text registered for ${key}`);
  return { key, vi: fill(t.vi, vi), en: fill(t.en, en) };
}

/** The texts of one table, placeholders filled: `text('lifecycle.supersededBy', {n})` (for notes a platform records). */
export function textCatalogue<T extends MessageTable>(table: T) {
  for (const [key, text] of Object.entries(table)) KNOWN_TEXTS.set(key, text);
  return (key: keyof T & string, params: Params = {}): LocalizedText => {
    const t = table[key]!;
    return { key, vi: fill(t.vi, params), en: fill(t.en, params) };
  };
}

/**
 * The reader's language from Accept-Language: English when the client ranks it above Vietnamese
 * (q-values honoured, `*` ignored), Vietnamese otherwise. The designer sends its UI language.
 */
export function requestLang(header: string | undefined): Lang {
  if (!header) return 'vi';
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(',')) {
    const [tag = '', ...opts] = part.trim().toLowerCase().split(';');
    const lang = /^en\b/.test(tag) ? 'en' : /^vi\b/.test(tag) ? 'vi' : undefined;
    if (!lang) continue;
    const qOpt = opts.map((o) => o.trim()).find((o) => o.startsWith('q='));
    const q = qOpt ? Number(qOpt.slice(2)) : 1;
    if (!(q > 0)) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'vi';
}
