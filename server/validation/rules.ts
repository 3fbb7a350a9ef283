import { limitHours, positiveBudgetHours } from './budget.js';
import { checkExpression } from './expression.js';
import { isType, type ModdleElement } from './moddle.js';
import { isUncounted, longestPath } from './paths.js';
import { TASK_ROLES, WORKER_TOPICS } from './topics.js';
import type { Finding, LongestPath, ProcedureRules } from './types.js';
import { foldText } from '../text/fold.js';
import { MAX_SUBPROCESS_DEPTH, reasonText, timerSpecProblems } from '../engine/index.js';

/** The domain rules: id → messages. Each finding names the rule and, where it can, the element. */
export const DOMAIN_RULES = {
  'tthc/executable': { vi: 'Quy trình phải được đánh dấu là thực thi được (isExecutable)', en: 'The process must be executable (isExecutable="true")' },
  'tthc/user-task-assignee': { vi: 'Bước xử lý của người dùng phải có nhóm xử lý (vai trò) hoặc người được giao', en: 'A user task needs a candidate group (a role) or an assignee' },
  'tthc/unknown-role': { vi: 'Nhóm xử lý không phải là vai trò đã biết', en: 'The candidate group is not a known role' },
  'tthc/step-budget': { vi: 'Bước phải có thời gian xử lý (tthc:budget, ví dụ "4h", "0.5d")', en: 'The step needs a working-time budget (tthc:budget, e.g. "4h", "0.5d")' },
  'tthc/path-within-limit': { vi: 'Tổng thời gian các bước trên đường dài nhất vượt thời hạn giải quyết', en: 'The longest path exceeds the statutory time limit' },
  'tthc/external-topic': { vi: 'Chủ đề tác vụ ngoài không được hệ thống xử lý', en: 'No platform worker handles this external task topic' },
  'tthc/service-task-external': { vi: 'Tác vụ dịch vụ phải là tác vụ ngoài (camunda:type="external") với chủ đề hợp lệ', en: 'A service task must be an external task (camunda:type="external") with a known topic' },
  'tthc/consultation-deadline': { vi: 'Bước lấy ý kiến phải có hạn trả lời (tthc:replyDeadline)', en: 'A consultation step needs a reply deadline (tthc:replyDeadline)' },
  'tthc/no-script-task': { vi: 'Không được dùng tác vụ kịch bản (script task)', en: 'Script tasks are not allowed' },
  'tthc/expression': { vi: 'Biểu thức điều kiện không được hệ thống hỗ trợ', en: 'The engine cannot evaluate this expression' },
  'tthc/supplement-path': { vi: 'Thủ tục yêu cầu có nhánh yêu cầu bổ sung hồ sơ (mẫu 02)', en: 'The procedure requires a supplement path (form 02)' },
  'tthc/refusal-path': { vi: 'Thủ tục yêu cầu có nhánh từ chối tiếp nhận (mẫu 03)', en: 'The procedure requires a refusal path (form 03)' },
  'tthc/before-due': { vi: 'Giá trị tthc:beforeDue không hợp lệ (ví dụ "1d")', en: 'tthc:beforeDue is not a working time (e.g. "1d")' },
  'tthc/timer': { vi: 'Hẹn giờ không hợp lệ (chu kỳ tối thiểu 1 phút; lặp vô hạn tối thiểu 5 phút)', en: 'The timer is not valid (cycles at least 1 minute apart; unbounded cycles at least 5 minutes)' },
  'tthc/nesting': { vi: 'Quy trình con lồng nhau quá sâu (tối đa 10 cấp)', en: 'Sub-processes are nested too deep (at most 10 levels)' },
  'tthc/has-process': { vi: 'Tài liệu không chứa quy trình nào', en: 'The document holds no process' },
} as const;
type DomainRuleId = keyof typeof DOMAIN_RULES;

const STEP_TYPES = ['bpmn:Task', 'bpmn:SubProcess', 'bpmn:CallActivity'];

function finding(ruleId: DomainRuleId, elementId?: string, extra?: { vi: string; en: string }, severity: Finding['severity'] = 'error'): Finding {
  const m = DOMAIN_RULES[ruleId];
  return {
    ruleId,
    severity,
    elementId,
    message: extra ? { vi: `${m.vi}: ${extra.vi}`, en: `${m.en}: ${extra.en}` } : { vi: m.vi, en: m.en },
  };
}

/** Every flow element, sub-processes included, without recursion; sub-processes past the depth limit are reported, not entered. */
function allElements(container: ModdleElement, out: ModdleElement[] = [], tooDeep: ModdleElement[] = []): ModdleElement[] {
  const stack: Array<{ c: ModdleElement; depth: number }> = [{ c: container, depth: 0 }];
  while (stack.length) {
    const { c, depth } = stack.pop()!;
    for (const e of (c.flowElements as ModdleElement[] | undefined) ?? []) {
      out.push(e);
      if (!isType(e, 'bpmn:SubProcess')) continue;
      if (depth + 1 > MAX_SUBPROCESS_DEPTH) tooDeep.push(e);
      else stack.push({ c: e, depth: depth + 1 });
    }
  }
  return out;
}

const str = (el: ModdleElement, name: string) => {
  const v = el.get(name);
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};

function processesOf(definitions: ModdleElement): ModdleElement[] {
  return ((definitions.rootElements as ModdleElement[] | undefined) ?? []).filter((e) => isType(e, 'bpmn:Process'));
}

function checkElement(el: ModdleElement, out: Finding[]): void {
  const id = el.id;
  if (isType(el, 'bpmn:ScriptTask')) out.push(finding('tthc/no-script-task', id));
  if (isType(el, 'bpmn:UserTask')) {
    const groups = str(el, 'camunda:candidateGroups');
    if (!groups && !str(el, 'camunda:assignee')) out.push(finding('tthc/user-task-assignee', id));
    for (const g of groups?.split(',').map((x) => x.trim()).filter(Boolean) ?? []) {
      if (!g.startsWith('${') && !(TASK_ROLES as readonly string[]).includes(g)) {
        out.push(finding('tthc/unknown-role', id, { vi: g, en: g }, 'warning'));
      }
    }
  }
  if (isType(el, ...STEP_TYPES)) {
    const budget = str(el, 'tthc:budget');
    const counted = !isUncounted(el);
    if (budget !== undefined && positiveBudgetHours(budget) === undefined) {
      out.push(finding('tthc/step-budget', id, { vi: `"${budget}" không hợp lệ`, en: `"${budget}" is not a budget` }));
    } else if (budget === undefined && counted) {
      out.push(finding('tthc/step-budget', id));
    }
  }
  const external = str(el, 'camunda:type') === 'external';
  const topic = str(el, 'camunda:topic');
  if (external && !(topic && (WORKER_TOPICS as readonly string[]).includes(topic))) {
    out.push(finding('tthc/external-topic', id, { vi: topic ?? '(trống)', en: topic ?? '(none)' }));
  } else if (isType(el, 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask') && !external) {
    out.push(finding('tthc/service-task-external', id));
  }
  const consult = str(el, 'tthc:consultAgency') !== undefined || topic === 'tthc.consultation.request';
  if (consult && positiveBudgetHours(str(el, 'tthc:replyDeadline')) === undefined) out.push(finding('tthc/consultation-deadline', id));
  const beforeDue = str(el, 'tthc:beforeDue');
  if (beforeDue !== undefined && positiveBudgetHours(beforeDue) === undefined) out.push(finding('tthc/before-due', id));
  for (const def of (el.eventDefinitions as ModdleElement[] | undefined) ?? []) {
    if (!isType(def, 'bpmn:TimerEventDefinition')) continue;
    const body = (k: string) => {
      const b = (def[k] as ModdleElement | undefined)?.body;
      return typeof b === 'string' && b.trim() ? b.trim() : undefined;
    };
    for (const problem of timerSpecProblems({ timeDate: body('timeDate'), timeDuration: body('timeDuration'), timeCycle: body('timeCycle') })) {
      out.push(finding('tthc/timer', id, reasonText(problem)));
    }
  }
  if (isType(el, 'bpmn:SequenceFlow')) {
    const body = (el.conditionExpression as ModdleElement | undefined)?.body;
    if (typeof body === 'string' && body.trim()) {
      const problem = checkExpression(body);
      if (problem) out.push(finding('tthc/expression', id, problem));
    }
  }
}

/** Supplement / refusal branches are recognised by the form they produce or by their name. */
function hasPath(elements: ModdleElement[], form: string, words: string[]): boolean {
  return elements.some((e) => {
    if (str(e, 'tthc:form') === form) return true;
    const text = foldText(`${e.name ?? ''} ${e.id ?? ''}`);
    return words.some((w) => text.includes(w));
  });
}

export function checkDomainRules(definitions: ModdleElement, procedure?: ProcedureRules): { findings: Finding[]; longestPath: LongestPath } {
  const findings: Finding[] = [];
  const processes = processesOf(definitions);
  const limit = procedure?.limit ? limitHours(procedure.limit) : undefined;
  if (!processes.length) {
    findings.push(finding('tthc/has-process'));
    return { findings, longestPath: { totalHours: 0, limitHours: limit, elementIds: [] } };
  }
  const executable = processes.filter((p) => p.isExecutable === true);
  if (!executable.length) for (const p of processes) findings.push(finding('tthc/executable', p.id));
  const main = executable[0] ?? processes[0]!;
  const tooDeep: ModdleElement[] = [];
  const elements = processes.flatMap((p) => allElements(p, [], tooDeep));
  for (const el of elements) checkElement(el, findings);
  for (const el of tooDeep) findings.push(finding('tthc/nesting', el.id));

  const path = longestPath(main);
  const longest: LongestPath = { totalHours: path.totalHours, limitHours: limit, elementIds: path.elementIds };
  if (limit !== undefined && path.totalHours > limit) {
    findings.push(finding('tthc/path-within-limit', path.elementIds[path.elementIds.length - 1], {
      vi: `${path.totalHours} giờ > ${limit} giờ (${path.elementIds.join(' → ')})`,
      en: `${path.totalHours} h > ${limit} h (${path.elementIds.join(' → ')})`,
    }));
  }
  if (procedure?.requiresSupplementPath && !hasPath(elements, '02', ['bo sung', 'supplement'])) {
    findings.push(finding('tthc/supplement-path', main.id));
  }
  if (procedure?.requiresRefusalPath && !hasPath(elements, '03', ['tu choi', 'refus'])) {
    findings.push(finding('tthc/refusal-path', main.id));
  }
  return { findings, longestPath: longest };
}
