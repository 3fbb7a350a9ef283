import { policyOf } from '../../server/http/policy.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle: { stack?: Layer[] };
  name?: string;
}

/** Every route of every mounted router, with the policy its guard declares (if any). */
function walk(stack: Layer[], prefix = ''): Array<{ route: string; policy?: string }> {
  const out: Array<{ route: string; policy?: string }> = [];
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).join(',').toUpperCase();
      const policy = layer.route.stack.map((l) => policyOf(l.handle)).find(Boolean);
      out.push({ route: `${methods} ${prefix}${String(layer.route.path)}`, policy });
    } else if (layer.handle?.stack) {
      out.push(...walk(layer.handle.stack, prefix + '…'));
    }
  }
  return out;
}

describe('route table', () => {
  let platform: TestPlatform;
  beforeAll(async () => { platform = await createTestPlatform(); });
  afterAll(async () => { await platform.close(); });

  it('declares a permission on every route (default deny)', () => {
    const routes = walk((platform.app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(routes.length).toBeGreaterThan(0);
    const undeclared = routes.filter((r) => !r.policy).map((r) => r.route);
    expect(undeclared).toEqual([]);
  });
});
