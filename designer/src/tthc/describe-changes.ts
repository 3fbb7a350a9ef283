import { messages, type Lang } from '../i18n/messages.js';
import type { Change, Diff } from '../types.js';
import { formatDuration } from './duration.js';
import { outcomesText } from './steps.js';
import { readStep, type ModdleElement } from './model.js';

/** One change in words, with the element it concerns (to select it in both diagrams). */
export interface ChangeLine {
  id: string; text: string; kind: 'added' | 'removed' | 'changed';
  /** The same step's id in the old diagram when it differs (a replaced process, compared by step names). */
  oldId?: string;
}

const CONTAINERS = new Set(['bpmn:Process', 'bpmn:Participant']);
const isStepElement = (e: ModdleElement) => /Task$/.test(e.$type ?? '') || e.$type === 'bpmn:SubProcess' || e.$type === 'bpmn:CallActivity';

/** The steps inside a process (or a pool's process), sub-processes' steps included. */
function stepsInside(e: ModdleElement): ModdleElement[] {
  const out: ModdleElement[] = [];
  const walk = (c: ModdleElement | undefined) => {
    for (const f of (c?.flowElements as ModdleElement[] | undefined) ?? []) {
      if (isStepElement(f)) out.push(f);
      if (f.$type === 'bpmn:SubProcess') walk(f);
    }
  };
  walk(e.$type === 'bpmn:Participant' ? e.processRef as ModdleElement | undefined : e);
  return out;
}

const STEP_FIELDS = ['role', 'budget', 'countsTowardLimit', 'form', 'consultAgency', 'replyDeadline', 'outcomes'] as const;

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

/**
 * The order an approver reads changes in: what moves the time promised to the citizen first (a step's
 * budget, a reply deadline, whether a step counts toward the legal limit), then steps added or removed,
 * then who does a step and how, then the flows between steps; within a group, the diagram's order.
 */
const RANK = { timing: 0, step: 1, work: 2, flow: 3, other: 4 } as const;
const TIMING = new Set(['budget', 'replyDeadline', 'countsTowardLimit']);
const WORK = new Set(['name', 'role', 'form', 'consultAgency', 'outcomes']);
const rankOfAttr = (attr: string): number => (TIMING.has(attr) ? RANK.timing : WORK.has(attr) ? RANK.work : attr === 'sourceRef' || attr === 'targetRef' ? RANK.flow : RANK.other);

function push(lines: ChangeLine[], ranks: Map<ChangeLine, number>, rank: number, line: ChangeLine): void {
  lines.push(line);
  ranks.set(line, rank);
}

/** A stable sort by rank (Array.prototype.sort is stable). */
const byWeight = (lines: ChangeLine[], ranks: Map<ChangeLine, number>): ChangeLine[] => [...lines].sort((a, b) => ranks.get(a)! - ranks.get(b)!);

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
  const ranks = new Map<ChangeLine, number>();
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
  // A process that came whole (its id changed, e.g. a draft from a template replacing the seed version)
  // is compared step by step, by the steps' names: same name = the same step, its fields compared.
  const whole = (list: Change[], m: Map<string, ModdleElement>) => list.filter((c) => CONTAINERS.has(m.get(c.id)?.$type ?? '') && stepsInside(m.get(c.id)!).length);
  const [wholeAdded, wholeRemoved] = [whole(diff.added, after), whole(diff.removed, before)];
  const key = (e: ModdleElement) => label(e, '').toLocaleLowerCase('vi').replace(/\s+/g, ' ');
  const oldSteps = wholeRemoved.flatMap((c) => stepsInside(before.get(c.id)!));
  const added: Change[] = diff.added.filter((c) => !wholeAdded.includes(c));
  const removed: Change[] = diff.removed.filter((c) => !wholeRemoved.includes(c));
  const changed: Array<Change & { oldId?: string }> = [...diff.changed];
  for (const n of wholeAdded.flatMap((c) => stepsInside(after.get(c.id)!))) {
    const i = oldSteps.findIndex((o) => key(o) === key(n) && key(n) !== '');
    if (i < 0) { added.push({ id: n.id!, type: n.$type ?? '', name: n.name }); continue; }
    const o = oldSteps.splice(i, 1)[0]!;
    const [a, b] = [readStep(o), readStep(n)];
    const attrs: NonNullable<Change['attrs']> = {};
    for (const f of STEP_FIELDS) if (a[f] !== b[f]) attrs[f] = { old: f === 'countsTowardLimit' ? String(a[f]) : a[f] ?? null, new: f === 'countsTowardLimit' ? String(b[f]) : b[f] ?? null };
    if (Object.keys(attrs).length) changed.push({ id: n.id!, type: n.$type ?? '', name: n.name, attrs, oldId: o.id });
  }
  removed.push(...oldSteps.map((o) => ({ id: o.id!, type: o.$type ?? '', name: o.name })));
  for (const c of added) {
    const { e, isFlow, isStep, type } = kindOf(c, after);
    if (isFlow) {
      push(lines, ranks, RANK.flow, { id: c.id, kind: 'added', text: fill(d['chg.addedFlow']!, { from: nameOf((e?.sourceRef as ModdleElement)?.id, after), to: nameOf((e?.targetRef as ModdleElement)?.id, after) }) });
      continue;
    }
    const s = e ? readStep(e) : undefined;
    const facts = [roleName(s?.role, d), s?.budget ? formatDuration(s.budget, lang) : ''].filter(Boolean).join(', ');
    const after0 = predecessor(e, after);
    const key = isStep ? 'chg.addedStep' : 'chg.addedElement';
    push(lines, ranks, isStep ? RANK.step : RANK.flow, { id: c.id, kind: 'added', text: fill(d[key]!, { name: label(e, c.name ?? c.id), type: d[`chg.type.${type}`] ?? type, facts: facts ? ` (${facts})` : '', after: after0 ? fill(d['chg.after']!, { name: after0 }) : '' }) });
  }
  for (const c of removed) {
    const { e, isFlow, isStep, type } = kindOf(c, before);
    if (isFlow) {
      push(lines, ranks, RANK.flow, { id: c.id, kind: 'removed', text: fill(d['chg.removedFlow']!, { from: nameOf((e?.sourceRef as ModdleElement)?.id, before), to: nameOf((e?.targetRef as ModdleElement)?.id, before) }) });
      continue;
    }
    push(lines, ranks, isStep ? RANK.step : RANK.flow, { id: c.id, kind: 'removed', text: fill(d[isStep ? 'chg.removedStep' : 'chg.removedElement']!, { name: label(e, c.name ?? c.id), type: d[`chg.type.${type}`] ?? type }) });
  }
  for (const c of changed) {
    const eNew = after.get(c.id);
    const name = label(eNew ?? before.get(c.id), c.name ?? c.id);
    for (const [raw, v] of Object.entries(c.attrs ?? {})) {
      // The differ names extension attributes with or without their prefix.
      const attr = raw.replace(/^(tthc|camunda):/, '');
      // A value set or cleared reads "(không có)" / "(none)" on its empty side.
      const o = v.old == null ? d['chg.none']! : String(v.old);
      const n = v.new == null ? d['chg.none']! : String(v.new);
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
      push(lines, ranks, rankOfAttr(attr), { id: c.id, kind: 'changed', text, ...(c.oldId && c.oldId !== c.id ? { oldId: c.oldId } : {}) });
    }
  }
  const listed = new Set([...diff.added, ...diff.removed, ...diff.changed].map((c) => c.id));
  const layoutOnly = (diff.layoutChanged ?? []).filter((c) => !listed.has(c.id)).length;
  return { lines: byWeight(lines, ranks), layoutOnly };
}
