import { LRUCache } from 'lru-cache';
import { parseBpmn } from '../validation/index.js';

/**
 * The outcomes a user task declares: `tthc:outcomes="approve:Đồng ý, trình ký; return!:Trả lại bước trước"`.
 * Items are separated by `;`, each `key[!][:label]`; the key (`[a-z][a-z0-9-]*`) reaches the
 * process as the variable `outcome` (gateways route on `${outcome == 'return'}`); `!` means a
 * reason (comment) is required with it. A task without the attribute is completed with no outcome.
 */
export interface Outcome { key: string; label: string; reasonRequired: boolean }

export interface StepInfo {
  name?: string;
  budget?: string;
  role?: string;
  outcomes: Outcome[];
}

const KEY = /^[a-z][a-z0-9-]{0,39}$/;

/** Default labels for the common keys, when a process gives none. */
const DEFAULT_LABELS: Record<string, string> = {
  approve: 'Đồng ý', return: 'Trả lại bước trước', refuse: 'Đề xuất từ chối', supplement: 'Yêu cầu bổ sung hồ sơ', accept: 'Tiếp nhận',
};

/** Parses the attribute; throws on a malformed item (the validation rule reports it at design time). */
export function parseOutcomes(text: string | undefined): Outcome[] {
  if (!text?.trim()) return [];
  const out: Outcome[] = [];
  for (const raw of text.split(';')) {
    const item = raw.trim();
    if (!item) continue;
    const colon = item.indexOf(':');
    let key = (colon < 0 ? item : item.slice(0, colon)).trim();
    const label = colon < 0 ? '' : item.slice(colon + 1).trim();
    const reasonRequired = key.endsWith('!');
    if (reasonRequired) key = key.slice(0, -1);
    if (!KEY.test(key)) throw new Error(`Invalid outcome key '${key}'`);
    if (out.some((o) => o.key === key)) throw new Error(`Duplicate outcome key '${key}'`);
    out.push({ key, label: label || DEFAULT_LABELS[key] || key, reasonRequired });
  }
  return out;
}

/** Reads every user task's step attributes from a process's BPMN XML. */
export async function readSteps(xml: string): Promise<Map<string, StepInfo>> {
  const { definitions } = await parseBpmn(xml);
  const steps = new Map<string, StepInfo>();
  const visit = (el: { $type?: string; id?: string; name?: string; get?: (n: string) => unknown; flowElements?: unknown[]; rootElements?: unknown[] }) => {
    if (el.$type === 'bpmn:UserTask' && el.id) {
      const g = (n: string) => (el.get?.(n) as string | undefined) ?? undefined;
      let outcomes: Outcome[] = [];
      try { outcomes = parseOutcomes(g('tthc:outcomes')); } catch { outcomes = []; }
      steps.set(el.id, { name: el.name, budget: g('tthc:budget'), role: g('tthc:role'), outcomes });
    }
    for (const c of [...(el.rootElements ?? []), ...(el.flowElements ?? [])]) visit(c as never);
  };
  visit(definitions as never);
  return steps;
}

/** Step attributes per process definition, cached (a deployed definition never changes). */
export function createStepCatalog(xmlOf: (definitionId: string) => Promise<string>) {
  const cache = new LRUCache<string, Promise<Map<string, StepInfo>>>({ max: 500 });
  return {
    async steps(definitionId: string): Promise<Map<string, StepInfo>> {
      let hit = cache.get(definitionId);
      if (!hit) {
        hit = xmlOf(definitionId).then(readSteps);
        hit.catch(() => cache.delete(definitionId));
        cache.set(definitionId, hit);
      }
      return hit;
    },
    async step(definitionId: string, key: string): Promise<StepInfo> {
      return (await this.steps(definitionId)).get(key) ?? { outcomes: [] };
    },
  };
}
export type StepCatalog = ReturnType<typeof createStepCatalog>;
