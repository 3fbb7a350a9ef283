import { messages, type Lang, type MessageKey } from './messages.js';

export type { Lang, MessageKey };
const STORAGE_KEY = 'tthc.lang';
const listeners = new Set<() => void>();

function stored(): Lang {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

let current: Lang = stored();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try { globalThis.localStorage?.setItem(STORAGE_KEY, lang); } catch { /* private mode: not persisted */ }
  for (const l of listeners) l();
}

export function onLangChange(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Looks a key up in the current language; `{name}` placeholders are filled from params. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = messages[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** A message `{vi, en}` from the server in the current language. */
export function pick(m: { vi?: string; en?: string } | string | undefined): string {
  if (!m) return '';
  if (typeof m === 'string') return m;
  return (current === 'en' ? m.en ?? m.vi : m.vi ?? m.en) ?? '';
}
