import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { onResponseDone } from '../../server/http/finished.js';
import { createLeanDispatch, leanMatchOf, type LeanMatch } from '../../server/http/lean.js';

describe('response done hooks', () => {
  it('calls every hook once, in order, on one set of listeners; a client gone first is not finished', async () => {
    const calls: string[] = [];
    let listeners = -1;
    let release!: () => void;
    const app = express();
    app.get('/ok', (_req, res) => {
      const count = () => res.listenerCount('finish') + res.listenerCount('close') + res.listenerCount('error');
      const before = count();
      for (const name of ['log', 'metrics', 'audit']) onResponseDone(res, (err) => calls.push(`${name} ${res.writableFinished} ${err ? 'error' : ''}`));
      listeners = count() - before;
      res.json({ ok: true });
    });
    app.get('/hang', (_req, res) => {
      onResponseDone(res, () => { calls.push(`hang ${res.writableFinished}`); release(); });
      res.write('partial');
    });
    await request(app).get('/ok').expect(200);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['log true ', 'metrics true ', 'audit true ']);
    expect(listeners).toBe(3); // finish, close, error: once, for all three

    calls.length = 0;
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const gone = new Promise<void>((r) => { release = r; });
      const req = http.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/hang' }, (res) => { res.once('data', () => req.destroy()); });
      req.on('error', () => undefined);
      await gone;
      expect(calls).toEqual(['hang false']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('the lean dispatch tells what it entered, and keeps it after an error leaves the route', async () => {
    const seen: Array<LeanMatch | undefined> = [];
    const r = express.Router();
    r.post('/task/:id/complete', () => { throw new Error('refused'); });
    const app = express();
    app.use(createLeanDispatch([{ path: '/engine-rest', router: r }], [(req, res, next) => {
      const m = leanMatchOf(req);
      seen.push(m && { ...m });
      onResponseDone(res, () => seen.push(leanMatchOf(req)));
      next();
    }]));
    app.use(((_err, _req, res, _next) => { res.status(400).end(); }) as express.ErrorRequestHandler);
    await request(app).post('/engine-rest/task/t1/complete').expect(400);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([{ baseUrl: '', params: {} }, { baseUrl: '/engine-rest', params: { id: 't1' } }]);
  });
});
