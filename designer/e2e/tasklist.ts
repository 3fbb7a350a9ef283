/**
 * Browser scenario of the staff tasklist (`npm run test:browser:tasklist`), each person logging in
 * with their own account: the one-stop officer receives a building permit (1.009994) in person; the
 * division head assigns the appraisal to a specialist; the specialist appraises and attaches the draft;
 * the head returns it once with a reason; the specialist corrects it; the head approves; the leader
 * signs; the clerical officer issues it; the one-stop officer hands the result back. Then the control
 * slip (form 06) PDF lists every hand-over, and axe-core finds no WCAG 2 A/AA violation on the pages
 * staff use. Screenshots in test-artifacts/tasklist/.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pdfText } from '../../test/helpers/pdf-text.js';
import { buildDesigner } from '../build.js';
import { axeViolations, eventually, expectText, launch, loginPage, ROOT, snapper, startPlatform } from './support.js';

const snap = snapper(path.join(ROOT, 'test-artifacts', 'tasklist'));
const accessibility: Record<string, string[]> = {};
const PDF = { name: 'du-thao-giay-phep.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n') };

async function checkA11y(page: Page, name: string): Promise<void> {
  accessibility[name] = await axeViolations(page);
}

/** Opens the dossier from the user's tasklist tab (the list finds it by its code). */
async function openFromTasklist(page: Page, base: string, tab: 'mine' | 'group', code: string): Promise<void> {
  await page.goto(`${base}/#/tasks?tab=${tab}&code=${encodeURIComponent(code)}`);
  await page.locator('[data-testid=task-link]', { hasText: code }).first().click();
  await page.locator('[data-testid=actions]').first().waitFor();
}

/** Completes the open step shown on the work page, with an outcome, comment and files when given. */
async function completeStep(page: Page, step: string, opts: { outcome?: string; comment?: string; file?: boolean } = {}): Promise<void> {
  const card = page.locator('[data-testid=actions]', { hasText: step });
  await card.waitFor();
  if (await card.locator('[data-testid=claim]').count()) {
    await card.locator('[data-testid=claim]').click();
    await page.locator('[data-testid=actions]', { hasText: step }).locator('[data-testid=unclaim]').waitFor();
  }
  const fresh = page.locator('[data-testid=actions]', { hasText: step });
  if (opts.outcome) await fresh.locator(`[data-testid=outcome-${opts.outcome}]`).check();
  if (opts.comment) await fresh.locator('[data-testid=comment]').fill(opts.comment);
  if (opts.file) await fresh.locator('input[type=file]').setInputFiles(PDF);
  await fresh.locator('[data-testid=complete]').click();
  await page.locator('[data-testid=actions]', { hasText: step }).waitFor({ state: 'detached' });
}

async function scenario(browser: Browser, base: string): Promise<void> {
  // 1. Reception in person.
  const motcua = await loginPage(browser, base, 'motcua.xa');
  await motcua.goto(`${base}/#/dossiers/new`);
  await motcua.fill('[data-testid=proc-q]', 'giay phep xay dung');
  await motcua.click('[data-testid="pick-1.009994"]');
  await motcua.getByLabel('Họ và tên').fill('Phạm Thị Hoà');
  await motcua.getByLabel('Số định danh cá nhân (12 số)').fill('079190054321');
  await motcua.getByLabel('Số điện thoại').fill('0905123456');
  for (let i = 0; i < await motcua.locator('[data-testid^=comp-]').count(); i++) await motcua.check(`[data-testid=comp-${i}]`);
  const popup = motcua.waitForEvent('popup').catch(() => undefined);
  await motcua.click('[data-testid=accept]');
  await motcua.waitForURL(/#\/dossiers\/[0-9a-f-]{36}$/);
  await (await popup)?.close();
  await expectText(motcua, '[data-testid=status]', 'Đang xử lý');
  const code = (await motcua.locator('h1').first().innerText()).split(/\s/)[0]!;
  console.log(`  received ${code}`);
  await checkA11y(motcua, 'dossier page');
  await openFromTasklist(motcua, base, 'group', code);
  await checkA11y(motcua, 'work page');
  await completeStep(motcua, 'Tiếp nhận hồ sơ', { comment: 'Hồ sơ đủ thành phần' });

  // 2. The division head takes the assignment step, then names the specialist for the appraisal.
  const head = await loginPage(browser, base, 'truongphong.xa');
  await openFromTasklist(head, base, 'group', code);
  await snap(head, 'head-assignment-step');
  await completeStep(head, 'Phân công thụ lý', { comment: 'Giao chuyên viên Chuyên thụ lý' });
  const appraisal = head.locator('[data-testid=actions]', { hasText: 'Thẩm định hồ sơ' });
  await appraisal.locator('[data-testid=assign-to]').selectOption('chuyenvien.xa');
  await appraisal.locator('[data-testid=assign-reason]').fill('Chuyên viên phụ trách địa bàn');
  await appraisal.locator('[data-testid=assign]').click();
  await head.locator('[data-testid=actions]', { hasText: 'Thẩm định hồ sơ' }).locator('[data-testid=unclaim]').waitFor();
  await snap(head, 'head-assigned');

  // 3. The specialist finds it under "mine", appraises, attaches the draft permit.
  const specialist = await loginPage(browser, base, 'chuyenvien.xa');
  await specialist.goto(`${base}/#/tasks?tab=mine`);
  await specialist.locator('[data-testid=task-row]').first().waitFor();
  await snap(specialist, 'specialist-mine');
  await checkA11y(specialist, 'tasklist');
  await openFromTasklist(specialist, base, 'mine', code);
  await completeStep(specialist, 'Thẩm định hồ sơ', { comment: 'Đủ điều kiện cấp phép', file: true });

  // 4. The head returns it once, with a reason (the form refuses "return" without one).
  await openFromTasklist(head, base, 'group', code);
  await completeStep(head, 'Xem xét kết quả thẩm định', { outcome: 'return', comment: 'Bổ sung bản vẽ mặt đứng vào dự thảo' });

  // 5. The specialist corrects it; the head approves.
  await openFromTasklist(specialist, base, 'group', code);
  await completeStep(specialist, 'Thẩm định hồ sơ', { comment: 'Đã bổ sung bản vẽ mặt đứng', file: true });
  await openFromTasklist(head, base, 'group', code);
  await completeStep(head, 'Xem xét kết quả thẩm định', { outcome: 'approve', comment: 'Trình ký' });

  // 6. The leader signs, the clerical officer issues, the one-stop officer returns the result.
  const leader = await loginPage(browser, base, 'lanhdao.xa');
  await openFromTasklist(leader, base, 'group', code);
  await completeStep(leader, 'Ký giấy phép xây dựng', { comment: 'Đã ký' });
  const clerk = await loginPage(browser, base, 'vanthu.xa');
  await openFromTasklist(clerk, base, 'group', code);
  await completeStep(clerk, 'Đóng dấu, phát hành', { comment: 'Số 15/GPXD' });
  await openFromTasklist(motcua, base, 'group', code);
  await completeStep(motcua, 'Trả kết quả', { comment: 'Đã trả cho công dân' });
  await snap(motcua, 'all-steps-done');

  // 7. The dossier is resolved (9) when the process ends; the officer records the hand-back (10).
  const dossierUrl = await motcua.evaluate(async (c) => {
    const r = await fetch(`/api/dossiers/by-code/${c}`);
    return `#/dossiers/${(await r.json() as { id: string }).id}`;
  }, code);
  // The resolution poller runs every 2 s; reload (going to the same hash again would not re-render the page).
  await motcua.goto(`${base}/${dossierUrl}`);
  await eventually('the dossier resolved (status 9)', 180, async () => {
    await motcua.locator('[data-testid=status]').waitFor();
    if ((await motcua.locator('[data-testid=status]').innerText()).startsWith('9')) return true;
    await motcua.reload();
    return false;
  });
  await motcua.click('[data-testid=do-return]');
  await expectText(motcua, '[data-testid=status]', 'Đã trả kết quả');
  await snap(motcua, 'returned');

  // 8. The control slip lists every hand-over, the return included.
  const timeline = await head.evaluate(async (c) => {
    const d = await (await fetch(`/api/dossiers/by-code/${c}`)).json() as { instanceId: string };
    return { instanceId: d.instanceId };
  }, code);
  const pdf = await head.request.get(`${base}/api/dossiers/${timeline.instanceId}/forms/06.pdf`);
  if (pdf.status() !== 200) throw new Error(`form 06: ${pdf.status()}`);
  const text = (await pdfText(await pdf.body())).replace(/\s+/g, ' ');
  const expected = ['PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ', code, 'Võ Thị Một', 'Bùi Văn Trưởng', 'Đặng Văn Chuyên', 'Ngô Thị Văn Thư'];
  const missing = expected.filter((s) => !text.includes(s));
  if (missing.length) throw new Error(`form 06 lacks ${missing.join(', ')}:\n${text.slice(0, 2000)}`);
  const handOvers = (text.match(/Giao: /g) ?? []).length;
  // B1, B2, B3, B4 (returned), B3 again, B4, B5, B6, B7.
  if (handOvers < 9) throw new Error(`form 06 lists ${handOvers} hand-overs, expected 9`);
  console.log(`  form 06: ${handOvers} hand-overs, every person named`);

  await leader.goto(`${base}/#/sos`);
  await leader.locator('h1').first().waitFor();
  await checkA11y(leader, 'SOS board');
}

async function main(): Promise<void> {
  if (!process.env.E2E_BASE_URL) await buildDesigner();
  const { child, base } = await startPlatform('tasklist');
  const browser = await launch();
  try {
    await scenario(browser, base);
    const failing = Object.entries(accessibility).filter(([, v]) => v.length);
    for (const [page, v] of Object.entries(accessibility)) console.log(`  axe ${page}: ${v.length ? v.join('; ') : 0}`);
    if (failing.length) throw new Error(`accessibility violations on ${failing.map(([p]) => p).join(', ')}`);
    console.log('tasklist e2e ok: received, assigned, appraised, returned once, corrected, approved, signed, issued, returned; form 06 checked; axe clean');
  } finally {
    await browser.close();
    child?.kill();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
