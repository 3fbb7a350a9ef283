import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { httpError } from '../http/errors.js';
import { guard, POLICY, type Guard } from '../http/policy.js';
import type { Metrics } from './metrics.js';

export interface MetricsAccess {
  /** METRICS_TOKEN: a scraper sends `Authorization: Bearer <token>`. */
  token?: string;
  /** Demo mode without a token: open, as the rest of the demo is. */
  demoMode: boolean;
}

/**
 * Who may read /metrics: the scraper with the METRICS_TOKEN bearer, or a logged-in system administrator
 * (`identity:admin`, the permission this route then declares); in demo mode without a token, anyone (declared public).
 */
function metricsGuard(access: MetricsAccess): Guard {
  const expected = access.token ? crypto.createHash('sha256').update(access.token).digest() : null;
  if (!expected && access.demoMode) return guard('public');
  const handler: RequestHandler = (req, _res, next) => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    if (expected && m && crypto.timingSafeEqual(crypto.createHash('sha256').update(m[1]!).digest(), expected)) return next();
    if (req.principal?.permissions.has('identity:admin')) return next();
    next(httpError(401, 'Unauthorized', 'http.metricsAuth'));
  };
  return Object.assign(handler, { [POLICY]: 'identity:admin' as const });
}

/** GET /metrics in the Prometheus text format. */
export function createMetricsRouter(deps: { metrics: Metrics; access: MetricsAccess }): Router {
  const r = Router();
  r.get('/', metricsGuard(deps.access), async (_req, res) => {
    const { contentType, body } = await deps.metrics.scrape();
    res.set('Cache-Control', 'no-store').type(contentType).send(body);
  });
  return r;
}
