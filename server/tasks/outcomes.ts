import { LRUCache } from 'lru-cache';
import { parseBpmn } from '../validation/index.js';
import { parseOutcomes, type Outcome } from './outcome-format.js';

export { type Outcome } from './outcome-format.js';

export interface StepInfo {
  name?: string;
  budget?: string;
  role?: string;
  outcomes: Outcome[];
}

/** Reads every user task's step attributes from a process's BPMN XML. */
async function readSteps(xml: string): Promise<Map<string, StepInfo>> {
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
  visit(definitions);
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
