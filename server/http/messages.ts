import { messageCatalogue } from './errors.js';

/** Refusals of the HTTP layer itself a person reads, by key, in Vietnamese and English. */
const HTTP_MESSAGES = {
  'http.badIdempotencyKey': { vi: 'Idempotency-Key: 1–200 ký tự ASCII in được, không có dấu cách', en: 'Idempotency-Key: 1–200 printable ASCII characters, no spaces' },
} as const;

export const httpError = messageCatalogue(HTTP_MESSAGES);
