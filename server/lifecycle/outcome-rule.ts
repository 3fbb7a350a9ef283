import { OutcomeFormatError, parseOutcomes } from '../tasks/index.js';
import type { Finding } from '../validation/index.js';
import { parseBpmn, type ModdleElement } from '../validation/index.js';

/**
 * Design-time check of the steps' outcomes (`tthc:outcomes`, server/tasks/outcome-format.ts): a key
 * the tasklist cannot read would silently drop the step's choices at run time, so it is an error at
 * validation and at submit. Parsed only when the document mentions outcomes at all (validation runs
 * on every edit).
 */
export async function outcomeFindings(xml: unknown): Promise<Finding[]> {
  if (typeof xml !== 'string' || !xml.includes('outcomes=')) return [];
  let definitions: ModdleElement;
  try {
    definitions = (await parseBpmn(xml)).definitions;
  } catch {
    return []; // unreadable XML is the validator's own finding
  }
  const out: Finding[] = [];
  const visit = (el: ModdleElement) => {
    const text = el.$type === 'bpmn:UserTask' ? el.get?.('tthc:outcomes') : undefined;
    if (typeof text === 'string') {
      try {
        parseOutcomes(text);
      } catch (err) {
        const e = err as OutcomeFormatError;
        const name = el.name || el.id;
        out.push({
          ruleId: 'tthc/outcomes-format', severity: 'error', elementId: el.id,
          message: e.problem === 'duplicate-key'
            ? { vi: `Bước "${name}": mã kết quả "${e.key}" bị lặp`, en: `Step "${name}": outcome key "${e.key}" is repeated` }
            : { vi: `Bước "${name}": mã kết quả "${e.key}" không hợp lệ (chữ thường không dấu, số, gạch ngang)`, en: `Step "${name}": outcome key "${e.key}" is not valid (lower-case letters, digits, hyphens)` },
        });
      }
    }
    for (const c of [...((el.rootElements as ModdleElement[] | undefined) ?? []), ...((el.flowElements as ModdleElement[] | undefined) ?? [])]) visit(c);
  };
  visit(definitions);
  return out;
}
