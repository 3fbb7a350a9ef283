import { formatDuration, formatHours } from './duration.js';
import { isStep, longestPathOf, mainFlow, processesOf } from './graph.js';
import { parseOutcomes } from '../../../server/tasks/outcome-format.js';
import { readStep, type ModdleElement } from './model.js';
import { messages, type Lang } from '../i18n/messages.js';

/** One row of the step table an approval decision annexes (Bước | Đơn vị/người thực hiện | Nội dung công việc | Thời hạn). */
export interface StepRow {
  step: string;
  elementId: string;
  who: string;
  task: string;
  time: string;
  form: string;
  counted: boolean;
  /** The step's outcomes in words ("Đồng ý, trình ký; Trả lại chuyên viên (phải nêu lý do)"), empty when none. */
  outcomes: string;
  /** A side branch (supplement, refusal): not counted toward the limit and off the longest path. */
  branch: boolean;
}

export interface StepTable {
  rows: StepRow[];
  totalHours: number;
  totalText: string;
}

function who(n: ModdleElement, lang: Lang): string {
  const s = readStep(n);
  const dict = messages[lang] as Record<string, string>;
  const role = s.role ? dict[`role.${s.role}`] ?? s.role : '';
  if (s.consultAgency) return role ? `${role}; ${s.consultAgency}` : s.consultAgency;
  return role;
}

/** A step's outcomes as the official reads them; a malformed attribute reads as written (the panel flags it). */
export function outcomesText(attr: string | undefined, lang: Lang): string {
  if (!attr) return '';
  try {
    return parseOutcomes(attr).map((o) => (o.reasonRequired ? `${o.label} (${messages[lang]['steps.reasonRequired']})` : o.label)).join('; ');
  } catch {
    return attr;
  }
}

function time(n: ModdleElement, lang: Lang): string {
  const s = readStep(n);
  const dict = messages[lang];
  if (!s.countsTowardLimit) return s.budget ? `${dict['steps.notCounted']} (${formatDuration(s.budget, lang)})` : dict['steps.notCounted'];
  return s.budget ? formatDuration(s.budget, lang) : '';
}

/** Builds the step table of a diagram's definitions, in flow order; total = the longest path. */
export function buildStepTable(definitions: ModdleElement, lang: Lang): StepTable {
  const rows: StepRow[] = [];
  for (const p of processesOf(definitions)) {
    for (const n of mainFlow(p).order) {
      if (!isStep(n)) continue;
      const s = readStep(n);
      rows.push({
        step: `B${rows.length + 1}`,
        elementId: n.id!,
        who: who(n, lang),
        task: n.name ?? '',
        time: time(n, lang),
        form: s.form ? (/^\d{2}$/.test(s.form) ? `${messages[lang]['steps.formPrefix']} ${s.form}` : s.form) : '',
        counted: s.countsTowardLimit,
        outcomes: outcomesText(s.outcomes, lang),
        branch: false,
      });
    }
  }
  const longest = longestPathOf(definitions);
  const onPath = new Set(longest.elementIds);
  for (const r of rows) r.branch = !r.counted && !onPath.has(r.elementId);
  const totalHours = longest.totalHours;
  return { rows, totalHours, totalText: formatHours(totalHours, lang) };
}

