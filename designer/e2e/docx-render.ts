/**
 * Looks at a generated DOCX as an image, without LibreOffice: docx-preview (a devDependency, pure
 * JavaScript over jszip) lays the document out in a blank page of the same browser, which is then
 * measured and screenshotted (the whole document, and the diagram at the size it is printed).
 */
import { createRequire } from 'node:module';
import type { BrowserContext } from 'playwright-core';

const require = createRequire(import.meta.url);
const JSZIP = require.resolve('jszip/dist/jszip.min.js');
const DOCX_PREVIEW = require.resolve('docx-preview') // dist/docx-preview.js, the UMD build (global `docx`);

export interface DocxLook {
  /** Rendered pages (sections) with their size in CSS px. */
  pages: Array<{ width: number; height: number }>;
  text: string;
  /** Computed font families of the text runs. */
  fonts: string[];
  /** Font sizes (pt) of the text runs, as the document sets them. */
  sizesPt: number[];
  /** Each image: its pixels and the size it takes on the page (CSS px, 96 per inch). */
  images: Array<{ naturalWidth: number; naturalHeight: number; width: number; height: number }>;
}

export async function renderDocx(context: BrowserContext, docx: Buffer, pngPath: string): Promise<DocxLook> {
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.setContent('<!doctype html><html lang="vi"><head><title>DOCX</title></head><body style="margin:0"><div id="doc"></div></body></html>');
    await page.addScriptTag({ path: JSZIP });
    await page.addScriptTag({ path: DOCX_PREVIEW });
    const look = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const el = document.getElementById('doc')!;
      const w = window as unknown as { docx: { renderAsync(d: Blob, c: HTMLElement, s?: HTMLElement, o?: object): Promise<unknown> } };
      await w.docx.renderAsync(new Blob([bytes]), el, undefined, { inWrapper: true, breakPages: true, renderHeaders: true, renderFooters: true });
      const imgs = [...el.querySelectorAll('img')];
      await Promise.all(imgs.map((i) => i.decode().catch(() => undefined)));
      const spans = [...el.querySelectorAll('section.docx span')].filter((s) => s.textContent?.trim());
      return {
        pages: [...el.querySelectorAll('section.docx')].map((s) => { const r = s.getBoundingClientRect(); return { width: Math.round(r.width), height: Math.round(r.height) }; }),
        text: el.innerText,
        fonts: [...new Set(spans.map((s) => getComputedStyle(s).fontFamily))],
        sizesPt: [...new Set(spans.map((s) => Math.round(parseFloat(getComputedStyle(s).fontSize) * 0.75 * 10) / 10))].sort((a, b) => a - b),
        images: imgs.map((i) => { const r = i.getBoundingClientRect(); return { naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, width: Math.round(r.width), height: Math.round(r.height) }; }),
      };
    }, docx.toString('base64'));
    await page.screenshot({ path: pngPath, fullPage: true });
    const img = page.locator('section.docx img').first();
    if (await img.count()) await img.screenshot({ path: pngPath.replace(/\.png$/, '-diagram.png') });
    return look;
  } finally {
    await page.close();
  }
}
