import type { Request } from 'express';
import { httpError, onField } from './errors.js';

/** Printable ASCII without spaces, as clients generate them (a UUID, or a business key plus a request id). */
const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The request's `Idempotency-Key` header: a retry carrying the same key answers what the first
 * request created instead of creating it again. Absent → undefined; malformed → 400.
 */
export function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw onField(httpError(400, 'InvalidRequestException', 'http.badIdempotencyKey'), 'header.Idempotency-Key');
  }
  return key;
}

/** Moved to server/db/errors.ts (the engine uses it and imports nothing from server/http). */
export { isUniqueViolation } from '../db/errors.js';
