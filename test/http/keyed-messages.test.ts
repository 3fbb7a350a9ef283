import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { createErrorHandler, messageCatalogue, catalogueKeys } from '../../server/http/errors.js';
import { createLogger } from '../../server/log.js';

const ROOT = join(import.meta.dirname, '..', '..', 'server');

/**
 * Folders whose texts are not the platform's person-facing messages: the engine and its REST API speak
 * Camunda's language (their own helper keys them), the mock portal plays an outside system.
 */
const NOT_OURS = ['engine', 'engine-rest', 'mock-portal'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return dir === ROOT && NOT_OURS.includes(e.name) ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const VIETNAMESE = /[À-ỹđĐ]/;
const LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;

/** "tiếng Việt / English" (or the other way round) inside one string literal: one half Vietnamese, the next with English words only. */
function bilingualPair(literal: string): boolean {
  const parts = literal.split(' / ');
  const english = (p: string) => /[A-Za-z]{2}/.test(p) && !VIETNAMESE.test(p);
  return parts.some((p, i) => i > 0 && ((VIETNAMESE.test(parts[i - 1]!) && english(p)) || (english(parts[i - 1]!) && VIETNAMESE.test(p))));
}

/** Every line outside comments and OpenAPI summaries holding such a pair, as `file:line: text`. */
function pairsIn(file: string): string[] {
  const out: string[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
    let code = line.replace(/summary: (['`])(?:(?!\1).)*\1/g, '');
    // Template expressions, innermost first, so a literal nested in one does not end the outer literal.
    for (let before = ''; before !== code;) { before = code; code = code.replace(/\$\{[^{}]*\}/g, 'x'); }
    if ((code.match(LITERAL) ?? []).some(bilingualPair)) out.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim().slice(0, 160)}`);
  });
  return out;
}

describe('person-facing server messages are keyed, never "tiếng Việt / English" pairs (issue #16)', () => {
  it('recognises a pair and leaves Vietnamese-only alternatives alone', () => {
    expect(bilingualPair("'Không có hồ sơ ${id} / no dossier ${id}'")).toBe(true);
    expect(bilingualPair("'Bản chính / bản sao'")).toBe(false);
    expect(bilingualPair("'đồng ý / đồng ý có điều kiện / không đồng ý'")).toBe(false);
    expect(bilingualPair("'give exactly one / chỉ một'")).toBe(true);
    expect(bilingualPair("'PDF / JPEG'")).toBe(false);
  });

  it('no server file outside the engine sends one', () => {
    const found = sources(ROOT).flatMap(pairsIn);
    expect(found).toEqual([]);
  });

  it('a zod schema naming a catalogue key answers in the requested language, details included', async () => {
    const table = { 'test.tooShort': { vi: 'quá ngắn', en: 'too short' } } as const;
    messageCatalogue(table);
    const key = catalogueKeys(table);
    const app = express();
    app.use(express.json());
    app.post('/', (req, _res, next) => { try { z.object({ name: z.string().min(3, key('test.tooShort')) }).parse(req.body); } catch (e) { next(e); } });
    app.use(createErrorHandler(createLogger('silent')));
    const vi = await request(app).post('/').send({ name: 'a' }).expect(400);
    expect(vi.body).toMatchObject({ type: 'ValidationError', key: 'test.tooShort', message: 'Trường “name”: quá ngắn', details: [{ field: 'body.name', message: 'Trường “name”: quá ngắn' }] });
    const en = await request(app).post('/').set('Accept-Language', 'en-GB,en;q=0.9').send({ name: 'a' }).expect(400);
    expect(en.body).toMatchObject({ key: 'test.tooShort', message: 'Field “name”: too short', details: [{ field: 'body.name', message: 'Field “name”: too short' }] });
  });
});
