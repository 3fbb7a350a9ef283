import type { Express } from 'express';
import request, { type Test } from 'supertest';

export const DEMO_PASSWORD = 'Demo@2026';

/** A logged-in user: every request carries the session cookie and, for writes, the CSRF header. */
export interface AuthedClient {
  username: string;
  csrfToken: string;
  /** The raw `Cookie` header value (e.g. to build requests by hand). */
  cookie: string;
  get(url: string): Test;
  post(url: string): Test;
  put(url: string): Test;
  patch(url: string): Test;
  delete(url: string): Test;
}

/** Logs in through POST /api/auth/login (demo users share the password `Demo@2026`). */
export async function loginAs(app: Express, username: string, password: string = DEMO_PASSWORD): Promise<AuthedClient> {
  const res = await request(app).post('/api/auth/login').send({ username, password });
  if (res.status !== 200) {
    throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  const csrfToken = res.body.csrfToken as string;
  const agent = request(app);
  const withSession = (t: Test, write: boolean) => {
    t.set('Cookie', cookie);
    if (write) t.set('X-CSRF-Token', csrfToken);
    return t;
  };
  return {
    username,
    csrfToken,
    cookie,
    get: (url) => withSession(agent.get(url), false),
    post: (url) => withSession(agent.post(url), true),
    put: (url) => withSession(agent.put(url), true),
    patch: (url) => withSession(agent.patch(url), true),
    delete: (url) => withSession(agent.delete(url), true),
  };
}

/** The `Authorization` header value for HTTP basic auth, as BasicAuthInterceptor sends it. */
export function basicAuthHeader(username: string, password: string = DEMO_PASSWORD): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
