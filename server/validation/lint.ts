import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ModdleElement } from './moddle.js';
import type { Finding } from './types.js';

interface Report { rule: string; id?: string; message: string; category: string }
type Pending = { resolve(r: Report[]): void; reject(e: Error): void; timer: NodeJS.Timeout };

/** Vietnamese meaning of each recommended rule; English is bpmnlint's own message. */
export const LINT_MESSAGES_VI: Record<string, string> = {
  'ad-hoc-sub-process': 'Tiểu quy trình ad-hoc không được có sự kiện bắt đầu hoặc kết thúc',
  'conditional-flows': 'Luồng đi ra từ cổng rẽ nhánh phải có điều kiện hoặc là luồng mặc định',
  'end-event-required': 'Quy trình phải có sự kiện kết thúc',
  'event-based-gateway': 'Cổng dựa trên sự kiện phải dẫn tới ít nhất hai sự kiện chờ hợp lệ',
  'event-sub-process-typed-start-event': 'Tiểu quy trình sự kiện phải bắt đầu bằng sự kiện có loại',
  'fake-join': 'Bước có nhiều luồng đi vào: hãy dùng cổng hợp nhánh rõ ràng',
  global: 'Phần tử dùng chung (thông điệp, tín hiệu, lỗi…) bị trùng hoặc không được dùng',
  'label-required': 'Phần tử phải có nhãn (tên)',
  'link-event': 'Sự kiện liên kết phải có tên và cặp bắt/ném tương ứng',
  'no-bpmndi': 'Phần tử thiếu thông tin hiển thị (BPMN DI) nên không vẽ được',
  'no-complex-gateway': 'Không dùng cổng phức hợp',
  'no-disconnected': 'Phần tử không được nối với luồng nào',
  'no-duplicate-sequence-flows': 'Có luồng tuần tự bị trùng lặp',
  'no-gateway-join-fork': 'Một cổng không được vừa hợp nhánh vừa rẽ nhánh',
  'no-implicit-split': 'Rẽ nhánh ngầm: bước có nhiều luồng ra không điều kiện, hãy dùng cổng',
  'no-implicit-end': 'Kết thúc ngầm: bước không có luồng ra, hãy thêm sự kiện kết thúc',
  'no-implicit-start': 'Bắt đầu ngầm: bước không có luồng vào, hãy thêm sự kiện bắt đầu',
  'no-inclusive-gateway': 'Không nên dùng cổng bao hàm (inclusive)',
  'no-overlapping-elements': 'Các phần tử trên sơ đồ bị chồng lên nhau',
  'single-blank-start-event': 'Chỉ được có một sự kiện bắt đầu không loại',
  'single-event-definition': 'Sự kiện chỉ được có một định nghĩa sự kiện',
  'start-event-required': 'Quy trình phải có sự kiện bắt đầu',
  'sub-process-blank-start-event': 'Tiểu quy trình phải bắt đầu bằng sự kiện bắt đầu không loại',
  'superfluous-gateway': 'Cổng thừa: chỉ có một luồng vào và một luồng ra',
  'superfluous-label': 'Nhãn thừa trên sự kiện bắt đầu/kết thúc không loại có luồng ra',
  'superfluous-termination': 'Sự kiện kết thúc huỷ (terminate) là thừa',
};

const LINT_TIMEOUT_MS = 10_000;
let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(err: Error): void {
  for (const [id, p] of pending) { clearTimeout(p.timer); p.reject(err); pending.delete(id); }
  worker = undefined;
}

/** One long-lived worker (see lint-worker.mjs for why); restarted if it dies. */
function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./lint-worker.mjs', import.meta.url));
  w.unref();
  w.on('message', (m: { id: number; reports?: Report[]; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (pending.size === 0) w.unref();
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.reports ?? []);
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', () => failAll(new Error('bpmnlint worker stopped')));
  worker = w;
  return w;
}

function lintInWorker(xml: string): Promise<Report[]> {
  const w = getWorker();
  const id = ++nextId;
  return new Promise<Report[]>((resolve, reject) => {
    const timer = setTimeout(() => { pending.delete(id); reject(new Error('bpmnlint timed out')); }, LINT_TIMEOUT_MS);
    timer.unref();
    pending.set(id, { resolve, reject, timer });
    // Keep the process alive only while a lint is in flight.
    w.ref();
    w.postMessage({ id, xml });
  });
}

type NativeLinter = (definitions: ModdleElement) => Promise<Report[]>;

/**
 * bpmnlint in this thread, on the model we already parsed: what Node runs (≈ 20 ms for 200 elements).
 * Undefined where the runtime cannot load it (jest's module runtime cannot require ESM-only
 * min-dash); there the worker, which parses again, gives the same findings.
 */
const native: NativeLinter | undefined = (() => {
  try {
    const require = createRequire(import.meta.url);
    const { Linter } = require('bpmnlint') as { Linter: new (o: object) => { lint(root: unknown): Promise<Record<string, Array<{ id?: string; message: string; category: string }>>> } };
    const StaticResolver = require('bpmnlint/lib/resolver/static-resolver') as new (cache: object) => object;
    const recommended = require('bpmnlint/config/recommended') as { rules: Record<string, string> };
    const cache: Record<string, unknown> = { 'config:bpmnlint/recommended': recommended };
    for (const name of Object.keys(recommended.rules)) cache[`rule:bpmnlint/${name}`] = require(`bpmnlint/rules/${name}`);
    const resolver = new StaticResolver(cache);
    return async (definitions) => {
      // A fresh Linter per run: rule instances are cached per Linter and some keep state.
      const results = await new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver }).lint(definitions);
      return Object.entries(results).flatMap(([rule, list]) => list.map((r) => ({ rule, id: r.id, message: r.message, category: r.category })));
    };
  } catch {
    return undefined;
  }
})();

/** Which way bpmnlint runs here (reported by the bench). */
export const lintMode = native ? 'in-process' : 'worker';

/** bpmnlint's recommended rules, as findings with rule ids prefixed `bpmnlint/`. The XML must already parse. */
export async function lintXml(xml: string, definitions?: ModdleElement): Promise<Finding[]> {
  const out: Finding[] = [];
  const reports = native && definitions ? await native(definitions) : await lintInWorker(xml);
  for (const r of reports) {
    if (r.category === 'rule-error') continue;
    out.push({
      ruleId: `bpmnlint/${r.rule}`,
      severity: r.category === 'error' ? 'error' : 'warning',
      elementId: r.id,
      message: { vi: LINT_MESSAGES_VI[r.rule] ?? r.message, en: r.message },
    });
  }
  return out;
}

/** Stops the worker (tests and shutdown); the next lint starts a new one. */
export async function stopLintWorker(): Promise<void> {
  const w = worker;
  worker = undefined;
  if (w) await w.terminate();
}
