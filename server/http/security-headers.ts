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
 *   which must not stay in a browser's or proxy's cache.
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
    if (req.path.startsWith('/api/') || req.path === '/api' || req.path.startsWith('/engine-rest')) res.set('Cache-Control', 'no-store');
    const upgrade = mode === 'always' || (mode === 'auto' && req.secure);
    (upgrade ? overHttps : overHttp)(req, res, next);
  };
}
