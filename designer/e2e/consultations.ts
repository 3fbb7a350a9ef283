/**
 * Browser scenario of consultations (`npm run test:browser:consultations`): the platform on a fresh
 * embedded database (demo data, workers running), Debian's chromium. The consulted department's
 * specialist opens the "Xin ý kiến" tab of the tasklist, sees the consultations coloured by due state,
 * opens the overdue one, cannot send it without explaining the delay, sends it with an explanation and
 * a PDF; the commune's specialist sees the consultation on the dossier's history; a consultation sent
 * to Sở Tư pháp is answered by the specialist of its division (Phòng Hành chính tư pháp).
 * `E2E_BASE_URL=http://…` runs it against a platform that is already up. Screenshots in test-artifacts/consultations/.
 */
import path from 'node:path';
import { buildDesigner } from '../build.js';
import { axeViolations, launch, loginPage, ROOT, snapper, startPlatform } from './support.js';

const ART = path.join(ROOT, 'test-artifacts', 'consultations');
const snap = snapper(ART);

async function main(): Promise<void> {
  if (!process.env.E2E_BASE_URL) await buildDesigner();
  const { child, base } = await startPlatform('consult');
  const browser = await launch();
  try {
    // 1. The department's specialist: the tasklist's "Xin ý kiến" tab, then the list coloured by due state.
    const page = await loginPage(browser, base, 'chuyenvien.stnmt');
    await page.goto(`${base}/#/tasks`);
    await page.locator('[data-testid=count-consultations]', { hasText: /[1-9]/ }).waitFor();
    await snap(page, 'tasklist-tab');
    await page.click('[data-testid=tab-consultations]');
    await page.locator('[data-testid=consult-row]').first().waitFor();
    const states = await page.locator('[data-testid=consult-row] [data-testid=consult-state]').allInnerTexts();
    console.log(`consultations listed: ${states.join(', ')}`);
    if (!states.includes('Quá hạn')) throw new Error(`no overdue consultation in ${states.join(', ')}`);
    await snap(page, 'list');
    const listA11y = await axeViolations(page);

    // 2. The overdue one: the explanation is shown and required.
    await page.locator('[data-testid=consult-row].due-overdue [data-testid=consult-link]').first().click();
    await page.locator('[data-testid=consult-form]').waitFor();
    if (!(await page.locator('[data-testid=consult-explain-box]').isVisible())) throw new Error('the explanation field is not shown for a late reply');
    // The reply budget in words, not the drawing's "2d".
    const deadline = await page.locator('[data-testid=consult-deadline]').innerText();
    if (!/^\d+(,\d+)? (ngày|giờ) làm việc$/.test(deadline)) throw new Error(`reply deadline shown as "${deadline}"`);
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
    // The history names people, not accounts.
    const actors = await page.locator('[data-testid=consult-actor]').allInnerTexts();
    if (!actors.includes('Trịnh Văn Đất Đai') || actors.some((a) => a.includes('.'))) throw new Error(`history actors: ${actors.join(', ')}`);

    // 3. The commune's specialist: the dossier's history shows the consultation.
    const code = (await page.locator('h1').first().innerText()).match(/hồ sơ (\S+)/)?.[1];
    const formA11y = await axeViolations(page);
    const officer = await loginPage(browser, base, 'chuyenvien.xa');
    const found = await officer.request.get(`${base}/api/dossiers?code=${encodeURIComponent(code ?? '')}`);
    const id = ((await found.json()) as { items: Array<{ id: string; code: string }> }).items.find((d) => d.code === code)?.id;
    if (!id) throw new Error(`dossier ${code} not found`);
    await officer.goto(`${base}/#/dossiers/${id}`);
    await officer.locator('td', { hasText: 'Nhận ý kiến trả lời' }).first().waitFor();
    await officer.locator('td', { hasText: 'Giải trình lý do chậm' }).first().waitFor();
    await snap(officer, 'dossier-history');

    // 4. A consultation sent to Sở Tư pháp reaches its division: Phòng Hành chính tư pháp's specialist answers it.
    const division = await loginPage(browser, base, 'chuyenvien.stp');
    await division.goto(`${base}/#/consultations`);
    await division.locator('[data-testid=consult-row]').first().waitFor();
    await snap(division, 'division-list');
    await division.locator('[data-testid=consult-link]').first().click();
    await division.locator('[data-testid=consult-form]').waitFor();
    await division.check('[data-testid=consult-opinion-agree]');
    await division.fill('[data-testid=consult-text]', 'Thông tin hộ tịch của người yêu cầu khớp với Cơ sở dữ liệu hộ tịch điện tử.');
    await division.click('[data-testid=consult-send]');
    await division.locator('[data-testid=consult-answer]').waitFor();
    await division.locator('[data-testid=consult-actor]', { hasText: 'Huỳnh Văn Tư Pháp' }).first().waitFor();
    await snap(division, 'division-answered');

    console.log(`  axe consultations list: ${listA11y.length ? listA11y.join('; ') : 0}; consultation page: ${formA11y.length ? formA11y.join('; ') : 0}`);
    if (listA11y.length || formA11y.length) throw new Error('accessibility violations on the consultation pages');
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
