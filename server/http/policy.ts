import type { RequestHandler } from 'express';
import type { Permission, Role } from '../identity/permissions.js';
import { forbidden, unauthorized } from './errors.js';

/** Who is making the request, as resolved by the identity layer's authentication middleware. */
export interface Principal {
  kind: 'user' | 'service';
  userId: string;
  username: string;
  displayName: string;
  /** Each role is held in a unit; scoping rules look at these pairs. */
  roles: ReadonlyArray<{ role: Role; unitId: string }>;
  permissions: ReadonlySet<Permission>;
  sessionId?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      principal?: Principal;
      requestId: string;
    }
  }
}

/** 'public' needs nothing; 'authenticated' needs any login; anything else a named permission. */
export type Policy = Permission | 'public' | 'authenticated';

export const POLICY = Symbol('policy');
export type Guard = RequestHandler & { [POLICY]: Policy };

/**
 * Every route's first handler. The route-table test fails for any route without one,
 * which is how "default deny" is kept true as routes are added.
 */
export function guard(policy: Policy): Guard {
  const handler: RequestHandler = (req, _res, next) => {
    if (policy === 'public') return next();
    const p = req.principal;
    if (!p) return next(unauthorized());
    if (policy !== 'authenticated' && !p.permissions.has(policy)) return next(forbidden());
    next();
  };
  return Object.assign(handler, { [POLICY]: policy });
}

export function policyOf(fn: unknown): Policy | undefined {
  return typeof fn === 'function' ? (fn as Partial<Guard>)[POLICY] : undefined;
}
