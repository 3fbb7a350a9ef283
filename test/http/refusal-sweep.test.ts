import request from 'supertest';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

const VIETNAMESE = /[À-ỹđĐ]/;
/** Routes a sweep must not call: ending the sweeping session, or documents that are no API answers. */
const SKIP = new Set(['POST /api/auth/logout', 'GET /api/openapi.json', 'GET /api/docs']);

/**
 * Every /api route, called with nonsense (unknown ids, an unknown query field, an unknown body field),
 * by a system administrator and by nobody: whatever it refuses carries a key and reads in Vietnamese,
 * and nothing answers 500 (issue #16). A route added without keyed refusals fails here.
 */
describe('a sweep of every /api route with nonsense: every refusal is keyed, none is a 500', () => {
  let platform: TestPlatform;
  let admin: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    admin = await loginAs(platform.app, 'admin');
  });
  afterAll(async () => { await platform.close(); });

  it('answers each route with a keyed Vietnamese refusal or success', async () => {
    const doc = (await request(platform.app).get('/api/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, item]) => Object.keys(item).map((m) => ({ method: m.toUpperCase(), path })))
      .filter((o) => !SKIP.has(`${o.method} ${o.path}`));
    expect(ops.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const { method, path } of ops) {
      const url = `${path.replace(/\{[^}]+\}/g, 'zzz')}?zzz=1`;
      for (const who of ['admin', 'nobody'] as const) {
        const base = who === 'admin'
          ? (admin[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'])(url)
          : request(platform.app)[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](url);
        const call = base.set('Accept-Language', 'vi').set('Accept', 'application/json');
        const res = method === 'GET' || method === 'DELETE' ? await call : await call.send({ zzz: 1 });
        const body = res.body as { key?: unknown; message?: unknown };
        if (res.status >= 500) bad.push(`${who} ${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
        else if (res.status >= 400 && (typeof body.key !== 'string' || typeof body.message !== 'string' || !VIETNAMESE.test(body.message))) {
          bad.push(`${who} ${method} ${path}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        }
      }
    }
    expect(bad).toEqual([]);
  }, 120_000);
});
