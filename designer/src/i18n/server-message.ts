import { getLang, t, type MessageKey } from './index.js';

/** What the API client knows of a refusal (ApiFailure, or anything thrown). */
interface Refusal { message?: string; status?: number; type?: string; key?: string }

/** Error types the platform answers with, said in the reader's language when the server gave no keyed text. */
const BY_TYPE: Record<string, MessageKey> = {
  ValidationError: 'error.type.invalid', InvalidRequestException: 'error.type.invalid', BadRequest: 'error.type.invalid', InvalidBpmn: 'error.type.invalidBpmn',
  Unauthorized: 'error.type.unauthorized', InvalidCredentials: 'error.type.unauthorized', Forbidden: 'error.forbidden', CsrfError: 'error.type.csrf',
  NotFound: 'error.notFound', Conflict: 'error.type.conflict', TooManyRequests: 'error.type.tooMany', LoginLocked: 'error.type.tooMany',
  PayloadTooLarge: 'error.type.tooLarge', UnsupportedMediaType: 'error.type.mediaType', NetworkError: 'error.type.network',
  InternalError: 'error.type.internal', NotImplemented: 'error.type.unavailable', EngineUnavailable: 'error.type.unavailable',
};
const BY_STATUS: Record<number, MessageKey> = {
  400: 'error.type.invalid', 401: 'error.type.unauthorized', 403: 'error.forbidden', 404: 'error.notFound', 409: 'error.type.conflict',
  413: 'error.type.tooLarge', 415: 'error.type.mediaType', 429: 'error.type.tooMany', 0: 'error.type.network',
};

/**
 * A server refusal as the user reads it, never a raw server string: a keyed message comes already in
 * the user's language (the client sends Accept-Language); an older "tiếng Việt / English" pair gives
 * the reader's half; anything else (English-only or technical text) becomes the sentence for its
 * error type or status, in the reader's language.
 */
export function serverMessage(err: unknown): string {
  const e = (err ?? {}) as Refusal;
  if (e.key && e.message) return e.message;
  const pair = e.message ? bilingualHalf(e.message) : undefined;
  if (pair) return pair;
  const byType = e.type ? BY_TYPE[e.type] : undefined;
  const byStatus = e.status === undefined ? undefined : BY_STATUS[e.status] ?? (e.status >= 500 ? 'error.type.internal' : undefined);
  return t(byType ?? byStatus ?? 'error.type.unknown');
}

/** "Vietnamese text / English text" (one " / " between a Vietnamese half and an ASCII-only half): the reader's half. */
function bilingualHalf(message: string): string | undefined {
  const i = message.lastIndexOf(' / ');
  if (i < 0) return undefined;
  const [vi, en] = [message.slice(0, i).trim(), message.slice(i + 3).trim()];
  // The Vietnamese half has Vietnamese letters; the English half has none.
  if (!vi || !en || !/[À-ỹđĐ]/.test(vi) || /[À-ỹđĐ]/.test(en.replace(/\b[\w.-]*\d[\w.-]*\b/g, ''))) return undefined;
  return getLang() === 'en' ? en.charAt(0).toUpperCase() + en.slice(1) : vi;
}
