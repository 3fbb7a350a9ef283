import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody } from '../http/validate.js';
import { authContext, clearSessionCookie, setSessionCookie } from './authenticate.js';
import type { IdentityService, UserView } from './service.js';
import { identityError } from './messages.js';

const LoginBody = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
}).strict();

const PasswordBody = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(1).max(200),
}).strict();

/** What login and /me return: only what the UI needs. */
function sessionUser(u: UserView) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles.map((r) => ({ role: r.role, unitId: r.unitId, unitName: r.unitName })),
  };
}

export interface AuthRouterDeps {
  identity: IdentityService;
  /** Failed logins allowed per IP per window before 429 (successful ones are not counted). */
  failedLoginsPerWindow?: number;
  windowMs?: number;
}

export function createAuthRouter(deps: AuthRouterDeps): Router {
  const { identity } = deps;
  const r = Router();
  const limiter = rateLimit({
    windowMs: deps.windowMs ?? 15 * 60_000,
    limit: deps.failedLoginsPerWindow ?? 30,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    validate: false,
    handler: (_req, _res, next) => next(identityError(429, 'TooManyRequests', 'identity.tooManyLogins')),
  });

  r.post('/login', guard('public'), doc({ summary: 'Log in (sets the session cookie; returns the CSRF token)', body: LoginBody }), limiter, async (req, res) => {
    const body = parseBody(LoginBody, req);
    res.locals.auditUsername = body.username.toLowerCase();
    const out = await identity.login(body.username, body.password, req.ip);
    setSessionCookie(req, res, out.token);
    sendJson(res, 200, { user: sessionUser(out.user), csrfToken: out.csrfToken });
  });

  r.post('/logout', guard('authenticated'), doc({ summary: 'Log out' }), async (req, res) => {
    if (req.principal?.sessionId) await identity.logout(req.principal.sessionId);
    clearSessionCookie(req, res);
    sendJson(res, 200, { ok: true });
  });

  r.get('/me', guard('authenticated'), doc({ summary: 'The caller: user, roles, permissions, CSRF token' }), async (req, res) => {
    const user = await identity.me(req.principal!);
    sendJson(res, 200, { user: sessionUser(user), csrfToken: authContext(req)?.csrfToken ?? null });
  });

  r.post('/password', guard('authenticated'), doc({ summary: 'Change my password', body: PasswordBody }), async (req, res) => {
    const body = parseBody(PasswordBody, req);
    await identity.changeOwnPassword(req.principal!, body.currentPassword, body.newPassword);
    clearSessionCookie(req, res);
    sendJson(res, 200, { ok: true });
  });

  return r;
}
