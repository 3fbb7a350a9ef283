import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRunSplitter, parseRanges, type Range } from './font-runs.js';

/**
 * Tinos (metric-compatible with Times New Roman, Apache-2.0) from `@fontsource/tinos`, which ships
 * one WOFF per Unicode subset. Each subset is registered as its own pdfmake font family
 * (`Tinos-latin`, `Tinos-vietnamese`, …) and every text is split into runs by the subset whose
 * `unicode-range` covers each code point; the runs share metrics and baseline, so they join seamlessly.
 * Nothing is downloaded at run time: the files come with the npm package.
 */
const require = createRequire(import.meta.url);
const PKG_DIR = path.dirname(require.resolve('@fontsource/tinos/package.json'));

/** Order matters: the first subset covering a code point wins (Vietnamese letters before latin-ext). */
const SUBSETS = ['latin', 'vietnamese', 'latin-ext', 'greek', 'cyrillic', 'cyrillic-ext', 'greek-ext', 'hebrew'] as const;
type Subset = (typeof SUBSETS)[number];

const STYLES = { normal: '400-normal', bold: '700-normal', italics: '400-italic', bolditalics: '700-italic' } as const;

const FAMILY_PREFIX = 'Tinos-';

let cache: { ranges: Array<[Subset, Range[]]>; fonts: Record<string, Record<keyof typeof STYLES, Buffer>> } | undefined;

function load() {
  if (cache) return cache;
  const unicode = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'unicode.json'), 'utf8')) as Record<string, string>;
  const ranges = SUBSETS.filter((s) => unicode[s]).map((s): [Subset, Range[]] => [s, parseRanges(unicode[s]!)]);
  const fonts: Record<string, Record<keyof typeof STYLES, Buffer>> = {};
  for (const [s] of ranges) {
    fonts[FAMILY_PREFIX + s] = Object.fromEntries(Object.entries(STYLES).map(([k, file]) => [k, woffToSfnt(fs.readFileSync(path.join(PKG_DIR, 'files', `tinos-${s}-${file}.woff`)))])) as Record<keyof typeof STYLES, Buffer>;
  }
  cache = { ranges, fonts };
  return cache;
}

/** pdfmake font descriptors: family → {normal, bold, italics, bolditalics} as buffers. */
export function pdfFonts(): Record<string, Record<keyof typeof STYLES, Buffer>> {
  return load().fonts;
}

let splitter: ReturnType<typeof createRunSplitter> | undefined;
const runs = () => (splitter ??= createRunSplitter(load().ranges.map(([s, rs]) => [FAMILY_PREFIX + s, rs]), FAMILY_PREFIX + 'latin'));

/**
 * Splits text (normalised to NFC, so NFD input renders as precomposed letters) into runs of one font
 * family each (by coverage only: a subset file has no glyphs outside its range, not even a space).
 */
export function splitRuns(text: string): Array<{ text: string; font: string }> {
  return runs().splitRuns(text);
}

/**
 * WOFF 1.0 → plain TrueType, once at load: each table is zlib-inflated (when compressed) and laid
 * out in an sfnt. fontkit reads WOFF too, but re-inflates it for every document; TrueType it reads
 * straight, which makes a form several times faster to render.
 */
function woffToSfnt(woff: Buffer): Buffer {
  if (woff.readUInt32BE(0) !== 0x774f4646) throw new Error('not a WOFF file');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: Array<{ tag: number; checksum: number; data: Buffer }> = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    const tag = woff.readUInt32BE(e);
    const offset = woff.readUInt32BE(e + 4);
    const compLength = woff.readUInt32BE(e + 8);
    const origLength = woff.readUInt32BE(e + 12);
    const checksum = woff.readUInt32BE(e + 16);
    const raw = woff.subarray(offset, offset + compLength);
    tables.push({ tag, checksum, data: compLength < origLength ? zlib.inflateSync(raw) : Buffer.from(raw) });
  }
  let entrySelector = 0;
  while (2 ** (entrySelector + 1) <= numTables) entrySelector++;
  const searchRange = 2 ** entrySelector * 16;
  const headerLen = 12 + 16 * numTables;
  const total = headerLen + tables.reduce((n, t) => n + ((t.data.length + 3) & ~3), 0);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let at = headerLen;
  tables.forEach((t, i) => {
    const d = 12 + i * 16;
    out.writeUInt32BE(t.tag, d);
    out.writeUInt32BE(t.checksum, d + 4);
    out.writeUInt32BE(at, d + 8);
    out.writeUInt32BE(t.data.length, d + 12);
    t.data.copy(out, at);
    at += (t.data.length + 3) & ~3;
  });
  return out;
}
