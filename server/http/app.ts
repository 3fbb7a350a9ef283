import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '../log.js';
import { byteLimit, createJsonBody } from './body.js';
import { createErrorHandler, noSuchEndpoint, type ErrorMapper } from './errors.js';
import { createInputGuard } from './input.js';
import { createLeanDispatch } from './lean.js';
import { sendJson } from './json.js';
import { buildOpenApi, doc } from './openapi.js';
import { renderOpenApiPage } from './openapi-page.js';
import { guard } from './policy.js';
import { createSecurityHeaders, type UpgradeInsecure } from './security-headers.js';

export interface Mount {
  path: string;
  router: Router;
  /** Its routes are also served by the lean dispatch (server/http/lean.ts): same handlers, no walk of the whole app. */
  lean?: boolean;
}

export interface AppDeps {
  log: Logger;
  /** Resolves `req.principal` from a session cookie, basic auth or token; never rejects a request itself. */
  authenticate: RequestHandler;
  /** Runs first, right after the request id is set, for every request (access log, metrics). */
  early?: RequestHandler[];
  /** Runs after authentication, before routers (CSRF, audit hooks). */
  middleware?: RequestHandler[];
  mounts: Mount[];
  /** The built designer; served at / with index.html as the fallback for client-side routes. */
  staticDir?: string;
  jsonLimit?: string;
  /** CSP upgrade-insecure-requests: only over HTTPS by default (server/http/security-headers.ts). */
  upgradeInsecureRequests?: UpgradeInsecure;
  /** The platform's version, shown in the OpenAPI document. */
  version?: string;
  /** Domain errors (the engine's) to HTTP errors, before the error handler answers. */
  mapError?: ErrorMapper;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'extended');

  const requestId: RequestHandler = (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    next();
  };
  // What every request passes before any router, in this order; the input guard after the audit hook,
  // so refused hostile input is recorded too.
  const chain: RequestHandler[] = [
    requestId,
    ...(deps.early ?? []),
    createSecurityHeaders({ upgradeInsecureRequests: deps.upgradeInsecureRequests }),
    createJsonBody({
      limit: byteLimit(deps.jsonLimit ?? '1mb'),
      fallback: express.json({ limit: deps.jsonLimit ?? '1mb', type: ['application/json', 'application/*+json'] }),
    }),
    deps.authenticate,
    ...(deps.middleware ?? []),
    createInputGuard(),
  ];
  const lean = deps.mounts.filter((m) => m.lean);
  if (lean.length) app.use(createLeanDispatch(lean, chain));
  for (const m of chain) app.use(m);
  for (const m of deps.mounts) app.use(m.path, m.router);

  // The API's own description, generated from the route table once every router is mounted.
  let openapi: ReturnType<typeof buildOpenApi> | undefined;
  const document = () => (openapi ??= buildOpenApi(app, { version: deps.version ?? '0.0.0' }));
  app.get('/api/openapi.json', guard('public'), doc({ summary: 'This API as an OpenAPI 3.1 document', tag: 'docs' }), (_req, res) => {
    sendJson(res, 200, document());
  });
  app.get('/api/docs', guard('public'), doc({ summary: 'This API as a readable page', tag: 'docs', responseType: 'text/html' }), (_req, res) => {
    res.type('html').send(renderOpenApiPage(document()));
  });

  // Unknown API paths answer in the API's error shape, not with the designer's HTML.
  app.use(['/api', '/engine-rest'], (req, _res, next) => next(noSuchEndpoint(req.method, req.originalUrl)));

  if (deps.staticDir && fs.existsSync(path.join(deps.staticDir, 'index.html'))) {
    const dir = deps.staticDir;
    app.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api\/|engine-rest\/).*/, guard('public'), (_req, res) => res.sendFile(path.join(dir, 'index.html')));
  }

  app.use(createErrorHandler(deps.log, deps.mapError, (req) => req.originalUrl.startsWith('/engine-rest')));
  return app;
}
