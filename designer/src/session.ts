import { get, post, setCsrfToken } from './api.js';
import type { User } from './types.js';

let me: User | null = null;

export function currentUser(): User | null {
  return me;
}

export function hasRole(role: string): boolean {
  return !!me?.roles?.some((r) => r.role === role || r.role === 'system-admin');
}

export async function loadMe(): Promise<User | null> {
  try {
    const r = await get<{ user?: User; csrfToken?: string } & Partial<User>>('/api/auth/me', { quiet401: true });
    me = r.user ?? (r.username ? (r as User) : null);
    if (r.csrfToken) setCsrfToken(r.csrfToken);
  } catch {
    me = null;
  }
  return me;
}

export async function login(username: string, password: string): Promise<User> {
  const r = await post<{ user: User; csrfToken: string }>('/api/auth/login', { username, password });
  setCsrfToken(r.csrfToken);
  me = r.user;
  return r.user;
}

export async function logout(): Promise<void> {
  try { await post('/api/auth/logout'); } finally {
    setCsrfToken(null);
    me = null;
  }
}
