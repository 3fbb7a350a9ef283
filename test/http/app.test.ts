import request from 'supertest';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('http foundation', () => {
  let platform: TestPlatform;
  beforeAll(async () => { platform = await createTestPlatform(); });
  afterAll(async () => { await platform.close(); });

  it('reports health with the database kind', async () => {
    const res = await request(platform.app).get('/api/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: platform.db.kind, audit: { status: 'ok', queueLength: 0 } });
    // camunda-external-task-client-js refuses a charset parameter.
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-request-id']).toMatch(/^[\w-]+$/);
  });

  it('answers an unknown API path with a JSON 404', async () => {
    const res = await request(platform.app).get('/api/no-such-thing').expect(404);
    expect(res.body).toEqual({ type: 'NotFound', key: 'http.noSuchEndpoint', message: 'Không có địa chỉ API GET /api/no-such-thing' });
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('refuses unparseable JSON with a 400', async () => {
    const res = await request(platform.app)
      .post('/api/health').set('Content-Type', 'application/json').send('{"a":')
      .expect(400);
    expect(res.body.type).toBe('InvalidRequestException');
  });

  it('refuses a body over the size limit with a 413', async () => {
    const res = await request(platform.app)
      .post('/api/health').set('Content-Type', 'application/json')
      .send(JSON.stringify({ x: 'a'.repeat(2 * 1024 * 1024) }))
      .expect(413);
    expect(res.body.type).toBe('PayloadTooLarge');
  });

  it('sets security headers', async () => {
    const res = await request(platform.app).get('/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
