import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { noSuchEndpoint } from './errors.js';

/** The parts of router@2's Layer and Route this file relies on (express 5 builds both). */
interface RouteLike {
  path: unknown;
  _handlesMethod(method: string): boolean;
  dispatch(req: Request, res: Response, done: (err?: unknown) => void): void;
}
interface LayerLike {
  route?: RouteLike;
  slash?: boolean;
  handle: RequestHandler & { stack?: LayerLike[] };
  match(path: string): { params: Record<string, string> } | false;
}
interface Entry { layer: LayerLike; route: RouteLike; pre: RequestHandler[] }

/**
 * The routes of a router tree in the order express tries them, each with the `use('/')` middleware
 * that runs before it; null when the tree has anything else (a path-scoped `use`, an error handler),
 * which the general router must then keep handling.
 */
function flatten(router: { stack?: LayerLike[] }, pre: RequestHandler[]): Entry[] | null {
  const out: Entry[] = [];
  let mw = pre;
  for (const layer of router.stack ?? []) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') return null;
      out.push({ layer, route: layer.route, pre: mw });
    } else if (!layer.slash || layer.handle.length > 3) {
      return null;
    } else if (Array.isArray(layer.handle.stack)) {
      const inner = flatten(layer.handle, mw);
      if (!inner) return null;
      out.push(...inner);
    } else {
      mw = [...mw, layer.handle];
    }
  }
  return out;
}

const firstSegment = (path: string) => {
  const end = path.indexOf('/', 1);
  return (end < 0 ? path.slice(1) : path.slice(1, end)).toLowerCase();
};

/** Calls each handler in turn as express would (a rejected promise is an error); `done` after the last. */
function runChain(fns: readonly RequestHandler[], req: Request, res: Response, done: (err?: unknown) => void): void {
  let i = 0;
  const next: NextFunction = (err?: unknown) => {
    if (err !== undefined && err !== null && err !== false) return done(err === 'route' || err === 'router' ? undefined : err);
    if (i >= fns.length) return done();
    const fn = fns[i++]!;
    try {
      const ret: unknown = fn(req, res, next);
      if (ret instanceof Promise) ret.then(undefined, (e: unknown) => next(e ?? new Error('Rejected promise')));
    } catch (e) {
      next(e);
    }
  };
  next();
}

export interface LeanMount { path: string; router: Router }

const MATCH = Symbol('lean match');
/** The mount path and params of the route the lean dispatch entered, kept after an error leaves it. */
export interface LeanMatch { baseUrl: string; params: Record<string, string> }
type Matched = { [MATCH]?: LeanMatch };
/**
 * What the lean dispatch entered for this request, if it took it (filled in as it enters the route):
 * the audit hook reads it instead of watching req.params and req.baseUrl (server/audit/middleware.ts).
 */
export const leanMatchOf = (req: Request): LeanMatch | undefined => (req as Matched)[MATCH];

/**
 * A lean dispatch for API mounts that machines call at a high rate (/engine-rest: workers, load).
 * It runs the SAME handlers the general express stack would — the app's request middleware (`chain`:
 * request id, access log, metrics, headers, body parser, authentication, audit, CSRF, input guard), the
 * mount's own middleware and the matched route's handlers, its permission guard first — but finds the
 * route by method and first path segment among the mount's own routes, instead of walking every layer
 * of the application and of each mounted router (issue 13: the router was a third of a small request).
 * Anything it does not recognise (another path, HEAD/OPTIONS, a malformed escape) falls through to the
 * general stack unchanged, which answers exactly as before.
 */
export function createLeanDispatch(mounts: readonly LeanMount[], chain: readonly RequestHandler[]): RequestHandler {
  const table: Array<{ prefix: string; base: string; bySegment: Map<string, Entry[]>; dynamic: Entry[] }> = [];
  for (const m of mounts) {
    const entries = flatten(m.router as unknown as { stack?: LayerLike[] }, []);
    if (!entries) continue;
    const bySegment = new Map<string, Entry[]>();
    const dynamic = entries.filter((e) => /^\/?[:*({]/.test(e.route.path as string));
    for (const e of entries) {
      const seg = firstSegment(e.route.path as string);
      if (dynamic.includes(e)) continue;
      // A segment's list keeps the router's order, dynamic first segments included.
      if (!bySegment.has(seg)) bySegment.set(seg, entries.filter((x) => x === e || dynamic.includes(x) || firstSegment(x.route.path as string) === seg));
    }
    table.push({ prefix: `${m.path.replace(/\/$/, '')}/`, base: m.path.replace(/\/$/, ''), bySegment, dynamic });
  }

  return (req, res, next) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'DELETE') return next();
    const url = req.url;
    const mount = table.find((t) => url.startsWith(t.prefix));
    if (!mount) return next();
    const q = url.indexOf('?');
    const path = url.slice(mount.base.length, q < 0 ? undefined : q);
    const candidates = mount.bySegment.get(firstSegment(path)) ?? mount.dynamic;
    const find = (from: number): { at: number; params: Record<string, string> } | null => {
      for (let at = from; at < candidates.length; at++) {
        const e = candidates[at]!;
        if (!e.route._handlesMethod(method)) continue;
        const m = e.layer.match(path);
        if (m) return { at, params: m.params };
      }
      return null;
    };
    let found: ReturnType<typeof find>;
    try {
      found = find(0);
    } catch {
      return next(); // an undecodable parameter: the general stack answers it
    }
    if (!found) return next();
    // express 5 parses the query string again at every read of req.query (input guard, schema, access log): once here.
    Object.defineProperty(req, 'query', { value: req.query, writable: true, configurable: true, enumerable: true });
    // Filled in as the route is entered, as the router would set req.baseUrl and req.params.
    const match: LeanMatch = { baseUrl: '', params: {} };
    (req as Matched)[MATCH] = match;
    runChain(chain, req, res, (err) => {
      if (err) return next(err);
      // As the router does for a mount: the URL without the mount path, the mount as the base URL.
      req.baseUrl = mount.base;
      match.baseUrl = mount.base;
      req.url = url.slice(mount.base.length);
      const leave = (e?: unknown) => {
        req.url = url;
        req.baseUrl = '';
        next(e);
      };
      const enter = (hit: NonNullable<typeof found>) => {
        const e = candidates[hit.at]!;
        req.params = hit.params;
        if (Object.keys(hit.params).length) match.params = hit.params;
        runChain(e.pre, req, res, (err2) => {
          if (err2) return leave(err2);
          e.route.dispatch(req, res, (err3) => {
            if (err3) return leave(err3);
            // The route passed the request on: the next matching route, as the router would.
            let again: ReturnType<typeof find>;
            try { again = find(hit.at + 1); } catch (x) { return leave(x); }
            if (again) return enter(again);
            leave(noSuchEndpoint(method, req.originalUrl ?? url));
          });
        });
      };
      enter(found);
    });
  };
}
