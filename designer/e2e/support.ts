/**
 * What the browser scenarios share: a platform started on a fresh embedded database (or the one at
 * E2E_BASE_URL), Debian's chromium, a logged-in page per demo user, screenshots, waits on text,
 * and axe-core's WCAG 2 A/AA check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serverNodeArgs } from '../../test/helpers/server-command.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DEMO_PASSWORD = 'Demo@2026';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

export async function startPlatform(name: string, env: NodeJS.ProcessEnv = {}): Promise<{ child?: ChildProcess; base: string }> {
  if (process.env.E2E_BASE_URL) return { base: process.env.E2E_BASE_URL };
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tthc-e2e-${name}-`));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_MODE: 'true', LOG_LEVEL: 'warn', ...env };
  delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, serverNodeArgs(), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`platform exited:\n${out}`);
    try { if ((await fetch(`${base}/api/health`)).ok) return { child, base }; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error(`platform did not start:\n${out}`);
}

export const launch = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

/** A page in its own browser context (own cookies), logged in through the login form. */
export async function loginPage(browser: Browser, base: string, username: string): Promise<Page> {
  // bypassCSP only so axe-core can be injected; the pages themselves run under the real policy's rules otherwise.
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', bypassCSP: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => console.log(`  [${username}] page error: ${e.message}`));
  await page.goto(`${base}/#/login`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.hash.startsWith('#/login'));
  return page;
}

export function snapper(dir: string): (page: Page, name: string) => Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  let shot = 0;
  return async (page, name) => {
    shot++;
    await page.screenshot({ path: path.join(dir, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
}

/**
 * Switches the language and waits for the re-render it starts to finish (the app's root is
 * aria-busy meanwhile), so the next focus or click lands on the new page, not the one leaving.
 */
export async function switchLang(page: Page, lang: 'vi' | 'en'): Promise<void> {
  await page.selectOption('[data-testid=lang]', lang);
  await page.waitForSelector('#app:not([aria-busy])', { state: 'attached' });
}

/**
 * Repeats `look` (a reload and a look) until it answers true, for up to `seconds`: the workers and
 * pollers run on their own clock, so a loaded machine is given time, not a count of tries.
 */
export async function eventually(what: string, seconds: number, look: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (await look()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Waits until the element shows the text (pages re-render after a command). */
export async function expectText(page: Page, selector: string, text: string): Promise<void> {
  try {
    await page.locator(selector, { hasText: text }).first().waitFor({ timeout: 30_000 });
  } catch {
    throw new Error(`${selector}: expected "${text}", got "${await page.locator(selector).first().innerText().catch(() => '')}"`);
  }
}

/** axe-core (WCAG 2 A/AA) on the page as it stands: the violations, each with its rule and first target. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(d: Document, o: unknown): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> }> } })
      .axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.map((v) => `${v.id} (${v.nodes.length}× e.g. ${JSON.stringify(v.nodes[0]?.target ?? [])})`);
  });
  return violations;
}

/** The API from inside the page (same session and CSRF token as the app). */
export async function pageApi<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(async ({ method, url, body }) => {
    const res = await fetch(url, {
      method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('tthc.csrf') ?? '' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }, { method, url, body }) as Promise<T>;
}
