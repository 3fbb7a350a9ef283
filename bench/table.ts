/** One row of the benchmark table: what was measured, the figure, and the target it answers to. */
export interface BenchRow {
  area: string;
  metric: string;
  value: string;
  target?: string;
  /** undefined when the row has no target. */
  ok?: boolean;
}

export type BenchSection = () => Promise<BenchRow[]>;

export function printTable(rows: BenchRow[]): void {
  const head = ['area', 'metric', 'value', 'target', ''];
  const cells = rows.map((r) => [r.area, r.metric, r.value, r.target ?? '', r.ok === undefined ? '' : r.ok ? 'ok' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

/** p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
