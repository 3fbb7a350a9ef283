import type { RequestHandler } from 'express';
import helmet from 'helmet';

export type UpgradeInsecure = 'auto' | 'always' | 'never';

/**
 * Security headers for every answer.
 * - CSP `upgrade-insecure-requests` only when the request came over HTTPS (`auto`: req.secure,
 *   which honours X-Forwarded-Proto from a proxy on loopback) — most agencies' intranets serve
 *   plain HTTP on a LAN name, where that directive makes the browser fetch every asset over
 *   https and the designer stays blank. `always` / `never` force it.
 * - `Cache-Control: no-store` on API answers (/api, /engine-rest): they carry personal data,
 *   which must not stay in a browser's or proxy's cache. /engine-rest (JSON for workers and tools)
 *   gets that and `nosniff` only.
 */
export function createSecurityHeaders(opts: { upgradeInsecureRequests?: UpgradeInsecure } = {}): RequestHandler {
  const mode = opts.upgradeInsecureRequests ?? 'auto';
  const directives = {
    // bpmn-js renders with inline styles on SVG elements.
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
  };
  const overHttps = helmet({ contentSecurityPolicy: { directives: { ...directives, 'upgrade-insecure-requests': [] } } });
  const overHttp = helmet({ contentSecurityPolicy: { directives: { ...directives, 'upgrade-insecure-requests': null } } });
  return (req, res, next) => {
    // /engine-rest answers JSON to workers and tools, never a page a browser renders: helmet's dozen
    // page headers (CSP, frame, opener…) do nothing there and cost a measurable share of a step (issue 13).
    if (req.path.startsWith('/engine-rest')) {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      return next();
    }
    if (req.path.startsWith('/api/') || req.path === '/api') res.set('Cache-Control', 'no-store');
    const upgrade = mode === 'always' || (mode === 'auto' && req.secure);
    (upgrade ? overHttps : overHttp)(req, res, next);
  };
}
