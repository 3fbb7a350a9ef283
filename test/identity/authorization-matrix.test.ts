import request from 'supertest';
import { DEMO_USERS } from '../../server/identity/demo.js';
import { ROLE_PERMISSIONS } from '../../server/identity/permissions.js';
import { policyOf } from '../../server/http/policy.js';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
}

interface RouteInfo { method: string; path: string; policy: string }

/** Every string-path route with its full mount path; path params get a dummy id. */
function routes(stack: Layer[], prefix = ''): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const layer of stack) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') continue; // the designer's regex fallback (public)
      const policy = layer.route.stack.map((l) => policyOf(l.handle)).find(Boolean) ?? '(none)';
      const path = `${prefix}${layer.route.path === '/' && prefix ? '' : layer.route.path}`
        .replace(/:(\w+)/g, (_m, name: string) => (/year/i.test(name) ? '2099' : /date/i.test(name) ? '2099-01-01' : `dummy-${name.toLowerCase()}`))
        .replace(/\*(\w+)/g, 'dummy');
      for (const m of Object.keys(layer.route.methods)) out.push({ method: m, path, policy });
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...routes(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

// Side effects that would end the session the matrix is using; covered in auth.test.ts.
const SKIP = new Set(['post /api/auth/logout', 'post /api/auth/password', 'post /api/auth/login']);

describe('authorization matrix: every route × every demo role', () => {
  let platform: TestPlatform;
  let table: RouteInfo[];
  const clients = new Map<string, AuthedClient>();
  beforeAll(async () => {
    platform = await createTestPlatform();
    table = routes((platform.app as unknown as { router: { stack: Layer[] } }).router.stack)
      .filter((r) => !SKIP.has(`${r.method} ${r.path}`));
    for (const u of DEMO_USERS) {
      // Service accounts have no sessions: they use basic auth, as the external-task client does.
      if (u.kind === 'service') {
        const auth = basicAuthHeader(u.username);
        const agent = request(platform.app);
        const c = Object.fromEntries((['get', 'post', 'put', 'patch', 'delete'] as const)
          .map((m) => [m, (url: string) => agent[m](url).set('Authorization', auth)]));
        clients.set(u.username, c as unknown as AuthedClient);
      } else {
        clients.set(u.username, await loginAs(platform.app, u.username));
      }
    }
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it('finds the routes of every mounted capability', () => {
    const paths = table.map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['/api/auth/me', '/api/users', '/api/units/dummy-id', '/api/audit/verify']));
  });

  it('answers 401 to anonymous requests on every non-public route', async () => {
    const wrong: string[] = [];
    for (const r of table.filter((x) => x.policy !== 'public')) {
      const res = await request(platform.app)[r.method as 'get'](r.path).send({});
      if (res.status !== 401) wrong.push(`${r.method.toUpperCase()} ${r.path}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('lets each role through exactly the routes its permissions allow (403 otherwise)', async () => {
    const wrong: string[] = [];
    for (const u of DEMO_USERS) {
      const c = clients.get(u.username)!;
      const perms = new Set<string>(ROLE_PERMISSIONS[u.role]);
      for (const r of table) {
        const res = await c[r.method as 'get'](r.path).send({});
        const allowed = r.policy === 'public' || r.policy === 'authenticated' || perms.has(r.policy);
        const denied = res.status === 401 || res.status === 403;
        if (allowed === denied) wrong.push(`${u.username} ${r.method.toUpperCase()} ${r.path} (${r.policy}): ${res.status} ${res.body?.type ?? ''}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);

  it('never answers the matrix with a 500', async () => {
    const admin = clients.get('admin')!;
    const failures: string[] = [];
    for (const r of table) {
      const res = await admin[r.method as 'get'](r.path).send({});
      if (res.status >= 500) failures.push(`${r.method.toUpperCase()} ${r.path}: ${res.status}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
