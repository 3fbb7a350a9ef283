import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDesigner, bundleSize } from '../designer/build.js';
import { bigDiagramXml } from '../designer/e2e/big-diagram.js';
import { BpmnModdle } from 'bpmn-moddle';
import { buildStepTable } from '../designer/src/tthc/steps.js';
import { percentile, type BenchRow } from './table.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kib = (n: number) => `${Math.round(n / 1024)} KiB`;

/** Bytes the login/catalogue pages load: index.html and the assets it references (the modeler is a lazy chunk). */
function initialBytes(): number {
  const dist = path.join(ROOT, 'designer/dist');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  let total = Buffer.byteLength(html);
  for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)) total += fs.statSync(path.join(dist, m[1]!)).size;
  return total;
}

export default async function designerBench(): Promise<BenchRow[]> {
  await buildDesigner();
  const size = bundleSize();
  const rows: BenchRow[] = [
    { area: 'designer', metric: 'built bundle, all chunks (js + css + fonts)', value: kib(size.bytes) },
    { area: 'designer', metric: 'first page load (login, catalogue)', value: kib(initialBytes()), target: '< 1 MiB', ok: initialBytes() < 1024 * 1024 },
  ];

  // The browser-side work of each validation round on a 300-element diagram: parse + step table + longest path.
  const json = (p: string) => JSON.parse(fs.readFileSync(path.join(ROOT, p), 'utf8'));
  const moddle = new BpmnModdle({ camunda: json('node_modules/camunda-bpmn-moddle/resources/camunda.json'), tthc: json('server/validation/tthc-moddle.json') });
  const xml = bigDiagramXml(149);
  const { rootElement } = await moddle.fromXML(xml);
  // Warm-up first: the JIT's first rounds are not what an editing session sees.
  for (let i = 0; i < 5; i++) buildStepTable(rootElement as never, 'vi');
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    buildStepTable(rootElement as never, 'vi');
    times.push(performance.now() - t0);
  }
  const p95 = percentile(times, 95);
  rows.push({ area: 'designer', metric: 'step table + longest path, 300 elements (p95)', value: `${p95.toFixed(1)} ms`, target: '< 50 ms', ok: p95 < 50 });

  // Browser figures come from the last `npm run test:browser` (it needs chromium and a running platform).
  const figuresFile = path.join(ROOT, 'test-artifacts/designer/figures.json');
  if (fs.existsSync(figuresFile)) {
    const f = JSON.parse(fs.readFileSync(figuresFile, 'utf8')) as Record<string, string | number>;
    const open = Number(f['300-element diagram: importXML (median ms)']);
    const page = Math.max(...Object.entries(f).filter(([k]) => k.startsWith('300-element diagram: page to rendered')).map(([, v]) => Number(v)));
    const feedback = Number(f['validation feedback after edit (median, server incl., ms)']);
    if (Number.isFinite(open)) rows.push({ area: 'designer', metric: 'open 300-element diagram, importXML (browser, median)', value: `${open} ms`, target: '< 1500 ms', ok: open < 1500 });
    if (Number.isFinite(page)) rows.push({ area: 'designer', metric: 'open 300-element diagram, navigation to rendered (worst of 3)', value: `${page} ms`, target: '< 1500 ms', ok: page < 1500 });
    const fromKey = Number(f['budget bar after a keystroke (median, from keydown, ms)']);
    if (Number.isFinite(fromKey)) rows.push({ area: 'designer', metric: 'budget bar follows a keystroke in the panel (browser, from keydown)', value: `${fromKey} ms`, target: '< 300 ms', ok: fromKey < 300 });
    for (const kind of ['PDF', 'DOCX']) {
      const ms = Number(f[`annex ${kind}: click to file (ms)`]);
      if (Number.isFinite(ms)) rows.push({ area: 'designer', metric: `step-table annex ${kind}, click to file (browser)`, value: `${ms} ms`, target: '< 3000 ms', ok: ms < 3000 });
      // A long process: 150 rows and its diagram cut into nine tiles.
      const big = Number(f[`annex ${kind} (300 elements): click to file (ms)`]);
      if (Number.isFinite(big)) rows.push({ area: 'designer', metric: `step-table annex ${kind}, 300 elements, click to file (browser)`, value: `${big} ms`, target: '< 3000 ms', ok: big < 3000 });
    }
    if (Number.isFinite(feedback)) rows.push({ area: 'designer', metric: 'validation feedback after an edit (browser, server incl.)', value: `${feedback} ms`, target: '< 300 ms', ok: feedback < 300 });
  } else {
    rows.push({ area: 'designer', metric: 'browser figures', value: 'run `npm run test:browser` first' });
  }
  return rows;
}
