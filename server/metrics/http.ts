import { Router, type RequestHandler } from 'express';
import { onResponseDone } from '../http/finished.js';
import type { Metrics } from './metrics.js';

/** Set by `markMount` while a mounted router handles the request: the mount path the route template starts with. */
const MOUNT = Symbol('mount');
type Marked = { [MOUNT]?: string };

/**
 * Wraps a mounted router so the route template keeps its mount path even when an error leaves the router
 * (express restores `req.baseUrl` before the error handler runs).
 */
export function markMount(router: Router): Router {
  const r = Router();
  r.use((req, _res, next) => { (req as Marked)[MOUNT] = req.baseUrl; next(); }, router);
  return r;
}

/** The route template of a finished request: `/api/dossiers/:id`, never the id itself (bounded label values). */
function routeTemplate(req: Parameters<RequestHandler>[0]): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  const base = (req as Marked)[MOUNT] ?? req.baseUrl;
  return `${base}${route.path === '/' && base ? '' : route.path}` || '/';
}

/** Observes every request's duration by method, route template and status when its response ends. */
export function createHttpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    // Finished answers only (a client that went away has no duration to report).
    onResponseDone(res, () => { if (res.writableFinished) end({ method: req.method, route: routeTemplate(req), status: String(res.statusCode) }); });
    next();
  };
}
