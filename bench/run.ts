import { printTable, type BenchRow, type BenchSection } from './table.js';

/**
 * `npm run bench [area…]`: runs each area's section in one process, on this machine,
 * and prints one table. Each capability adds its section file here.
 */
const SECTIONS: Record<string, () => Promise<{ default: BenchSection }>> = {
  calendar: () => import('./calendar.js'),
  designer: () => import('./designer.js'),
  dossiers: () => import('./dossiers.js'),
  engine: () => import('./engine.js'),
  identity: () => import('./identity.js'),
  lifecycle: () => import('./lifecycle.js'),
  tasklist: () => import('./tasklist.js'),
  workers: () => import('./workers.js'),
};

const wanted = process.argv.slice(2);
const rows: BenchRow[] = [];
for (const [area, load] of Object.entries(SECTIONS)) {
  if (wanted.length && !wanted.includes(area)) continue;
  process.stderr.write(`bench: ${area}…\n`);
  const section = (await load()).default;
  rows.push(...(await section()));
}
printTable(rows);
process.exit(0);
