import { h } from '../dom.js';

/** dd/mm/yyyy → YYYY-MM-DD, or undefined when it is no calendar date. */
function parseDmy(text: string): string | undefined {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text);
  if (!m) return undefined;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return undefined;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A date typed as dd/mm/yyyy (the Vietnamese format), whatever format the browser's own date
 * picker would use (Chromium shows mm/dd/yyyy on an English system). `iso()` reads it back.
 */
export function dmyInput(name: string, isoValue?: string): { input: HTMLInputElement; iso(): string | undefined } {
  const initial = isoValue && /^\d{4}-\d{2}-\d{2}$/.test(isoValue) ? isoValue.split('-').reverse().join('/') : '';
  const input = h('input', {
    name, required: true, value: initial, inputmode: 'numeric', autocomplete: 'off', placeholder: 'dd/mm/yyyy',
    pattern: '\\s*\\d{1,2}[/.\\-]\\d{1,2}[/.\\-]\\d{4}\\s*', 'data-format': 'dd/mm/yyyy',
  });
  return { input, iso: () => parseDmy(input.value) };
}
