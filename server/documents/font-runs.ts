/**
 * Text split into runs by the font file that covers each code point. `@fontsource/tinos` ships one
 * file per Unicode subset (latin, vietnamese, latin-ext…) described by CSS `unicode-range`s; a
 * Vietnamese word needs several of them ("Việt": V, i, t from latin, ệ from vietnamese). Pure: used by
 * the server's documents (fonts.ts) and by the designer's annex PDF in the browser.
 */
export interface Range { from: number; to: number }

/** `U+0000-00FF,U+0131` → ranges. */
export function parseRanges(spec: string): Range[] {
  return spec.split(',').map((s) => s.trim().replace(/^U\+/i, '')).filter(Boolean).map((s) => {
    const [a, b] = s.split('-');
    return { from: parseInt(a!, 16), to: parseInt(b ?? a!, 16) };
  });
}

/** `ranges`: family → its ranges, in priority order (the first covering a code point wins). */
export function createRunSplitter(ranges: Array<[string, Range[]]>, fallback: string) {
  const memo = new Map<number, string>();
  function familyFor(cp: number): string {
    const hit = memo.get(cp);
    if (hit) return hit;
    const fam = ranges.find(([, rs]) => rs.some((r) => cp >= r.from && cp <= r.to))?.[0] ?? fallback;
    memo.set(cp, fam);
    return fam;
  }
  /** Runs of one family each; input normalised to NFC so NFD text renders as precomposed letters. */
  function splitRuns(text: string): Array<{ text: string; font: string }> {
    const out: Array<{ text: string; font: string }> = [];
    for (const ch of text.normalize('NFC')) {
      const fam = familyFor(ch.codePointAt(0)!);
      const last = out[out.length - 1];
      if (last && last.font === fam) last.text += ch;
      else out.push({ text: ch, font: fam });
    }
    return out;
  }
  return { familyFor, splitRuns };
}
