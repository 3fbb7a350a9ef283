import type { ErrorRequestHandler, Request } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../log.js';
import { sendJson } from './json.js';
import { httpText, type HttpKey } from './messages.js';
import { requestLang, textCatalogue, textIn, type LocalizedText, type MessageTable } from './texts.js';
import { fieldWords, issueText, withMore } from './zod-texts.js';

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

export type { LocalizedText, MessageTable } from './texts.js';
export { textCatalogue } from './texts.js';

/** A keyed refusal of the HTTP layer itself (server/http/messages.ts). */
export function httpError(status: number, type: string, key: HttpKey, params: Record<string, string | number> = {}, details?: unknown): ApiError {
  const text = httpText(key, params);
  return new ApiError(status, type, text.vi, details, text);
}

export const unauthorized = () => httpError(401, 'Unauthorized', 'http.loginRequired');
export const forbidden = () => httpError(403, 'Forbidden', 'http.forbidden');
/** 404 for a path no route serves, in the API's error shape. */
export const noSuchEndpoint = (method: string, url: string) => httpError(404, 'NotFound', 'http.noSuchEndpoint', { method, path: url.split('?')[0]! });

/** The same keyed refusal naming one field: its details carry the message in each language. */
export function onField(e: ApiError, field: string): ApiError {
  if (!e.text) return new ApiError(e.status, e.type, e.message, [{ field, message: e.message }]);
  return new ApiError(e.status, e.type, e.message, [{ field, message: e.text.vi }], { ...e.text, enDetails: [{ field, message: e.text.en }] });
}

/** An unkeyed English 400: only for /engine-rest, which answers in Camunda's English (every /api refusal is keyed). */
export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'InvalidRequestException', message, details);

/** Turns a zod failure into a 400 naming each offending field in words, in the reader's language. */
export function fromZodError(err: ZodError, where = 'body'): ApiError {
  const texts = err.issues.map((i) => issueText(i, where));
  const fields = err.issues.map((i) => [where, ...i.path].join('.'));
  const first = texts[0];
  if (!first) {
    const f = fieldWords(where, []);
    const t = textIn('input.invalid', { field: f.vi }, { field: f.en });
    return new ApiError(400, 'ValidationError', t.vi, undefined, t);
  }
  const text = withMore(first, texts.length - 1);
  const enDetails = texts.map((t, i) => ({ field: fields[i], message: t.en }));
  return new ApiError(400, 'ValidationError', text.vi, texts.map((t, i) => ({ field: fields[i], message: t.vi })), { ...text, enDetails });
}

interface BodyParserError extends Error { type?: string; status?: number; limit?: number; encoding?: string; charset?: string }

/** Turns a capability's own (domain) error into an ApiError, or returns it unchanged; the composition root supplies it. */
export type ErrorMapper = (err: unknown, req: Request) => unknown;

/**
 * Answers every error as `{type, message, key, details}` in the reader's language (Accept-Language).
 * `camunda` marks requests of an API that keeps Camunda's shape: its English text, no key.
 */
export function createErrorHandler(log: Logger, mapError?: ErrorMapper, camunda?: (req: Request) => boolean): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = toApiError((mapError ? mapError(err, req) : err) as Error, req);
    if (e.status >= 500) log.error({ err, requestId: req.requestId, path: req.path }, 'request failed');
    if (res.headersSent) return;
    const body: Record<string, unknown> = { type: e.type, message: e.message };
    const plain = camunda?.(req) ?? false;
    const lang = plain ? 'en' : requestLang(req.headers['accept-language']);
    if (e.text) Object.assign(body, plain ? { message: e.text.en } : { key: e.text.key, message: e.text[lang] });
    if (e.details !== undefined) body.details = lang === 'en' && e.text?.enDetails !== undefined ? e.text.enDetails : e.details;
    sendJson(res, e.status, body);
  };
}

function toApiError(err: Error, req: Request): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  const bp = err as BodyParserError;
  switch (bp.type) {
    case 'entity.parse.failed':
      return httpError(400, 'InvalidRequestException', 'http.badJson');
    case 'entity.too.large':
      return httpError(413, 'PayloadTooLarge', 'http.bodyTooLarge', { limit: bp.limit ?? '?' });
    case 'encoding.unsupported':
      return httpError(415, 'UnsupportedMediaType', 'http.unsupportedEncoding', { encoding: bp.encoding ?? '?' });
    case 'charset.unsupported':
      return httpError(415, 'UnsupportedMediaType', 'http.unsupportedCharset', { charset: bp.charset ?? '?' });
    default:
      break;
  }
  if (bp.status && bp.status >= 400 && bp.status < 500) return httpError(bp.status, 'BadRequest', 'http.badRequest', { detail: err.message });
  // The database refusing a value (out of range, malformed date, oversized index entry) is a
  // bad input that got past validation: a 400, never a 500 (server/http/input.ts stops most earlier).
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code)) {
    return httpError(400, 'InvalidRequestException', 'http.unstorableValue');
  }
  return httpError(500, 'InternalError', 'http.internal', { requestId: req.requestId ?? '-' });
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
