import { LRUCache } from 'lru-cache';
import type { Principal } from '../http/policy.js';

/** The NOTIFY channel on which every node hears that someone's identity changed. */
export const IDENTITY_CHANNEL = 'identity_changed';

/** What a change notification names: one session, one user's everything, or all. */
export type IdentityChange = { sessionId: string } | { userId: string } | { all: true };

export interface CachedPrincipal {
  principal: Principal;
  userId: string;
  /** Sessions only. */
  sessionId?: string;
  csrfToken?: string;
  createdAt?: number;
  expiresAt?: number;
  lastSeenAt?: number;
}

/**
 * Resolved principals per credential hash (session id, basic-auth credential hash, API token
 * hash), kept a few seconds so a request costs no query. Entries are dropped at once when a
 * change is announced (locally, and from other nodes through NOTIFY); the short TTL bounds
 * staleness if a notification is ever missed (e.g. while the listener reconnects).
 */
export function createPrincipalCache(ttlMs: number) {
  const lru = new LRUCache<string, CachedPrincipal>({ max: 10_000, ttl: ttlMs, ttlAutopurge: false });
  return {
    get: (key: string) => lru.get(key),
    set: (key: string, value: CachedPrincipal) => { lru.set(key, value); },
    delete: (key: string) => { lru.delete(key); },
    /** Drops what a change touches; rare, so a scan of the (bounded) cache is fine. */
    invalidate(change: IdentityChange): void {
      if ('all' in change) return lru.clear();
      for (const [key, v] of lru.entries()) {
        if ('userId' in change ? v.userId === change.userId : v.sessionId === change.sessionId) lru.delete(key);
      }
    },
  };
}

export function parseChange(payload: string): IdentityChange {
  try {
    const v = JSON.parse(payload) as Record<string, unknown>;
    if (typeof v.sessionId === 'string') return { sessionId: v.sessionId };
    if (typeof v.userId === 'string') return { userId: v.userId };
  } catch { /* fall through: unknown payloads clear everything, the safe side */ }
  return { all: true };
}
