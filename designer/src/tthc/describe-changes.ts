import { messages, type Lang } from '../i18n/messages.js';
import type { Change, Diff } from '../types.js';
import { formatDuration } from './duration.js';
import { outcomesText } from './steps.js';
import { readStep, type ModdleElement } from './model.js';

/** One change in words, with the element it concerns (to select it in both diagrams). */
export interface ChangeLine { id: string; text: string; kind: 'added' | 'removed' | 'changed' }

type Dict = Record<string, string>;
const fill = (s: string, p: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => p[k] ?? '');

/** Every element of a diagram by id (processes, sub-processes, collaborations). */
export function indexElements(definitions: ModdleElement): Map<string, ModdleElement> {
  const out = new Map<string, ModdleElement>();
  const walk = (e: ModdleElement | undefined) => {
    if (!e || typeof e !== 'object') return;
    if (e.id) out.set(e.id, e);
    for (const key of ['rootElements', 'flowElements', 'participants', 'laneSets', 'lanes', 'artifacts']) {
      const list = e[key] as ModdleElement[] | undefined;
      if (Array.isArray(list)) list.forEach(walk);
    }
  };
  walk(definitions);
  return out;
}

function label(e: ModdleElement | undefined, fallback: string): string {
  return e?.name?.trim() || fallback;
}

function roleName(role: string | undefined, d: Dict): string {
  return role ? d[`role.${role}`] ?? role : '';
}

/**
 * The diff as an approver reads it: "Thêm bước 'Thẩm định hồ sơ' (Chuyên viên, 4 giờ) sau 'Phân công thụ lý'";
 * "Thời hạn của 'Ký duyệt': 2 ngày → 1 ngày". Layout-only moves are counted apart, never listed one by one.
 */
export function describeChanges(diff: Diff, before: Map<string, ModdleElement>, after: Map<string, ModdleElement>, lang: Lang): { lines: ChangeLine[]; layoutOnly: number } {
  const d = messages[lang] as unknown as Dict;
  const lines: ChangeLine[] = [];
  const kindOf = (c: Change, m: Map<string, ModdleElement>) => {
    const e = m.get(c.id);
    const type = (e?.$type ?? c.type).replace('bpmn:', '');
    return { e, type, isFlow: type === 'SequenceFlow', isStep: /Task$/.test(type) || type === 'SubProcess' || type === 'CallActivity' };
  };
  const nameOf = (id: string | undefined, m: Map<string, ModdleElement>) => (id ? label(m.get(id), d[`chg.unnamed`] ?? id) : '');
  const predecessor = (e: ModdleElement | undefined, m: Map<string, ModdleElement>) => {
    const inc = (e?.incoming as ModdleElement[] | undefined)?.[0];
    const src = inc?.sourceRef as ModdleElement | undefined;
    return src ? label(m.get(src.id!) ?? src, '') : '';
  };
  for (const c of diff.added) {
    const { e, isFlow, isStep, type } = kindOf(c, after);
    if (isFlow) {
      lines.push({ id: c.id, kind: 'added', text: fill(d['chg.addedFlow']!, { from: nameOf((e?.sourceRef as ModdleElement)?.id, after), to: nameOf((e?.targetRef as ModdleElement)?.id, after) }) });
      continue;
    }
    const s = e ? readStep(e) : undefined;
    const facts = [roleName(s?.role, d), s?.budget ? formatDuration(s.budget, lang) : ''].filter(Boolean).join(', ');
    const after0 = predecessor(e, after);
    const key = isStep ? 'chg.addedStep' : 'chg.addedElement';
    lines.push({ id: c.id, kind: 'added', text: fill(d[key]!, { name: label(e, c.name ?? c.id), type: d[`chg.type.${type}`] ?? type, facts: facts ? ` (${facts})` : '', after: after0 ? fill(d['chg.after']!, { name: after0 }) : '' }) });
  }
  for (const c of diff.removed) {
    const { e, isFlow, isStep, type } = kindOf(c, before);
    if (isFlow) {
      lines.push({ id: c.id, kind: 'removed', text: fill(d['chg.removedFlow']!, { from: nameOf((e?.sourceRef as ModdleElement)?.id, before), to: nameOf((e?.targetRef as ModdleElement)?.id, before) }) });
      continue;
    }
    lines.push({ id: c.id, kind: 'removed', text: fill(d[isStep ? 'chg.removedStep' : 'chg.removedElement']!, { name: label(e, c.name ?? c.id), type: d[`chg.type.${type}`] ?? type }) });
  }
  for (const c of diff.changed) {
    const eNew = after.get(c.id);
    const name = label(eNew ?? before.get(c.id), c.name ?? c.id);
    for (const [raw, v] of Object.entries(c.attrs ?? {})) {
      // The differ names extension attributes with or without their prefix.
      const attr = raw.replace(/^(tthc|camunda):/, '');
      const o = v.old == null ? '∅' : String(v.old);
      const n = v.new == null ? '∅' : String(v.new);
      let text: string;
      if (attr === 'name') text = fill(d['chg.renamed']!, { old: o, new: n });
      else if (attr === 'budget' || attr === 'replyDeadline') text = fill(d[attr === 'budget' ? 'chg.budget' : 'chg.replyDeadline']!, { name, old: formatDuration(o, lang) || o, new: formatDuration(n, lang) || n });
      else if (attr === 'role') text = fill(d['chg.role']!, { name, old: roleName(o, d) || o, new: roleName(n, d) || n });
      else if (attr === 'candidateGroups') continue; // follows the role, said once
      else if (attr === 'countsTowardLimit') text = fill(d[n === 'false' ? 'chg.notCounted' : 'chg.counted']!, { name });
      else if (attr === 'form') text = fill(d['chg.form']!, { name, old: o, new: n });
      else if (attr === 'consultAgency') text = fill(d['chg.consult']!, { name, old: o, new: n });
      else if (attr === 'outcomes') text = fill(d['chg.outcomes']!, { name, old: outcomesText(v.old == null ? '' : String(v.old), lang) || d['chg.none']!, new: outcomesText(v.new == null ? '' : String(v.new), lang) || d['chg.none']! });
      else if (attr === 'sourceRef' || attr === 'targetRef') text = fill(d['chg.rerouted']!, { from: nameOf((eNew?.sourceRef as ModdleElement)?.id, after), to: nameOf((eNew?.targetRef as ModdleElement)?.id, after) });
      else text = fill(d['chg.other']!, { name, attr });
      lines.push({ id: c.id, kind: 'changed', text });
    }
  }
  const listed = new Set([...diff.added, ...diff.removed, ...diff.changed].map((c) => c.id));
  const layoutOnly = (diff.layoutChanged ?? []).filter((c) => !listed.has(c.id)).length;
  return { lines, layoutOnly };
}
