import type { Request, RequestHandler } from 'express';
import type { Logger } from '../log.js';
import { onResponseDone } from '../http/finished.js';
import { leanMatchOf } from '../http/lean.js';
import { policyOf } from '../http/policy.js';
import { actorOf, type AuditService } from './service.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Seen { params: Record<string, string>; baseUrl: string }

/**
 * Express restores `req.params` and `req.baseUrl` as a request leaves each router, so by the
 * time a 403 reaches the error handler they are gone. Watching the assignments keeps the
 * deepest ones seen: the matched route's params and mount path.
 */
function watchRouting(req: Request): Seen {
  const seen: Seen = { params: {}, baseUrl: '' };
  let params = req.params;
  let baseUrl = req.baseUrl;
  Object.defineProperty(req, 'params', {
    configurable: true, enumerable: true,
    get: () => params,
    set: (v: Record<string, string>) => {
      params = v;
      if (v && Object.keys(v).length) seen.params = { ...v };
    },
  });
  Object.defineProperty(req, 'baseUrl', {
    configurable: true, enumerable: true,
    get: () => baseUrl,
    set: (v: string) => {
      baseUrl = v;
      if (v && v.length > seen.baseUrl.length) seen.baseUrl = v;
    },
  });
  return seen;
}

function targetOf(seen: Seen, path: string): { type: string; id: string | null } {
  // "/api/dossiers" → "dossiers"; "/engine-rest/task" → "engine-rest/task"
  const base = (seen.baseUrl || path).replace(/^\/api\//, '').replace(/^\//, '');
  const type = base.split('/').slice(0, 2).join('/').slice(0, 100) || '/';
  const values = Object.values(seen.params);
  return { type, id: values.length ? values.join('/').slice(0, 300) : null };
}

export interface AuditMiddleware extends RequestHandler {
  /** Resolves once every record for a finished request is committed (tests); returns rows left. */
  flush(timeoutMs?: number): Promise<number>;
}

/**
 * Records every state-changing request once its response is finished: who, in which unit and
 * role, the route pattern (never the URL's or body's data), target ids, status, request id, IP.
 * Rows go to the audit service's group-commit queue, so neither the chain lock nor a commit
 * sits on the request's path (README, "Audit trail", for what a crash can lose).
 */
export function createAuditMiddleware(audit: AuditService, _knex?: unknown, _log?: Logger): AuditMiddleware {
  const handler: RequestHandler = (req, res, next) => {
    if (!WRITES.has(req.method)) return next();
    const seen = leanMatchOf(req) ?? watchRouting(req);
    const path = req.path;
    onResponseDone(res, () => {
      const route = req.route as { path: string; stack?: Array<{ handle: unknown }> } | undefined;
      const policy = route?.stack?.map((l: { handle: unknown }) => policyOf(l.handle)).find(Boolean);
      const principal = req.principal;
      const actor = principal ? actorOf(principal, policy) : { username: (res.locals.auditUsername as string | undefined) ?? null };
      // Refused before routing (CSRF) or unknown: the path itself; query strings never.
      const pattern = route ? `${seen.baseUrl}${route.path === '/' && seen.baseUrl ? '' : route.path}` : path.slice(0, 200);
      const status = res.writableFinished ? res.statusCode : 499; // 499: client went away first
      audit.enqueue({
        ...actor,
        action: `${req.method} ${pattern}`,
        target: targetOf(seen, path),
        outcome: String(status),
        requestId: req.requestId,
        ip: req.ip ?? null,
      });
    });
    next();
  };
  return Object.assign(handler, { flush: (timeoutMs?: number) => audit.flush(timeoutMs) });
}
