/**
 * Text that may reach the database: PostgreSQL refuses a NUL character in text (22021) and
 * cannot store a lone UTF-16 surrogate. One place decides what is refused (input, 400) and how
 * a value that must be stored anyway is made storable (the audit trail, which records hostile
 * requests too).
 */

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What is wrong with a text for storage, or null when it is fine. */
export function textProblem(s: string): string | null {
  if (NUL.test(s)) return 'contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'is not valid Unicode (lone surrogate)';
  return null;
}

const TRUNCATION_MARKER = '…[truncated]';

/**
 * A storable version of any text: NUL becomes the visible "\0", lone surrogates U+FFFD, and a
 * value longer than `max` characters is cut with a marker that says so.
 */
export function storableText(s: string, max: number): string {
  let out = s;
  if (NUL.test(out)) out = out.replace(/\u0000/g, '\\0');
  if (LONE_SURROGATE.test(out)) out = out.replace(LONE_SURROGATES, '\uFFFD');
  if (out.length > max) {
    let cut = Math.max(0, max - TRUNCATION_MARKER.length);
    // Never split a surrogate pair.
    if (cut > 0 && /[\uD800-\uDBFF]/.test(out[cut - 1]!)) cut--;
    out = out.slice(0, cut) + TRUNCATION_MARKER;
  }
  return out;
}

/** Which refusal a problem is (server/http/messages.ts), with the depth limit for `input.tooDeep`. */
export type TextIssueKey = 'input.hasNul' | 'input.loneSurrogate' | 'input.tooDeep' | 'input.tooManyElements' | 'input.badFieldName';
export interface TextIssue { path: string; problem: string; key: TextIssueKey; depth?: number }

/** The key of a `textProblem` answer. */
export const textProblemKey = (problem: string): TextIssueKey => (problem.includes('NUL') ? 'input.hasNul' : 'input.loneSurrogate');

/**
 * Walks a parsed JSON value (body, query) and reports the first string — key or value — that
 * cannot be stored, and whether nesting goes deeper than `maxDepth`. Iterative, so a hostile
 * 100,000-deep document cannot overflow the stack here.
 */
export function findTextIssue(value: unknown, root: string, maxDepth: number): TextIssue | null {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: root, depth: 0 }];
  let seen = 0;
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (++seen > 1_000_000) return { path: root, problem: 'has too many elements', key: 'input.tooManyElements' };
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) return { path, problem: p, key: textProblemKey(p) };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return { path, problem: `is nested deeper than ${maxDepth} levels`, key: 'input.tooDeep', depth: maxDepth };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const kp = textProblem(k);
      const childPath = `${path}.${kp ? JSON.stringify(k).slice(0, 40) : k.slice(0, 80)}`;
      if (kp) return { path: childPath, problem: `has a field name that ${kp}`, key: 'input.badFieldName' };
      stack.push({ v: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}
