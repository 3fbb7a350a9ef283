/**
 * Browser scenario of consultations (`npm run test:browser:consultations`): the platform on a fresh
 * embedded database (demo data, workers running), Debian's chromium. The consulted department's
 * specialist opens the "Xin ý kiến" tab of the tasklist, sees the consultations coloured by due state,
 * opens the overdue one, cannot send it without explaining the delay, sends it with an explanation and
 * a PDF; the commune's specialist sees the consultation on the dossier's history.
 * `E2E_BASE_URL=http://…` runs it against a platform that is already up. Screenshots in test-artifacts/consultations/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { buildDesigner } from '../build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ART = path.join(ROOT, 'test-artifacts', 'consultations');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

async function startPlatform(): Promise<{ child?: ChildProcess; base: string }> {
  if (process.env.E2E_BASE_URL) return { base: process.env.E2E_BASE_URL };
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tthc-e2e-consult-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_MODE: 'true', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
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
  throw new Error(`platform did not start:\n${out}`);
}

let shot = 0;
const snap = async (page: Page, name: string) => {
  shot++;
  await page.screenshot({ path: path.join(ART, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
};

async function login(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/#/login`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill('Demo@2026');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/procedures/);
}

async function main(): Promise<void> {
  fs.mkdirSync(ART, { recursive: true });
  if (!process.env.E2E_BASE_URL) await buildDesigner();
  const { child, base } = await startPlatform();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    page.setDefaultTimeout(30_000);
    // 1. The department's specialist: the tasklist's "Xin ý kiến" tab, then the list coloured by due state.
    await login(page, base, 'chuyenvien.stnmt');
    await page.goto(`${base}/#/tasks`);
    await page.locator('[data-testid=count-consultations]', { hasText: /[1-9]/ }).waitFor();
    await snap(page, 'tasklist-tab');
    await page.click('[data-testid=tab-consultations]');
    await page.locator('[data-testid=consult-row]').first().waitFor();
    const states = await page.locator('[data-testid=consult-row] [data-testid=consult-state]').allInnerTexts();
    console.log(`consultations listed: ${states.join(', ')}`);
    if (!states.includes('Quá hạn')) throw new Error(`no overdue consultation in ${states.join(', ')}`);
    await snap(page, 'list');

    // 2. The overdue one: the explanation is shown and required.
    await page.locator('[data-testid=consult-row].due-overdue [data-testid=consult-link]').first().click();
    await page.locator('[data-testid=consult-form]').waitFor();
    if (!(await page.locator('[data-testid=consult-explain-box]').isVisible())) throw new Error('the explanation field is not shown for a late reply');
    await page.check('[data-testid=consult-opinion-agree_with_conditions]');
    await page.fill('[data-testid=consult-text]', 'Thửa đất phù hợp quy hoạch sử dụng đất; đề nghị bổ sung bản vẽ hiện trạng.');
    await page.setInputFiles('[data-testid=consult-files]', { name: 'Công văn trả lời.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await page.click('[data-testid=consult-send]');
    await page.locator('[data-testid=consult-status] .error, [data-testid=consult-status] [role=alert]').first().waitFor();
    await snap(page, 'late-needs-explanation');
    await page.fill('[data-testid=consult-explanation]', 'Chờ kết quả đo đạc thực địa của Văn phòng đăng ký đất đai.');
    await page.click('[data-testid=consult-send]');
    await page.locator('[data-testid=consult-answer]').waitFor();
    const opinion = await page.locator('[data-testid=consult-opinion]').innerText();
    if (opinion !== 'Đồng ý có điều kiện') throw new Error(`opinion shown: ${opinion}`);
    await snap(page, 'answered-late');

    // 3. The commune's specialist: the dossier's history shows the consultation.
    const code = (await page.locator('h1').first().innerText()).match(/hồ sơ (\S+)/)?.[1];
    const officer = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    officer.setDefaultTimeout(30_000);
    await login(officer, base, 'chuyenvien.xa');
    const found = await officer.request.get(`${base}/api/dossiers?code=${encodeURIComponent(code ?? '')}`);
    const id = ((await found.json()) as { items: Array<{ id: string; code: string }> }).items.find((d) => d.code === code)?.id;
    if (!id) throw new Error(`dossier ${code} not found`);
    await officer.goto(`${base}/#/dossiers/${id}`);
    await officer.locator('td', { hasText: 'Nhận ý kiến trả lời' }).first().waitFor();
    await officer.locator('td', { hasText: 'Giải trình lý do chậm' }).first().waitFor();
    await snap(officer, 'dossier-history');
    console.log(`consultations scenario ok (dossier ${code}); screenshots in ${path.relative(ROOT, ART)}`);
  } finally {
    await browser.close();
    child?.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
