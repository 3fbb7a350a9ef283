import express, { Router } from 'express';
import { z } from 'zod';
import { catalogError, catalogKey } from './messages.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import type { CatalogService } from './service.js';
import { ProcedureInputSchema } from './types.js';

const ListQuery = z.object({
  q: z.string().max(200).optional(),
  field: z.string().max(200).optional(),
  level: z.string().max(40).optional(),
  agencyId: z.string().max(64).optional(),
  managingAgencyId: z.string().max(64).optional(),
  status: z.enum(['active', 'withdrawn']).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}).strict();
const FormatQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).strict();
const ImportQuery = z.object({ format: z.enum(['json', 'csv']).default('json'), dryRun: z.enum(['true', 'false']).optional() }).strict();
/** A procedure as read can be sent back: the unit names it carries are ignored. */
const UpdateBody = ProcedureInputSchema.extend({
  revision: z.number().int().min(1).optional(),
  agencyName: z.string().max(500).optional(),
  managingAgencyName: z.string().max(500).optional(),
}).strict();

const LevelParams = z.object({ id: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, catalogKey('catalog.levelIdFormat')) });
const LevelBody = z.object({
  nameVi: z.string().trim().min(1).max(100), nameEn: z.string().trim().min(1).max(100),
  active: z.boolean().default(true), sort: z.number().int().min(0).max(1000).default(10),
}).strict();

const MAX_IMPORT_BYTES = '5mb';

export function createCatalogRouter(deps: { catalog: CatalogService }): Router {
  const { catalog } = deps;
  const r = Router();
  const rawText = express.text({ type: () => true, limit: MAX_IMPORT_BYTES });

  r.get('/', guard('catalog:read'), doc({ summary: 'Tìm thủ tục / search procedures (accent-insensitive, paged)', query: ListQuery }), async (req, res) => {
    sendJson(res, 200, await catalog.search(parseQuery(ListQuery, req)));
  });
  r.post('/', guard('catalog:write'), doc({ summary: 'Create a procedure', body: ProcedureInputSchema }), async (req, res) => {
    sendJson(res, 201, await catalog.create(parseBody(ProcedureInputSchema, req), req.principal!));
  });
  r.get('/export', guard('catalog:read'), doc({ summary: 'Export the catalogue as JSON or CSV', query: FormatQuery }), async (req, res) => {
    const { format } = parseQuery(FormatQuery, req);
    const body = await catalog.export(format);
    // setHeader, not res.set: express would append a charset to application/json.
    res.status(200).setHeader('Content-Type', format === 'json' ? 'application/json' : 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="thu-tuc.${format}"`);
    res.send(Buffer.from(body, 'utf8'));
  });
  r.post('/import', guard('catalog:write'), doc({ summary: 'Import procedures from JSON or CSV (dryRun=true to preview)', query: ImportQuery }), rawText, async (req, res) => {
    const { format, dryRun } = parseQuery(ImportQuery, req);
    // A JSON upload sent as application/json was already parsed by the app-level parser.
    const body = req.body as unknown;
    const content = typeof body === 'string' ? body : body && typeof body === 'object' && Object.keys(body).length ? JSON.stringify(body) : '';
    if (!content.trim()) throw catalogError(400, 'InvalidRequestException', 'catalog.importEmpty');
    sendJson(res, 200, await catalog.import(format, content, req.principal!, { dryRun: dryRun === 'true' }));
  });
  r.get('/:id', guard('catalog:read'), doc({ summary: 'One procedure' }), async (req, res) => {
    sendJson(res, 200, await catalog.get(String(req.params.id)));
  });
  r.put('/:id', guard('catalog:write'), doc({ summary: 'Update a procedure (optimistic revision)', body: UpdateBody }), async (req, res) => {
    const { revision, agencyName: _a, managingAgencyName: _m, ...input } = parseBody(UpdateBody, req);
    sendJson(res, 200, await catalog.update(String(req.params.id), input, req.principal!, revision));
  });
  r.delete('/:id', guard('catalog:write'), doc({ summary: 'Withdraw a procedure (retires its processes)' }), async (req, res) => {
    sendJson(res, 200, await catalog.withdraw(String(req.params.id), req.principal!));
  });
  return r;
}

export function createCatalogMetaRouter(deps: { catalog: CatalogService }): Router {
  const r = Router();
  r.get('/fields', guard('catalog:read'), doc({ summary: 'Fields (lĩnh vực) in use' }), async (_req, res) => sendJson(res, 200, await deps.catalog.fields()));
  r.get('/levels', guard('catalog:read'), doc({ summary: 'Administrative levels' }), async (_req, res) => sendJson(res, 200, await deps.catalog.levels()));
  r.put('/levels/:id', guard('catalog:admin'), doc({ summary: 'Create or update a level', params: LevelParams, body: LevelBody }), async (req, res) => {
    const { id } = parseParams(LevelParams, req);
    sendJson(res, 200, await deps.catalog.saveLevel({ id, ...parseBody(LevelBody, req) }));
  });
  return r;
}
