import express from 'express';
import request from 'supertest';
import { createSecurityHeaders } from '../../server/http/security-headers.js';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('security headers', () => {
  let platform: TestPlatform;
  beforeAll(async () => { platform = await createTestPlatform(); });
  afterAll(async () => { await platform.close(); });

  it('plain HTTP (a LAN name): no upgrade-insecure-requests, so the designer loads its assets over http', async () => {
    const res = await request(platform.app).get('/api/health').set('Host', 'server-name:3000').expect(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('HTTPS behind a local proxy: the directive is sent', async () => {
    const res = await request(platform.app).get('/api/health').set('X-Forwarded-Proto', 'https').expect(200);
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('configuration can force it either way', async () => {
    for (const [mode, expected] of [['always', true], ['never', false]] as const) {
      const app = express();
      app.use(createSecurityHeaders({ upgradeInsecureRequests: mode }));
      app.get('/', (_req, res) => { res.send('ok'); });
      const res = await request(app).get('/').set('X-Forwarded-Proto', 'https');
      expect(res.headers['content-security-policy']!.includes('upgrade-insecure-requests')).toBe(expected);
    }
  });

  it('API answers (success and error, /api and /engine-rest) are never cached', async () => {
    const admin = basicAuthHeader('admin');
    for (const [url, status] of [['/api/health', 200], ['/engine-rest/process-definition', 200], ['/api/nope', 404], ['/api/audit', 401]] as const) {
      const r = request(platform.app).get(url);
      if (url.startsWith('/engine-rest')) r.set('Authorization', admin);
      const res = await r;
      expect(res.status).toBe(status);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});
