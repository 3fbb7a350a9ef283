import { getLang } from './i18n/index.js';

/** Same-origin client of the platform API: session cookie + X-CSRF-Token on every write. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly type: string, message: string, readonly details?: unknown, readonly key?: string) {
    super(message);
  }
}

const CSRF_KEY = 'tthc.csrf';
let csrfToken: string | null = sessionStorage.getItem(CSRF_KEY);

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(cb: () => void): void {
  onUnauthorized = cb;
}

export async function api<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  // The server words its messages in the language the user reads.
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': getLang() };
  const multipart = body instanceof FormData;
  // A FormData body sets its own multipart Content-Type (with the boundary).
  if (body !== undefined && !multipart) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : multipart ? body : JSON.stringify(body), credentials: 'same-origin' });
  } catch (err) {
    throw new ApiFailure(0, 'NetworkError', (err as Error).message);
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try { data = JSON.parse(text); } catch { data = undefined; }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) onUnauthorized();
    // The platform's error shape: {type, message, details?, key?}.
    const e = (data ?? {}) as { type?: string; message?: string; details?: unknown; key?: string };
    throw new ApiFailure(res.status, e.type ?? `HTTP${res.status}`, e.message ?? res.statusText, e.details, e.key);
  }
  return data as T;
}

/** A multipart POST (fields and files): the same session, CSRF header and error shape as `api`. */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': getLang() };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers, body: form, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiFailure(0, 'NetworkError', (err as Error).message);
  }
  const data = await res.json().catch(() => undefined) as { type?: string; message?: string; details?: unknown; key?: string } | undefined;
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw new ApiFailure(res.status, data?.type ?? `HTTP${res.status}`, data?.message ?? res.statusText, data?.details, data?.key);
  }
  return data as T;
}

export const get = <T>(path: string, opts?: { quiet401?: boolean }) => api<T>('GET', path, undefined, opts);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
/** Multipart upload (files and fields) with the session's CSRF token. */
export const upload = <T>(path: string, form: FormData) => api<T>('POST', path, form);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);

export function qs(params: Record<string, string | number | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
