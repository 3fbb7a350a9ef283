import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';
import { findTextIssue, storableText, textProblem, textProblemKey, type TextIssueKey } from './input-text.js';
import { httpText, type HttpKey } from './messages.js';
import { textIn, type Lang } from './texts.js';

/** Nesting allowed in a JSON body or query: far above any real form or variable, far below a stack overflow. */
const MAX_JSON_DEPTH = 64;

type Where = { key: HttpKey; path?: string; n?: number; name?: string };

/** `body.a[0]`, `query.q`, `form.x` (as findTextIssue writes them), or a named part, in words. */
function whereOf(field: string): Where {
  const m = /^(body|query|form)(?:\.(.*))?$/s.exec(field);
  if (m) return m[2] ? { key: `input.field.${m[1] as 'body' | 'query' | 'form'}`, path: m[2] } : { key: m[1] === 'query' ? 'input.field.queryRoot' : 'input.field.bodyRoot' };
  return { key: 'input.field.other', path: field };
}

/** 400 naming the field in words, keyed, with the problem in the reader's language. */
function invalidInput(field: string, where: Where, key: TextIssueKey | 'input.badPercentEncoding', depth?: number): ApiError {
  const words = (lang: Lang) => httpText(where.key, { path: where.path ?? '', n: where.n ?? '', name: where.name ?? '' })[lang];
  const text = textIn(key, { field: words('vi'), depth: depth ?? '' }, { field: words('en'), depth: depth ?? '' });
  return new ApiError(400, 'InvalidInput', text.vi, [{ field, message: text.vi }], { ...text, enDetails: [{ field, message: text.en }] });
}
const issueAt = (field: string, key: TextIssueKey, depth?: number) => invalidInput(field, whereOf(field), key, depth);

/**
 * The one input-normalisation gate every request passes before any router: every text of the
 * path, the query and a JSON body (values and field names) must be storable — no NUL, no lone
 * surrogate — and no JSON may nest deeper than MAX_JSON_DEPTH. It answers 400 naming the field,
 * so nothing downstream (zod schemas, services, the database) ever sees such a value.
 * Multipart forms are parsed by their routes; they check their text fields with `safeText`.
 */
export function createInputGuard(opts: { maxDepth?: number } = {}): RequestHandler {
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  return (req, _res, next) => {
    const segments = req.path.split('/');
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      if (!seg.includes('%')) continue;
      let decoded: string;
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        return next(invalidInput(`path segment ${i}`, { key: 'input.field.pathSegment', n: i }, 'input.badPercentEncoding'));
      }
      const p = textProblem(decoded);
      if (p) return next(invalidInput(`path segment ${i}`, { key: 'input.field.pathSegment', n: i }, textProblemKey(p)));
    }
    const inQuery = findTextIssue(req.query, 'query', 8);
    if (inQuery) return next(issueAt(inQuery.path, inQuery.key, inQuery.depth));
    if (req.body !== undefined && req.body !== null && typeof req.body === 'object') {
      const inBody = findTextIssue(req.body, 'body', maxDepth);
      if (inBody) return next(issueAt(inBody.path, inBody.key, inBody.depth));
    }
    next();
  };
}

/**
 * The same gate for a multipart form, placed right after its parser (multer): text fields,
 * file names, and the content of text files (XML models) must be storable.
 */
export function multipartTextGuard(): RequestHandler {
  return (req, _res, next) => {
    const inFields = findTextIssue(req.body, 'form', 4);
    if (inFields) return next(issueAt(inFields.path, inFields.key, inFields.depth));
    const files = (Array.isArray(req.files) ? req.files : Object.values(req.files ?? {}).flat()) as Array<{ fieldname: string; originalname?: string; buffer?: Buffer; mimetype?: string }>;
    for (const f of files) {
      for (const [what, v, key] of [['field name', f.fieldname, 'input.field.fileField'], ['file name', f.originalname ?? '', 'input.field.fileName']] as const) {
        const p = textProblem(v);
        if (p) return next(invalidInput(`form file ${what}`, { key }, textProblemKey(p)));
      }
      if (f.buffer && /xml|text|bpmn/i.test(`${f.mimetype ?? ''} ${f.originalname ?? ''}`) && f.buffer.includes(0)) {
        const name = JSON.stringify(storableText(f.originalname ?? f.fieldname, 80));
        return next(invalidInput(`form file ${name}`, { key: 'input.field.fileContent', name }, 'input.hasNul'));
      }
    }
    next();
  };
}
