import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';
import { findTextIssue, storableText, textProblem } from './input-text.js';

/** Nesting allowed in a JSON body or query: far above any real form or variable, far below a stack overflow. */
const MAX_JSON_DEPTH = 64;

const invalidInput = (field: string, problem: string) =>
  new ApiError(400, 'InvalidInput', `${field} ${problem}`, [{ field, message: problem }]);

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
        return next(invalidInput(`path segment ${i}`, 'is not valid percent-encoded UTF-8'));
      }
      const p = textProblem(decoded);
      if (p) return next(invalidInput(`path segment ${i}`, p));
    }
    const inQuery = findTextIssue(req.query, 'query', 8);
    if (inQuery) return next(invalidInput(inQuery.path, inQuery.problem));
    if (req.body !== undefined && req.body !== null && typeof req.body === 'object') {
      const inBody = findTextIssue(req.body, 'body', maxDepth);
      if (inBody) return next(invalidInput(inBody.path, inBody.problem));
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
    if (inFields) return next(invalidInput(inFields.path, inFields.problem));
    const files = (Array.isArray(req.files) ? req.files : Object.values(req.files ?? {}).flat()) as Array<{ fieldname: string; originalname?: string; buffer?: Buffer; mimetype?: string }>;
    for (const f of files) {
      for (const [what, v] of [['field name', f.fieldname], ['file name', f.originalname ?? '']] as const) {
        const p = textProblem(v);
        if (p) return next(invalidInput(`form file ${what}`, p));
      }
      if (f.buffer && /xml|text|bpmn/i.test(`${f.mimetype ?? ''} ${f.originalname ?? ''}`) && f.buffer.includes(0)) {
        return next(invalidInput(`form file ${JSON.stringify(storableText(f.originalname ?? f.fieldname, 80))}`, 'contains a NUL character (\\u0000)'));
      }
    }
    next();
  };
}
