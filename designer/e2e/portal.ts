/**
 * Browser scenario of national-portal sync and form 04 (`node --import tsx designer/e2e/portal.ts`): the
 * platform as `npm start` runs it (embedded database, demo data, one worker process, the mock portal at
 * /mock-portal), Debian's chromium. The officer receives a dossier; its page shows the sync log with the
 * portal's receipts; the administrator's "Đồng bộ DVCQG" page shows the on-time share; the reminder falls
 * due at once (REMIND_BEFORE_DUE=200d), the leader signs the apology on the task's page (a date before the
 * due date is refused first), and the dossier page offers form 04. Screenshots in test-artifacts/portal/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildDesigner } from '../build.js';
import { eventually, expectText, launch, loginPage, ROOT, snapper, startPlatform } from './support.js';

const ART = path.join(ROOT, 'test-artifacts', 'portal');
const snap = snapper(ART);

async function main(): Promise<void> {
  fs.mkdirSync(ART, { recursive: true });
  if (!process.env.E2E_BASE_URL) await buildDesigner();
  const { child, base } = await startPlatform('portal', { REMIND_BEFORE_DUE: '200d', DEMO_DOSSIERS: 'false', PORTAL_CHECK_MS: '5000' });
  const browser = await launch();
  try {
    const page = await loginPage(browser, base, 'motcua.xa');
    await page.goto(`${base}/#/dossiers/new`);
    await page.fill('[data-testid=proc-q]', 'dang ky khai sinh');
    await page.click('[data-testid="pick-1.001193"]');
    await page.getByLabel('Họ và tên').fill('Trần Văn Bình');
    await page.getByLabel('Số định danh cá nhân (12 số)').fill('079190012345');
    await page.check('[data-testid=comp-0]');
    await page.check('[data-testid=comp-1]');
    const popup = page.waitForEvent('popup').catch(() => undefined);
    await page.click('[data-testid=accept]');
    await page.waitForURL(/#\/dossiers\/[0-9a-f-]{36}$/);
    await (await popup)?.close();
    const dossierUrl = page.url();
    // The sync log: both status records (2, 4) acknowledged by the (mock) national portal.
    await eventually('both status records acknowledged', 180, async () => {
      await page.reload();
      await page.waitForSelector('[data-testid=portal-sync-log]');
      return (await page.locator('[data-testid=portal-sync-log] tr[data-state=acked]').count()) === 2;
    });
    await expectText(page, '[data-testid=portal-sync-log]', 'DVCQG-');
    await page.locator('[data-testid=portal-sync-log]').scrollIntoViewIfNeeded();
    await snap(page, 'dossier-sync-log');

    const admin = await loginPage(browser, base, 'admin');
    await admin.goto(`${base}/#/portal-sync`);
    await admin.uncheck('#portal-attention');
    await admin.waitForSelector('[data-testid=portal-sync] tr');
    await snap(admin, 'admin-portal-sync');

    // The reminder fell due at once: the leader's apology task.
    const leader = await loginPage(browser, base, 'lanhdao.xa');
    await eventually("the leader's apology task", 180, async () => {
      await leader.goto(`${base}/#/tasks`);
      // The "write the apology" task is offered to the unit's leaders: the group tab.
      await leader.click('[data-testid=tab-group]');
      await leader.waitForSelector('[data-testid=tasks], [data-testid=tasks-empty]');
      return (await leader.locator('[data-testid=task-row]', { hasText: 'thư xin lỗi' }).count()) > 0;
    });
    await snap(leader, 'leader-tasks');
    await leader.locator('[data-testid=task-row]', { hasText: 'thư xin lỗi' }).first().locator('[data-testid=task-link]').click();
    await leader.waitForSelector('[data-testid=apology]');
    if (await leader.locator('[data-testid=claim]').count()) {
      await leader.click('[data-testid=claim]');
      // Claiming reloads the page: wait for the reloaded card (its "unclaim"), not the old form about to vanish.
      await leader.locator('[data-testid=unclaim]').waitFor();
      await leader.waitForSelector('[data-testid=apology]');
    }
    await leader.fill('[data-testid=apology-reason]', 'Chờ kết quả xác minh nơi cư trú của Công an xã');
    await leader.fill('[data-testid=apology-new-date]', '2020-01-02T17:00');
    await leader.click('[data-testid=apology-sign]');
    await leader.locator('[data-testid=work-status]', { hasText: 'sau hạn ban đầu' }).waitFor({ timeout: 120_000 });
    await snap(leader, 'apology-refused');
    const due = new Date(Date.now() + 10 * 86_400_000 + 7 * 3_600_000).toISOString().slice(0, 10);
    await leader.fill('[data-testid=apology-new-date]', `${due}T17:00`);
    await leader.click('[data-testid=apology-sign]');
    await leader.locator('[data-testid=work-status]', { hasText: 'Đã ký' }).waitFor({ timeout: 120_000 });
    await snap(leader, 'apology-signed');

    // The worker issues it: the dossier page offers form 04.
    await eventually('form 04 offered on the dossier page', 180, async () => {
      await page.goto(dossierUrl);
      await page.reload();
      await page.waitForSelector('[data-testid=status]');
      return (await page.locator('[data-testid=form-04-pdf]').count()) > 0;
    });
    const href = await page.locator('[data-testid=form-04-pdf]').getAttribute('href');
    const pdf = await page.request.get(`${base}${href}`);
    if (pdf.status() !== 200) throw new Error(`form 04: ${pdf.status()}`);
    fs.writeFileSync(path.join(ART, 'form-04.pdf'), await pdf.body());
    await snap(page, 'dossier-form-04');
    console.log('portal scenario ok');
  } finally {
    await browser.close();
    child?.kill('SIGTERM');
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
