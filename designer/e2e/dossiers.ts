/**
 * Browser scenario of the one-stop office (`npm run test:browser:dossiers`): the platform on a fresh
 * embedded database (demo data), Debian's chromium. The officer receives a birth registration in person
 * and gets form 01 as a PDF; a citizen files a dossier online with a PDF; the officer requests a
 * supplement from the online queue; the citizen looks it up and sees what is missing.
 * `E2E_BASE_URL=http://…` runs it against a platform that is already up. Screenshots in test-artifacts/dossiers/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildDesigner } from '../build.js';
import { expectText, launch, ROOT, snapper, startPlatform } from './support.js';

const ART = path.join(ROOT, 'test-artifacts', 'dossiers');
const snap = snapper(ART);

async function main(): Promise<void> {
  fs.mkdirSync(ART, { recursive: true });
  if (!process.env.E2E_BASE_URL) await buildDesigner();
  const { child, base } = await startPlatform('dossiers');
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    page.setDefaultTimeout(30_000);
    // 1. The officer logs in and receives in person (keyboard: type, tick, press the button).
    await page.goto(`${base}/#/login`);
    await page.getByLabel('Tên đăng nhập').fill('motcua.xa');
    await page.getByLabel('Mật khẩu').fill('Demo@2026');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/procedures/);
    await page.goto(`${base}/#/dossiers/new`);
    await page.fill('[data-testid=proc-q]', 'dang ky khai sinh');
    await page.click('[data-testid="pick-1.001193"]');
    await page.getByLabel('Họ và tên').fill('Trần Văn Bình');
    await page.getByLabel('Số định danh cá nhân (12 số)').fill('079190012345');
    await page.getByLabel('Số điện thoại').fill('0987654321');
    await page.check('[data-testid=comp-0]');
    await page.check('[data-testid=comp-1]');
    await snap(page, 'receive');
    const popup = page.waitForEvent('popup').catch(() => undefined);
    await page.click('[data-testid=accept]');
    await page.waitForURL(/#\/dossiers\/[0-9a-f-]{36}$/);
    await (await popup)?.close();
    await expectText(page, '[data-testid=status]', 'Đang xử lý');
    const due = await page.locator('[data-testid=due]').innerText();
    await snap(page, 'accepted');
    // 2. Form 01 as a PDF, with the stored due date.
    const href = await page.locator('[data-testid=form-01-pdf]').getAttribute('href');
    const pdf = await page.request.get(`${base}${href}`);
    if (pdf.status() !== 200 || pdf.headers()['content-type'] !== 'application/pdf') throw new Error(`form 01: ${pdf.status()}`);
    fs.writeFileSync(path.join(ART, 'form-01.pdf'), await pdf.body());
    console.log(`form 01 PDF ok (${(await pdf.body()).length} bytes), due shown ${due}`);

    // 3. A citizen files online (no login) with a PDF.
    const citizen = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    citizen.setDefaultTimeout(30_000);
    // A citizen knows only the platform's address: it opens on the staff login, which links the public pages.
    await citizen.goto(`${base}/`);
    await citizen.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).first().click();
    await citizen.waitForURL((u) => u.hash === '#/public/file');
    await citizen.fill('[data-testid=proc-q]', 'khai sinh');
    await citizen.click('[data-testid="pick-1.001193"]');
    await citizen.getByLabel('Họ và tên').fill('Lê Thị Cúc');
    await citizen.getByLabel('Số điện thoại').fill('0911222333');
    await citizen.setInputFiles('[data-testid=file-0]', { name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await citizen.click('[data-testid=file-submit]');
    const filed = await citizen.locator('[data-testid=filed-code]').innerText();
    const code = /([A-Z0-9.]+-\d{6}-\d+)/.exec(filed)?.[1];
    if (!code) throw new Error(`no code in "${filed}"`);
    await snap(citizen, 'filed-online');

    // 4. The officer opens the online queue and requests a supplement (form 02).
    await page.goto(`${base}/#/dossiers?status=1`);
    await page.click(`text=${code}`);
    await page.click('[data-testid=do-supplement]');
    await page.fill('[data-testid=ask-answer]', 'Giấy chứng sinh');
    await page.click('[data-testid=ask-ok]');
    await expectText(page, '[data-testid=status]', 'Yêu cầu bổ sung');
    await snap(page, 'supplement-requested');

    // 5. The citizen looks it up with the last 4 digits of the phone.
    await citizen.goto(`${base}/#/public`);
    await citizen.waitForURL((u) => u.hash === '#/public/lookup');
    await citizen.fill('[data-testid=lk-code]', code);
    await citizen.fill('[data-testid=lk-factor]', '2333');
    await citizen.click('[data-testid=lk-submit]');
    await expectText(citizen, '[data-testid=lookup-supplement]', 'Giấy chứng sinh');
    await snap(citizen, 'lookup');
    console.log(`dossiers e2e ok: received in person, form 01, filed online ${code}, supplement requested, looked up`);
  } finally {
    await browser.close();
    child?.kill();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
