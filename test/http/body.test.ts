import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { createApp } from '../../server/http/app.js';
import { byteLimit } from '../../server/http/body.js';
import { createLogger } from '../../server/log.js';

/**
 * The JSON body reader (server/http/body.ts) answers as express.json() did: its own fast path for plain
 * JSON with a declared length, express.json() for everything else. Both through the lean dispatch
 * (/engine-rest) and the general stack (/api).
 */
function build() {
  const echo = express.Router();
  echo.post('/echo', (req, res) => { res.json({ body: req.body as unknown, has: Object.hasOwn(req, 'body') }); });
  echo.get('/echo', (req, res) => { res.json({ body: req.body as unknown ?? 'none' }); });
  return createApp({
    log: createLogger('silent'), authenticate: (_req, _res, next) => next(), jsonLimit: '1kb',
    mounts: [{ path: '/engine-rest', router: echo, lean: true }, { path: '/api', router: echo }],
  });
}

describe('JSON body reader', () => {
  const app = build();

  it.each(['/engine-rest/echo', '/api/echo'])('%s: parses JSON, +json types, a UTF-8 charset and a BOM; an empty body is {}', async (url) => {
    expect((await request(app).post(url).set('Content-Type', 'application/json').send('{"a":"ă","n":[1,2]}').expect(200)).body.body).toEqual({ a: 'ă', n: [1, 2] });
    expect((await request(app).post(url).set('Content-Type', 'application/vnd.api+json; charset=UTF-8').send('  [1]').expect(200)).body.body).toEqual([1]);
    expect((await request(app).post(url).set('Content-Type', 'application/json').send('\uFEFF{"b":true}').expect(200)).body.body).toEqual({ b: true });
    expect((await request(app).post(url).set('Content-Type', 'application/json').send('').expect(200)).body.body).toEqual({});
    expect((await request(app).get(url).expect(200)).body.body).toBe('none');
  });

  it.each(['/engine-rest/echo', '/api/echo'])('%s: refuses bad JSON, a bare value (strict) and an oversized body as before', async (url) => {
    for (const bad of ['{"a":', '"text"', '  12', 'nul']) {
      const res = await request(app).post(url).set('Content-Type', 'application/json').send(bad).expect(400);
      expect(res.body).toMatchObject({ type: 'InvalidRequestException', message: expect.any(String) });
    }
    const big = await request(app).post(url).set('Content-Type', 'application/json').send(JSON.stringify({ x: 'a'.repeat(2000) })).expect(413);
    expect(big.body).toMatchObject({ type: 'PayloadTooLarge', message: expect.stringContaining('1024') });
    expect((await request(app).post(url).set('Content-Type', 'application/json; charset=latin1').send('{}').expect(415)).body.type).toBe('UnsupportedMediaType');
  });

  it('leaves other types unparsed, and reads chunked and compressed bodies through express.json()', async () => {
    const text = await request(app).post('/engine-rest/echo').set('Content-Type', 'text/plain').send('{"a":1}').expect(200);
    expect(text.body).toEqual({ has: true });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    // Raw requests: supertest would set a length and serialise a Buffer itself.
    const send = (headers: http.OutgoingHttpHeaders, parts: Array<string | Buffer>) => new Promise<unknown>((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      const req = http.request({ port, host: '127.0.0.1', path: '/engine-rest/echo', method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
        let s = '';
        res.on('data', (c) => { s += c; });
        res.on('end', () => resolve(JSON.parse(s)));
      });
      req.on('error', reject);
      for (const p of parts.slice(0, -1)) req.write(p);
      req.end(parts[parts.length - 1]);
    });
    try {
      expect(await send({}, ['{"c":', '2}'])).toEqual({ body: { c: 2 }, has: true });
      const gz = zlib.gzipSync('{"z":1}');
      expect(await send({ 'Content-Encoding': 'gzip', 'Content-Length': gz.length }, [gz])).toEqual({ body: { z: 1 }, has: true });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('reads the limit as body-parser does', () => {
    expect(byteLimit('1mb')).toBe(1048576);
    expect(byteLimit('100kb')).toBe(102400);
    expect(byteLimit(5000)).toBe(5000);
    expect(() => byteLimit('lots')).toThrow();
  });
});
