import type { z } from 'zod';
import { httpText, type HttpKey } from './messages.js';
import { knownText, textIn, type Lang, type LocalizedText } from './texts.js';

type Issue = z.ZodError['issues'][number];
type Words = Record<Lang, string>;
const both = (f: (lang: Lang) => string): Words => ({ vi: f('vi'), en: f('en') });

/** `items.0.name` as a reader writes it: `items[0].name`. */
const pathText = (path: readonly PropertyKey[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');

/** The field in words, as the subject of a sentence: "Trường “hoTen”", "Tham số truy vấn “page”", "Nội dung yêu cầu". */
export function fieldWords(where: string, path: readonly PropertyKey[], plain = false): Words {
  const p = pathText(path);
  const kind = !plain && (where === 'body' || where === 'query' || where === 'params' || where === 'form') ? where : 'other';
  if (!p && (kind === 'body' || kind === 'query')) return pick(httpText(`input.field.${kind}Root`));
  return pick(httpText(`input.field.${kind}`, { path: kind === 'other' ? [where, p].filter(Boolean).join('.') : p }));
}

const pick = (t: LocalizedText): Words => ({ vi: t.vi, en: t.en });

const TYPES: Record<string, HttpKey> = {
  string: 'input.type.string', number: 'input.type.number', int: 'input.type.int', bigint: 'input.type.int', boolean: 'input.type.boolean',
  array: 'input.type.array', tuple: 'input.type.array', set: 'input.type.array', object: 'input.type.object', record: 'input.type.object',
  map: 'input.type.object', date: 'input.type.date', null: 'input.type.null', file: 'input.type.file',
};

/** "a text or a number": what a type (or the types of a union's branches) means to a reader; undefined for one without words. */
function typeWords(expected: readonly string[]): Words | undefined {
  const keys = expected.map((e) => TYPES[e]);
  if (!keys.length || keys.some((k) => !k)) return undefined;
  const texts = [...new Set(keys)].map((k) => httpText(k!));
  return both((lang) => texts.map((t) => t[lang]).join(lang === 'vi' ? ' hoặc ' : ' or '));
}

const valueText = (v: unknown) => (typeof v === 'string' ? `“${v}”` : String(v));
const FORMATS: Record<string, HttpKey> = {
  email: 'input.email', uuid: 'input.uuid', guid: 'input.uuid', url: 'input.url', datetime: 'input.datetime', date: 'input.date', time: 'input.time',
};

type Sentence = { key: HttpKey; params?: Record<string, string | number>; words?: (lang: Lang) => Record<string, string> };

const bound = (b: number | bigint, origin: string) => (origin === 'date' ? new Date(Number(b)).toISOString() : String(b));

/** Which sentence says what a zod issue (with zod's own message) refuses. */
function sentence(issue: Issue): Sentence {
  switch (issue.code) {
    case 'invalid_type': {
      if (/received undefined$/.test(issue.message)) return { key: 'input.required' };
      const t = typeWords([issue.expected]);
      return t ? { key: 'input.wrongType', words: (lang) => ({ expected: t[lang] }) } : { key: 'input.wrongTypeAny' };
    }
    case 'too_small': {
      const n = bound(issue.minimum, issue.origin);
      if ((issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set') && Number(issue.minimum) === 1 && !issue.exact) return { key: 'input.empty' };
      const by: Record<string, HttpKey> = {
        string: issue.exact ? 'input.textExact' : 'input.textMin', array: issue.exact ? 'input.itemsExact' : 'input.itemsMin', set: 'input.itemsMin',
        number: issue.inclusive === false ? 'input.numberAbove' : 'input.numberMin', int: issue.inclusive === false ? 'input.numberAbove' : 'input.numberMin',
        bigint: issue.inclusive === false ? 'input.numberAbove' : 'input.numberMin', date: 'input.dateMin', file: 'input.fileMin',
      };
      return { key: by[issue.origin] ?? 'input.tooSmall', params: { n } };
    }
    case 'too_big': {
      const n = bound(issue.maximum, issue.origin);
      const by: Record<string, HttpKey> = {
        string: issue.exact ? 'input.textExact' : 'input.textMax', array: issue.exact ? 'input.itemsExact' : 'input.itemsMax', set: 'input.itemsMax',
        number: issue.inclusive === false ? 'input.numberBelow' : 'input.numberMax', int: issue.inclusive === false ? 'input.numberBelow' : 'input.numberMax',
        bigint: issue.inclusive === false ? 'input.numberBelow' : 'input.numberMax', date: 'input.dateMax', file: 'input.fileMax',
      };
      return { key: by[issue.origin] ?? 'input.tooBig', params: { n } };
    }
    case 'invalid_format':
      return { key: FORMATS[issue.format] ?? 'input.format' };
    case 'not_multiple_of':
      return { key: 'input.multipleOf', params: { n: issue.divisor } };
    case 'unrecognized_keys':
      return { key: 'input.unknownFields', params: { keys: issue.keys.map(valueText).join(', ') } };
    case 'invalid_value':
      return { key: issue.values.length === 1 ? 'input.oneValue' : 'input.oneOf', params: { values: issue.values.map(valueText).join(', ') } };
    case 'invalid_union': {
      const options = 'options' in issue ? issue.options : undefined;
      if (options?.length) return { key: options.length === 1 ? 'input.oneValue' : 'input.oneOf', params: { values: options.map(valueText).join(', ') } };
      // "a text or a number" when every branch refused only the value's type.
      const types = issue.errors.map((branch) => (branch.length === 1 && branch[0]!.code === 'invalid_type' && !branch[0].path.length ? branch[0].expected : undefined));
      const t = types.length && types.every(Boolean) ? typeWords(types as string[]) : undefined;
      return t ? { key: 'input.wrongType', words: (lang) => ({ expected: t[lang] }) } : { key: 'input.noForm' };
    }
    case 'invalid_key':
      return { key: 'input.badKey' };
    case 'invalid_element':
      return { key: 'input.badElement' };
    default:
      return { key: 'input.invalid' };
  }
}

/**
 * One zod issue as a keyed sentence in both languages naming the field in words. A schema that
 * named a catalogue key as its message keeps that key and text ("Trường “x”: <text>"); zod's own
 * English messages never reach a reader. `plain` names the field "Giá trị “where.path”" (a value that
 * is no request part, e.g. a notification template's params).
 */
export function issueText(issue: Issue, where: string, plain = false): LocalizedText {
  const field = fieldWords(where, issue.path, plain);
  if (issue.message.startsWith('input.') && knownText(issue.message)) return textIn(issue.message, { field: field.vi }, { field: field.en });
  const own = knownText(issue.message);
  if (own) return { key: issue.message, vi: `${field.vi}: ${own.vi}`, en: `${field.en}: ${own.en}` };
  const s = sentence(issue);
  const params = s.params ?? {};
  return textIn(s.key, { ...params, ...s.words?.('vi'), field: field.vi }, { ...params, ...s.words?.('en'), field: field.en });
}

/** "<first> (and 2 more)": the message of a refusal naming several fields (each stays in the details). */
export function withMore(first: LocalizedText, more: number): LocalizedText {
  if (!more) return first;
  return { ...first, ...textIn('input.andMore', { text: first.vi, n: more }, { text: first.en, n: more }), key: first.key };
}
