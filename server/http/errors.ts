import type { ErrorRequestHandler, Request } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../log.js';
import { sendJson } from './json.js';

/**
 * The one error shape every client sees: `{type, message}` (plus `details` naming fields).
 * Services throw these; routers never build error bodies by hand.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details?: unknown,
    /** A keyed message: `message` is its Vietnamese text; a client asking for English gets `en`. */
    readonly text?: LocalizedText,
  ) {
    super(message);
  }
}

/** A message a person reads, by key, in Vietnamese and English (placeholders already filled); `enDetails` replaces the details for English. */
export interface LocalizedText { key: string; vi: string; en: string; enDetails?: unknown }

/** Every catalogue's texts by key: a zod schema may name a key as its message (see `fromZodError`). */
const KNOWN_TEXTS = new Map<string, { vi: string; en: string }>();

/** The client's language: English when its Accept-Language prefers it, Vietnamese otherwise. */
function requestLang(header: string | undefined): 'vi' | 'en' {
  return /^\s*en\b/i.test(header ?? '') ? 'en' : 'vi';
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'InvalidRequestException', message, details);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const unauthorized = (message = 'Login required') => new ApiError(401, 'Unauthorized', message);
export const forbidden = (message = 'You do not have permission for this action') =>
  new ApiError(403, 'Forbidden', message);

/** Turns a zod failure into a 400 naming each offending field. */
export function fromZodError(err: ZodError, where = 'body'): ApiError {
  const details = err.issues.map((i) => ({ field: [where, ...i.path].join('.'), message: i.message }));
  const first = details[0];
  const known = details.map((d) => KNOWN_TEXTS.get(d.message));
  if (first && known[0]) {
    // A schema naming a catalogue key: the message and each field's text in the reader's language.
    const viDetails = details.map((d, i) => ({ ...d, message: known[i]?.vi ?? d.message }));
    const enDetails = details.map((d, i) => ({ ...d, message: known[i]?.en ?? d.message }));
    const text: LocalizedText = { key: first.message, vi: `${first.field}: ${known[0].vi}`, en: `${first.field}: ${known[0].en}`, enDetails };
    return new ApiError(400, 'ValidationError', text.vi, viDetails, text);
  }
  return new ApiError(400, 'ValidationError', first ? `${first.field}: ${first.message}` : 'Invalid input', details);
}

interface BodyParserError extends Error { type?: string; status?: number; limit?: number }

/** Turns a capability's own (domain) error into an ApiError, or returns it unchanged; the composition root supplies it. */
export type ErrorMapper = (err: unknown, req: Request) => unknown;

export function createErrorHandler(log: Logger, mapError?: ErrorMapper): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = toApiError((mapError ? mapError(err, req) : err) as Error);
    if (e.status >= 500) log.error({ err, requestId: req.requestId, path: req.path }, 'request failed');
    if (res.headersSent) return;
    const body: Record<string, unknown> = { type: e.type, message: e.message };
    const lang = requestLang(req.headers['accept-language']);
    if (e.text) Object.assign(body, { key: e.text.key, message: e.text[lang] });
    if (e.details !== undefined) body.details = lang === 'en' && e.text?.enDetails !== undefined ? e.text.enDetails : e.details;
    sendJson(res, e.status, body);
  };
}

function toApiError(err: Error): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  const bp = err as BodyParserError;
  switch (bp.type) {
    case 'entity.parse.failed':
      return badRequest('Request body is not valid JSON');
    case 'entity.too.large':
      return new ApiError(413, 'PayloadTooLarge', `Request body exceeds the limit of ${bp.limit} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'UnsupportedMediaType', err.message);
    default:
      break;
  }
  if (bp.status && bp.status >= 400 && bp.status < 500) return new ApiError(bp.status, 'BadRequest', err.message);
  // The database refusing a value (out of range, malformed date, oversized index entry) is a
  // bad input that got past validation: a 400, never a 500 (server/http/input.ts stops most earlier).
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code)) {
    return badRequest('A value in the request cannot be stored (out of range, malformed or too large)');
  }
  return new ApiError(500, 'InternalError', 'Internal server error');
}

/** A capability's table of person-facing messages, by key; `{name}` placeholders are filled from params. */
export type MessageTable = Record<string, { vi: string; en: string }>;

/** The texts of one table, placeholders filled: `text('lifecycle.supersededBy', {n})` (for notes a platform records). */
export function textCatalogue<T extends MessageTable>(table: T) {
  for (const [key, text] of Object.entries(table)) KNOWN_TEXTS.set(key, text);
  return (key: keyof T & string, params: Record<string, string | number> = {}): LocalizedText => {
    const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
    return { key, vi: fill(table[key]!.vi), en: fill(table[key]!.en) };
  };
}

/** Makes the keyed errors of one table: `err(403, 'Forbidden', 'lifecycle.mayNotDraft', {agency})`. */
export function messageCatalogue<T extends MessageTable>(table: T) {
  const texts = textCatalogue(table);
  return (status: number, type: string, key: keyof T & string, params: Record<string, string | number> = {}, details?: unknown): ApiError => {
    const text = texts(key, params);
    return new ApiError(status, type, text.vi, details, text);
  };
}

/** A catalogue's keys for zod schemas: `z.uuid(dossierKey('dossiers.notADossierId'))` reads in the reader's language. */
export const catalogueKeys = <T extends MessageTable>(_table: T) => (key: keyof T & string): string => key;
