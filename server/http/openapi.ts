import type { RequestHandler } from 'express';
import { z } from 'zod';
import { policyOf, type Policy } from './policy.js';

/**
 * The OpenAPI 3.1 document is generated from the express route table itself: each route's method
 * and path come from the router, its permission from `guard(...)`, and its description from the
 * `doc(...)` handler written next to the guard:
 *
 *   r.get('/:id', guard('catalog:read'), doc({ summary: 'One procedure', params: IdParams, response: Procedure }), handler);
 *
 * Schemas are the same zod schemas the handler parses with (zod v4's own JSON Schema output, which
 * is OpenAPI 3.1's dialect). A route under /api without `doc(...)` fails test/http/openapi.test.ts.
 */
export interface RouteDoc {
  /** One line shown in the docs page (Vietnamese / English welcome). */
  summary: string;
  description?: string;
  /** Groups operations on the docs page; defaults to the mount path's first segment. */
  tag?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The request body's media type when it is not JSON (e.g. 'text/xml', 'multipart/form-data'). */
  bodyType?: string;
  /** The success response's body (JSON unless `responseType` says otherwise). */
  response?: z.ZodType;
  responseType?: string;
  /** The success status (200 unless given). */
  status?: number;
}

const DOC = Symbol('openapi-doc');
type DocHandler = RequestHandler & { [DOC]: RouteDoc };

/** A no-op handler that carries the route's OpenAPI description. Put it right after `guard(...)`. */
export function doc(d: RouteDoc): DocHandler {
  const handler: RequestHandler = (_req, _res, next) => next();
  return Object.assign(handler, { [DOC]: d });
}

const docOf = (fn: unknown): RouteDoc | undefined =>
  typeof fn === 'function' ? (fn as Partial<DocHandler>)[DOC] : undefined;

export interface RouteInfo {
  method: string;
  /** Express syntax, e.g. `/api/procedures/:id`. */
  path: string;
  policy?: Policy;
  doc?: RouteDoc;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Every string-path route of an express app (or router) with its full mount path. */
export function routeTable(appOrRouter: unknown): RouteInfo[] {
  const root = appOrRouter as { router?: { stack: Layer[] }; stack?: Layer[] };
  const walk = (stack: Layer[], prefix: string): RouteInfo[] => stack.flatMap((layer): RouteInfo[] => {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') return []; // the designer's regex fallback
      const path = layer.route.path === '/' && prefix ? prefix : prefix + layer.route.path;
      const policy = layer.route.stack.map((l) => policyOf(l.handle)).find(Boolean);
      const d = layer.route.stack.map((l) => docOf(l.handle)).find(Boolean);
      return Object.keys(layer.route.methods).filter((m) => m !== '_all')
        .map((method) => ({ method, path, policy, doc: d }));
    }
    if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      return walk(layer.handle.stack, prefix + mount);
    }
    return [];
  });
  return walk(root.router?.stack ?? root.stack ?? [], '');
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/** Top-level properties of an object schema (query and path parameters). */
function propertiesOf(schema: z.ZodType): Array<{ name: string; required: boolean; schema: JsonSchema }> {
  const js = jsonSchema(schema, 'input');
  const props = (js.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({ name, required: required.has(name), schema: s }));
}

const ErrorBody: JsonSchema = {
  type: 'object',
  required: ['type', 'message'],
  properties: {
    type: { type: 'string', description: 'e.g. ValidationError, NotFound, Forbidden, Conflict' },
    message: { type: 'string' },
    details: { description: 'for ValidationError: [{field, message}]' },
  },
};

const CAMUNDA_DOCS = 'https://docs.camunda.org/rest/camunda-bpm-platform/7.21/';

function operation(route: RouteInfo): JsonSchema {
  const d = route.doc;
  const pathNames = [...route.path.matchAll(/[:*](\w+)/g)].map((m) => m[1]!);
  const given = new Map(d?.params ? propertiesOf(d.params).map((p) => [p.name, p]) : []);
  const parameters: JsonSchema[] = pathNames.map((name) => ({
    name, in: 'path', required: true, schema: given.get(name)?.schema ?? { type: 'string' },
  }));
  if (d?.query) {
    for (const p of propertiesOf(d.query)) parameters.push({ name: p.name, in: 'query', required: p.required, schema: p.schema });
  }
  const camunda = route.path.startsWith('/engine-rest');
  const tag = d?.tag ?? (camunda ? 'engine-rest (Camunda 7 subset)' : route.path.split('/')[2] ?? 'api');
  const permission = route.policy ?? 'public';
  const op: JsonSchema = {
    operationId: `${route.method}_${route.path.replace(/[^\w]+/g, '_').replace(/^_|_$/g, '')}`,
    summary: d?.summary ?? (camunda ? `Camunda 7 REST: ${route.method.toUpperCase()} ${route.path.replace('/engine-rest', '')}` : undefined),
    description: [d?.description, `Permission: \`${permission}\``,
      camunda ? `Request and response shapes as Camunda 7's REST API (${CAMUNDA_DOCS}); unit-scoped.` : undefined]
      .filter(Boolean).join('\n\n'),
    tags: [tag],
    'x-permission': permission,
    parameters,
    responses: {
      [String(d?.status ?? 200)]: d?.response
        ? { description: 'OK', content: { [d.responseType ?? 'application/json']: { schema: jsonSchema(d.response, 'output') } } }
        : { description: 'OK' },
      '4XX': { description: 'Refused: `{type, message}`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
  if (camunda) op.externalDocs = { url: CAMUNDA_DOCS };
  if (permission !== 'public') op.security = [{ session: [] }, { basic: [] }];
  if (d?.body) {
    op.requestBody = { required: true, content: { [d.bodyType ?? 'application/json']: { schema: jsonSchema(d.body, 'input') } } };
  }
  return op;
}

/** The OpenAPI 3.1 document of every `/api` and `/engine-rest` route of the app. */
export function buildOpenApi(app: unknown, info: { version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const routes = routeTable(app).filter((r) => r.path.startsWith('/api') || r.path.startsWith('/engine-rest'));
  for (const route of routes) {
    const key = route.path.replace(/[:*](\w+)/g, '{$1}');
    (paths[key] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TTHC platform API',
      version: info.version,
      description: 'Procedures, process versions and their approval, the working-time calendar, identity and audit (`/api`), '
        + 'and the implemented subset of the Camunda 7 REST API (`/engine-rest`). Errors are `{type, message}`. '
        + 'Writes with a session cookie need the `X-CSRF-Token` header from `GET /api/auth/me`.',
    },
    components: {
      schemas: { Error: ErrorBody },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'tthc_session' },
        basic: { type: 'http', scheme: 'basic' },
      },
    },
    paths,
  };
}
