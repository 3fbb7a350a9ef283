/**
 * The platform's HTTP API and the engine's REST API, as the workers see them: JSON over HTTP with
 * basic auth. Nothing here imports the server.
 */

/** A request the platform refused (4xx): retrying it unchanged cannot succeed. */
export class Refused extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

export interface Http {
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }>;
}

export function createHttp(baseUrl: string, auth: { username: string; password: string }, timeoutMs = 30_000): Http {
  const authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: authorization, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) as T & { type?: string; message?: string } : (undefined as T);
    if (res.status >= 400 && res.status < 500) {
      const p = parsed as { type?: string; message?: string } | undefined;
      throw new Refused(res.status, p?.type ?? 'Refused', `${method} ${path} → ${res.status} ${p?.message ?? ''}`.trim());
    }
    if (res.status >= 500) throw new Error(`${method} ${path} → ${res.status} ${(parsed as { message?: string } | undefined)?.message ?? ''}`.trim());
    return { status: res.status, body: parsed };
  }
  return {
    get: async <T>(path: string) => (await call<T>('GET', path)).body,
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
  };
}
