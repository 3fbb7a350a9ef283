import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { createLeanDispatch } from '../../server/http/lean.js';
import { guard, policyOf } from '../../server/http/policy.js';

/**
 * The lean dispatch serves a mount's routes with the app's own request chain and the routes' own
 * handlers, without the general router; anything it does not recognise goes on to the general stack.
 */
function build() {
  const seen: string[] = [];
  const chain: RequestHandler[] = [
    (req, _res, next) => { seen.push(`chain ${req.method} ${req.url}`); next(); },
    express.json(),
    (req, _res, next) => { req.principal = req.headers.authorization ? { permissions: new Set(['engine:task']) } as never : undefined; next(); },
  ];
  const r = express.Router();
  r.post('/task/:id/complete', guard('engine:task'), (req, res) => {
    res.json({ id: req.params.id, body: req.body as unknown, base: req.baseUrl, url: req.url, route: (req.route as { path: string }).path, policy: policyOf((req.route as { stack: Array<{ handle: unknown }> }).stack[0]!.handle) });
  });
  r.get('/task/:id', (req, _res, next) => { seen.push(`first ${req.params.id}`); next(); });
  r.get('/task/:id', (req, res) => { res.json({ second: req.params.id }); });
  r.get('/fails', () => { throw new Error('boom'); });
  const app = express();
  app.use(createLeanDispatch([{ path: '/engine-rest', router: r }], chain));
  for (const m of chain) app.use(m);
  app.use((req, _res, next) => { seen.push(`general ${req.method} ${req.url}`); next(); });
  app.use('/engine-rest', r);
  app.use((req, res) => { res.status(404).json({ unmatched: req.url }); });
  app.use(((err: Error & { status?: number }, _req, res, _next) => { res.status(err.status ?? 500).json({ error: err.message }); }) as express.ErrorRequestHandler);
  return { app, seen };
}

describe('lean dispatch', () => {
  it('runs the chain once, then the route with its guard, params, mount path and body', async () => {
    const { app, seen } = build();
    const res = await request(app).post('/engine-rest/task/t%201/complete?x=1').set('Authorization', 'yes').send({ a: 'ă' }).expect(200);
    expect(res.body).toEqual({ id: 't 1', body: { a: 'ă' }, base: '/engine-rest', url: '/task/t%201/complete?x=1', route: '/task/:id/complete', policy: 'engine:task' });
    expect(seen).toEqual(['chain POST /engine-rest/task/t%201/complete?x=1']);
  });

  it('keeps the guard: no principal, no route', async () => {
    const { app, seen } = build();
    const res = await request(app).post('/engine-rest/task/1/complete').send({}).expect(401);
    expect(res.body.error).toBe('Cần đăng nhập');
    expect(seen.filter((s) => s.startsWith('general'))).toEqual([]);
  });

  it('passes on to the next matching route as the router would', async () => {
    const { app, seen } = build();
    expect((await request(app).get('/engine-rest/task/9').expect(200)).body).toEqual({ second: '9' });
    expect(seen).toEqual(['chain GET /engine-rest/task/9', 'first 9']);
  });

  it('leaves other paths, methods and undecodable parameters to the general stack', async () => {
    const { app, seen } = build();
    await request(app).get('/engine-rest/nope').expect(404);
    await request(app).head('/engine-rest/task/1').expect(200);
    await request(app).get('/engine-rest/task/%E0%A4%A').expect(400);
    await request(app).get('/api/x').expect(404);
    expect(seen.filter((s) => s.startsWith('general'))).toEqual([
      'general GET /engine-rest/nope', 'general HEAD /engine-rest/task/1', 'general GET /engine-rest/task/%E0%A4%A', 'general GET /api/x',
    ]);
  });

  it('hands an error to the app\'s error handler', async () => {
    const { app } = build();
    expect((await request(app).get('/engine-rest/fails').expect(500)).body).toEqual({ error: 'boom' });
  });
});
