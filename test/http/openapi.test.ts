import request from 'supertest';
import { routeTable } from '../../server/http/openapi.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('OpenAPI document', () => {
  let platform: TestPlatform;
  beforeAll(async () => { platform = await createTestPlatform(); });
  afterAll(async () => { await platform.close(); });

  it('describes every mounted /api route (add doc({...}) next to guard(...))', () => {
    const api = routeTable(platform.app).filter((r) => r.path.startsWith('/api'));
    expect(api.length).toBeGreaterThan(20);
    const undescribed = api.filter((r) => !r.doc).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(undescribed).toEqual([]);
  });

  it('serves OpenAPI 3.1 at /api/openapi.json with every route, its permission and its zod schemas', async () => {
    const res = await request(platform.app).get('/api/openapi.json').expect(200);
    const docu = res.body as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(docu.openapi).toBe('3.1.0');
    const listed = new Set(Object.entries(docu.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    for (const r of routeTable(platform.app).filter((x) => x.path.startsWith('/api') || x.path.startsWith('/engine-rest'))) {
      expect(listed).toContain(`${r.method} ${r.path.replace(/[:*](\w+)/g, '{$1}')}`);
    }
    const search = docu.paths['/api/procedures']!.get!;
    expect(search['x-permission']).toBe('catalog:read');
    const params = search.parameters as Array<{ name: string; in: string }>;
    expect(params).toContainEqual(expect.objectContaining({ name: 'pageSize', in: 'query' }));
    const create = docu.paths['/api/procedures']!.post!;
    expect(JSON.stringify(create.requestBody)).toContain('"type":"object"');
    // Path parameters are always declared, as OpenAPI requires.
    for (const [p, ops] of Object.entries(docu.paths)) {
      for (const op of Object.values(ops)) {
        const names = ((op.parameters ?? []) as Array<{ name: string; in: string }>).filter((x) => x.in === 'path').map((x) => x.name);
        expect(names.sort()).toEqual([...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
      }
    }
    // The implemented Camunda subset is listed with Camunda's shapes referenced.
    expect(docu.paths['/engine-rest/external-task/fetchAndLock']?.post).toBeDefined();
  });

  it('renders a readable page at /api/docs without scripts from elsewhere', async () => {
    const res = await request(platform.app).get('/api/docs').expect(200).expect('Content-Type', /html/);
    expect(res.text).toContain('/api/procedures');
    expect(res.text).not.toMatch(/<script/i);
  });
});
