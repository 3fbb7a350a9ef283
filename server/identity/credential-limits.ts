import { LRUCache } from 'lru-cache';
import { textProblem } from '../http/input-text.js';

/** Longer than any real username / password: refused before the database or argon2 are touched. */
const MAX_USERNAME_LENGTH = 100;
const MAX_PASSWORD_LENGTH = 256;

/** Whether a credential pair is worth checking at all (cheap, before argon2 and any row). */
export function plausibleCredentials(username: string, password: string): boolean {
  return username.length > 0 && username.length <= MAX_USERNAME_LENGTH && password.length <= MAX_PASSWORD_LENGTH
    && textProblem(username) === null && textProblem(password) === null;
}

/**
 * Failed credential checks per source address, for every way credentials arrive (login form,
 * basic auth, bearer tokens, on /api and /engine-rest alike). Past `limit` failures within
 * `windowMs` an address gets 429 before any credential check runs, so guessing costs the
 * attacker time, not the server argon2 runs. In memory per node (a cluster multiplies the
 * limit by its node count; the per-account lock below is shared through the database).
 */
export function createSourceLimiter(opts: { limit?: number; windowMs?: number; now?: () => number } = {}) {
  const limit = opts.limit ?? 30;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const now = opts.now ?? Date.now;
  const failures = new LRUCache<string, { since: number; n: number }>({ max: 50_000 });
  return {
    /** Seconds to wait when the address is over its limit, else 0. */
    retryAfter(ip: string | undefined): number {
      const f = failures.get(ip ?? '?');
      if (!f || now() - f.since > windowMs) return 0;
      return f.n >= limit ? Math.ceil((f.since + windowMs - now()) / 1000) : 0;
    },
    fail(ip: string | undefined): void {
      const key = ip ?? '?';
      const f = failures.get(key);
      if (!f || now() - f.since > windowMs) failures.set(key, { since: now(), n: 1 });
      else f.n++;
    },
  };
}
