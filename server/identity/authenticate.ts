import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { IdentityService } from './service.js';
import { identityError, tooManyFromSource } from './messages.js';

const SESSION_COOKIE = 'tthc_session';
const CSRF_HEADER = 'x-csrf-token';

export interface AuthContext {
  via: 'session' | 'basic' | 'token';
  /** Only for sessions: what the X-CSRF-Token header must carry. */
  csrfToken?: string;
}

const contexts = new WeakMap<Request, AuthContext>();

/** How the request authenticated (undefined when anonymous). */
export function authContext(req: Request): AuthContext | undefined {
  return contexts.get(req);
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function setSessionCookie(req: Request, res: Response, token: string): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}

/**
 * Resolves `req.principal` from basic auth (workers on /engine-rest), a bearer API token,
 * or the session cookie. It never rejects: bad credentials leave the request anonymous and
 * the route's guard answers 401, so every route keeps one place that decides.
 */
export function createAuthenticate(identity: IdentityService): RequestHandler {
  return async (req, _res, next) => {
    try {
      const auth = req.headers.authorization;
      if (auth) {
        // Every credential check counts against its source address; past the limit, 429 before any check.
        const retry = identity.sourceRetryAfter(req.ip);
        if (retry) {
          return next(tooManyFromSource(retry));
        }
        const [scheme, value = ''] = auth.split(' ', 2) as [string, string?];
        if (/^basic$/i.test(scheme)) {
          const decoded = value.length <= 1024 ? Buffer.from(value, 'base64').toString('utf8') : '';
          const colon = decoded.indexOf(':');
          if (colon > 0) {
            req.principal = await identity.fromBasic(decoded.slice(0, colon), decoded.slice(colon + 1), req.ip).catch(() => undefined);
            if (req.principal) contexts.set(req, { via: 'basic' });
          } else identity.sourceFailed(req.ip);
        } else if (/^bearer$/i.test(scheme) && value) {
          req.principal = value.length <= 512 ? await identity.fromApiToken(value) : undefined;
          if (req.principal) contexts.set(req, { via: 'token' });
          else identity.sourceFailed(req.ip);
        }
        return next();
      }
      const token = readCookie(req, SESSION_COOKIE);
      if (token) {
        const s = await identity.fromSession(token);
        if (s) {
          req.principal = s.principal;
          contexts.set(req, { via: 'session', csrfToken: s.csrfToken });
        }
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrfError = () =>
  identityError(403, 'CsrfError', 'identity.csrf');

/**
 * Cookie-authenticated writes must echo the session's CSRF token in X-CSRF-Token.
 * Basic auth and API tokens are never sent automatically by a browser, so they need none.
 */
export function createCsrfCheck(exempt: readonly string[] = ['/api/auth/login']): RequestHandler {
  return (req, _res, next) => {
    const ctx = contexts.get(req);
    // Logging in again over a live session has no token to echo yet; SameSite=Strict covers it.
    if (SAFE.has(req.method) || ctx?.via !== 'session' || exempt.includes(req.path)) return next();
    const sent = req.get(CSRF_HEADER) ?? '';
    const expected = ctx.csrfToken ?? '';
    const a = Buffer.from(sent);
    const b = Buffer.from(expected);
    if (!expected || a.length !== b.length || !crypto.timingSafeEqual(a, b)) return next(csrfError());
    next();
  };
}
