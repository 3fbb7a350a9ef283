/**
 * The review page's two diagrams (#16): each fitted to its own pane, zoom kept in step relative to
 * each one's own view, a change in the list selecting its element in both. Checked on the scenario's
 * review and on a short process (3 steps) against a long one (30 steps in one row), in both languages.
 */
import type { Page } from 'playwright-core';
import { bigDiagramXml } from './big-diagram.js';
import { expectText, pageApi, switchLang } from './support.js';

type Figures = Record<string, string | number>;
type Snap = (page: Page, name: string) => Promise<void>;
interface DiagramLook { scale: number; fits: boolean; fill: number; startVisible: boolean; visibleShapes: number }

/** Each review diagram's zoom, whether its shapes lie inside its pane, how much of the pane they fill, whether its start (leftmost shape) shows. */
async function reviewLook(page: Page): Promise<DiagramLook[]> {
  return page.evaluate(() => ['old-diagram', 'new-diagram'].map((id) => {
    const el = document.querySelector(`[data-testid=${id}]`)!;
    const box = el.getBoundingClientRect();
    const vp = el.querySelector('svg .viewport') as SVGGElement;
    const scale = vp.transform.baseVal.consolidate()?.matrix.a ?? 1;
    const shapes = [...el.querySelectorAll('.djs-element.djs-shape')].map((s) => s.getBoundingClientRect()).filter((r) => r.width);
    const [l, r, t, b] = [Math.min(...shapes.map((x) => x.left)), Math.max(...shapes.map((x) => x.right)), Math.min(...shapes.map((x) => x.top)), Math.max(...shapes.map((x) => x.bottom))];
    // (No named helpers in here: tsx would wrap them in __name, unknown in the page.)
    const inside = shapes.map((x) => x.left >= box.left - 2 && x.right <= box.right + 2 && x.top >= box.top - 2 && x.bottom <= box.bottom + 2);
    // Its start: the leftmost shape (the processes run left to right).
    const s = shapes.find((x) => x.left === l);
    return {
      scale, fits: l >= box.left - 2 && r <= box.right + 2 && t >= box.top - 2 && b <= box.bottom + 2,
      fill: Math.max((r - l) / box.width, (b - t) / box.height),
      startVisible: !!s && s.left >= box.left - 2 && s.right <= box.right + 2 && s.top >= box.top - 2 && s.bottom <= box.bottom + 2,
      visibleShapes: inside.filter(Boolean).length,
    };
  }));
}

/** A diagram opens fitted to its own pane (filling it), or, too long for that, at a legible zoom (≥ 0.65) from its start. */
function checkFirstSight(looks: DiagramLook[], where: string): void {
  for (const [i, d] of looks.entries()) {
    const ok = d.fits ? d.fill >= 0.7 || d.scale >= 0.99 : d.scale >= 0.64 && d.startVisible;
    if (!ok || d.scale < 0.64) throw new Error(`${where}: review diagram ${i} is not fitted to its own pane: ${JSON.stringify(looks)}`);
  }
}

/** Ctrl+wheel over the new diagram zooms both by the same factor; the zoom factor applied is returned. */
async function zoomBoth(page: Page, where: string): Promise<{ before: DiagramLook[]; k: number }> {
  await page.locator('[data-testid=new-diagram]').scrollIntoViewIfNeeded();
  const before = await reviewLook(page);
  const box = (await page.locator('[data-testid=new-diagram]').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -120);
  await page.keyboard.up('Control');
  await page.waitForTimeout(300);
  const after = await reviewLook(page);
  const [kOld, kNew] = [after[0]!.scale / before[0]!.scale, after[1]!.scale / before[1]!.scale];
  if (kNew < 1.05 || Math.abs(kOld - kNew) > 0.02) throw new Error(`${where}: review zoom not synchronized: old ×${kOld.toFixed(3)}, new ×${kNew.toFixed(3)}`);
  return { before, k: kNew };
}

/**
 * The scenario's review: before and after each fit their own diagram (or show its start at the legible
 * minimum zoom, 0.65) instead of sharing one viewbox; a zoom on one zooms the other by the same factor.
 */
export async function checkReviewViewboxes(page: Page, figures: Figures, snap: Snap): Promise<void> {
  checkFirstSight(await reviewLook(page), 'review');
  const { before, k } = await zoomBoth(page, 'review');
  figures['review: zoom before/after (fitted each) / zoom factor applied to both'] = `${before.map((d) => d.scale.toFixed(2)).join('/')} / ×${k.toFixed(2)}`;
  await snap(page, 'review-zoomed');
}

/** Whether the element is selected, outlined and shown inside its pane, the pane in the window, in the old and the new diagram. */
async function shownSelected(page: Page, elementId: string): Promise<[boolean, boolean]> {
  return page.evaluate((elementId) => ['old-diagram', 'new-diagram'].map((id) => {
    const pane = document.querySelector(`[data-testid=${id}]`)!;
    const el = pane.querySelector(`.djs-element.selected[data-element-id="${elementId}"]`);
    const outline = el?.querySelector('.djs-outline');
    if (!el || !outline || getComputedStyle(outline).visibility !== 'visible') return false;
    const [b, r] = [pane.getBoundingClientRect(), el.getBoundingClientRect()];
    return b.top >= 0 && b.bottom <= innerHeight && r.left >= b.left && r.right <= b.right && r.top >= b.top && r.bottom <= b.bottom;
  }) as [boolean, boolean], elementId);
}

/**
 * A short process (3 steps) under review against a long one (30 steps in one row), and the other way
 * round: both legible at first sight in their own panes, zoom in step, and a change in the list
 * selecting its element in both diagrams without pushing the other diagram out of its pane.
 * The page is logged in as the procedure's process owner; the versions go to a level the procedure
 * has no process at, so the long draft is compared with the short one (the newest earlier version).
 */
export async function reviewShortAgainstLong(page: Page, base: string, procedureId: string, figures: Figures, snap: Snap): Promise<void> {
  const api = <T>(method: string, url: string, body?: unknown) => pageApi<T>(page, method, url, body);
  const proc = await api<{ id: string; level: string }>('GET', `/api/procedures/${encodeURIComponent(procedureId)}`);
  const levels = await api<Array<{ id: string; active: boolean }>>('GET', '/api/catalog/levels');
  const level = levels.find((l) => l.id !== proc.level && l.active)?.id;
  if (!level) throw new Error(`no other level to draft at: ${JSON.stringify(levels)}`);
  const short = await api<{ id: string }>('POST', `/api/procedures/${proc.id}/versions`, { level, xml: bigDiagramXml(3, { perRow: 40 }) });
  // The long one: 27 steps added after the third, whose budget changes (a change present in both diagrams).
  const long = await api<{ id: string }>('POST', `/api/procedures/${proc.id}/versions`, { level, xml: bigDiagramXml(30, { perRow: 40, budgets: { T1: '2h' } }) });
  if (!short.id || !long.id) throw new Error('versions not created');

  for (const lang of ['vi', 'en'] as const) {
    const where = `review short/long (${lang})`;
    await page.goto(`${base}/#/versions/${long.id}`);
    await page.waitForSelector('[data-testid=old-diagram] .djs-element');
    await page.waitForSelector('[data-testid=changes] li');
    if ((await page.inputValue('[data-testid=lang]')) !== lang) {
      await switchLang(page, lang);
      await page.waitForSelector('[data-testid=old-diagram] .djs-element');
      await page.waitForSelector('[data-testid=changes] li');
    }
    const first = await reviewLook(page);
    checkFirstSight(first, where);
    const [oldLook, newLook] = first as [DiagramLook, DiagramLook];
    if (!oldLook.fits || newLook.fits) throw new Error(`${where}: the short diagram should show whole, the long one from its start: ${JSON.stringify(first)}`);
    // The long one says it shows its start only (under its own pane), in the reader's language.
    const hint = await page.evaluate(() => [...document.querySelectorAll('[data-testid=partial-hint]')].map((p) => `${p.previousElementSibling?.getAttribute('data-testid')}: ${p.textContent}`));
    const words = lang === 'vi' ? 'Kéo để xem tiếp' : 'Drag to see the rest';
    if (hint.length !== 1 || !hint[0]!.startsWith('new-diagram: ') || !hint[0]!.includes(words)) throw new Error(`${where}: the long diagram's hint: ${JSON.stringify(hint)}`);
    await snap(page, `review-short-long-${lang}`);

    // A step added far along the long row: shown selected there; the short diagram stays in its pane.
    const added = lang === 'vi' ? "Thêm bước 'Bước 26: thẩm định hồ sơ'" : "Added step 'Bước 26: thẩm định hồ sơ'";
    await page.locator('[data-testid=changes] button', { hasText: added }).click();
    await page.waitForTimeout(300);
    const [, addedShown] = await shownSelected(page, 'T25');
    const afterAdded = await reviewLook(page);
    if (!addedShown || afterAdded[0]!.visibleShapes < 3) throw new Error(`${where}: '${added}' not shown selected, or the short diagram left its pane: ${JSON.stringify(afterAdded)}`);
    await snap(page, `review-short-long-added-${lang}`);

    // A step in both (its budget changed): selected and shown in both.
    const changed = lang === 'vi' ? "Thời hạn của 'Bước 2: thẩm định hồ sơ'" : "Budget of 'Bước 2: thẩm định hồ sơ'";
    await expectText(page, '[data-testid=changes]', changed);
    await page.locator('[data-testid=changes] button', { hasText: changed }).click();
    await page.waitForTimeout(300);
    const both = await shownSelected(page, 'T1');
    if (!both[0] || !both[1]) throw new Error(`${where}: '${changed}' not shown selected in both diagrams: old ${both[0]}, new ${both[1]}`);

    // Zoom in step, from where the selection left each diagram.
    const { k } = await zoomBoth(page, where);
    figures[`review short/long (${lang}): zoom at first sight old/new / zoom factor applied to both`] = `${first.map((d) => d.scale.toFixed(2)).join('/')} / ×${k.toFixed(2)}`;
    await snap(page, `review-short-long-zoomed-${lang}`);
  }
  await switchLang(page, 'vi');
}
