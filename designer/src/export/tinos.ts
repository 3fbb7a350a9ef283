import unicode from '@fontsource/tinos/unicode.json' with { type: 'json' };
import latin400 from '@fontsource/tinos/files/tinos-latin-400-normal.woff?url';
import latin700 from '@fontsource/tinos/files/tinos-latin-700-normal.woff?url';
import latin400i from '@fontsource/tinos/files/tinos-latin-400-italic.woff?url';
import latin700i from '@fontsource/tinos/files/tinos-latin-700-italic.woff?url';
import vi400 from '@fontsource/tinos/files/tinos-vietnamese-400-normal.woff?url';
import vi700 from '@fontsource/tinos/files/tinos-vietnamese-700-normal.woff?url';
import vi400i from '@fontsource/tinos/files/tinos-vietnamese-400-italic.woff?url';
import vi700i from '@fontsource/tinos/files/tinos-vietnamese-700-italic.woff?url';
import ext400 from '@fontsource/tinos/files/tinos-latin-ext-400-normal.woff?url';
import ext700 from '@fontsource/tinos/files/tinos-latin-ext-700-normal.woff?url';
import ext400i from '@fontsource/tinos/files/tinos-latin-ext-400-italic.woff?url';
import ext700i from '@fontsource/tinos/files/tinos-latin-ext-700-italic.woff?url';
import { createRunSplitter, parseRanges } from '../../../server/documents/font-runs.js';

/**
 * Tinos (metric-compatible with Times New Roman, the administrative standard) for the annex PDF made
 * in the browser, from the same `@fontsource/tinos` files the server's documents use: one font file
 * per Unicode subset, so text is split into runs by the subset covering each code point
 * (server/documents/font-runs.ts). The files are served by the platform and fetched by pdfmake only
 * when a PDF is made; the Vietnamese office text needs latin, vietnamese and latin-ext.
 */
const abs = (u: string) => new URL(u, location.href).href;
const FILES: Record<string, { normal: string; bold: string; italics: string; bolditalics: string }> = {
  'Tinos-latin': { normal: latin400, bold: latin700, italics: latin400i, bolditalics: latin700i },
  'Tinos-vietnamese': { normal: vi400, bold: vi700, italics: vi400i, bolditalics: vi700i },
  'Tinos-latin-ext': { normal: ext400, bold: ext700, italics: ext400i, bolditalics: ext700i },
};

/** pdfmake font descriptors (absolute URLs) of the given families (all when none given). */
export function tinosFonts(families?: string[]): Record<string, { normal: string; bold: string; italics: string; bolditalics: string }> {
  return Object.fromEntries(Object.entries(FILES).filter(([k]) => !families || families.includes(k)).map(([k, v]) => [k, { normal: abs(v.normal), bold: abs(v.bold), italics: abs(v.italics), bolditalics: abs(v.bolditalics) }]));
}

const table = unicode as Record<string, string>;
const splitter = createRunSplitter(['latin', 'vietnamese', 'latin-ext'].map((s) => [`Tinos-${s}`, parseRanges(table[s]!)]), 'Tinos-latin');

/** pdfmake text: runs of one Tinos subset each (pass the result as a node's `text`). */
export function tinosText(text: string): Array<{ text: string; font: string }> {
  return splitter.splitRuns(text);
}
