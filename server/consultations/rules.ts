import type { Finding, Validator } from '../validation/index.js';
import { isType, parseBpmn, type ModdleElement } from '../validation/index.js';
import { REPLY_MESSAGE } from './watch.js';

export const CONSULTATION_TOPIC = 'tthc.consultation.request';

export const CONSULTATION_RULES = {
  'tthc/consultation-agency': { vi: 'Bước lấy ý kiến phải nêu cơ quan được lấy ý kiến (tthc:consultAgency)', en: 'A consultation step must name the consulted agency (tthc:consultAgency)' },
  'tthc/consultation-unknown-agency': { vi: 'Cơ quan được lấy ý kiến không phải đơn vị trên hệ thống hay cơ quan ngoài hệ thống đã khai báo', en: 'The consulted agency is neither a unit on the platform nor a registered outside agency' },
  'tthc/consultation-reply-wait': { vi: `Sau bước lấy ý kiến nên có sự kiện chờ thông điệp "${REPLY_MESSAGE}" để quy trình chờ ý kiến trả lời`, en: `A consultation step should be followed by a catch event for the message "${REPLY_MESSAGE}" so the process waits for the reply` },
  'tthc/consultation-reply-shared': {
    vi: `Hai bước lấy ý kiến chờ cùng một thông điệp trả lời: nếu chạy song song, ý kiến có thể đến nhầm bước. Đặt cho mỗi bước thông điệp riêng "${REPLY_MESSAGE}.<mã bước>"`,
    en: `Two consultation steps wait for the same reply message: if they run in parallel a reply may reach the wrong step. Give each its own message "${REPLY_MESSAGE}.<step id>"`,
  },
} as const;

/** The reply message: `tthc.consultation.reply`, or a per-step `tthc.consultation.reply.<anything>`. */
export const isReplyMessage = (name: unknown): name is string => typeof name === 'string' && (name === REPLY_MESSAGE || name.startsWith(`${REPLY_MESSAGE}.`));

function walk(container: ModdleElement, out: ModdleElement[] = []): ModdleElement[] {
  for (const e of (container.flowElements as ModdleElement[] | undefined) ?? []) {
    out.push(e);
    if (isType(e, 'bpmn:SubProcess')) walk(e, out);
  }
  return out;
}

const attr = (el: ModdleElement, name: string) => {
  const v = el.get?.(name);
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};

/**
 * The reply message a flow out of `el` leads (directly) to a wait for; '' for an event-based gateway (a
 * wait of some kind); undefined if none. `flows`: the sequence flows of its container (drawings need not
 * list `<bpmn:outgoing>` on the element, so the flows' `sourceRef` is what counts).
 */
export function replyMessageAfter(el: ModdleElement, flows: ModdleElement[]): string | undefined {
  const out = flows.filter((f) => f.sourceRef === el || (f.sourceRef as ModdleElement | undefined)?.id === el.id);
  for (const f of out.length ? out : ((el.outgoing as ModdleElement[] | undefined) ?? [])) {
    const target = f.targetRef as ModdleElement | undefined;
    if (!target) continue;
    const defs = (target.eventDefinitions as ModdleElement[] | undefined) ?? [];
    const msg = isType(target, 'bpmn:ReceiveTask') ? target.messageRef as ModdleElement | undefined
      : (defs.find((d) => isType(d, 'bpmn:MessageEventDefinition'))?.messageRef as ModdleElement | undefined);
    if (isReplyMessage(msg?.name)) return msg.name;
    if (isType(target, 'bpmn:EventBasedGateway')) return '';
  }
  return undefined;
}

/** Every process of a parsed model with all its flow elements (sub-processes included) and its sequence flows. */
export function processesOf(definitions: ModdleElement): Array<{ process: ModdleElement; elements: ModdleElement[]; flows: ModdleElement[] }> {
  return ((definitions.rootElements as ModdleElement[] | undefined) ?? []).filter((e) => isType(e, 'bpmn:Process')).map((process) => {
    const elements = walk(process);
    return { process, elements, flows: elements.filter((e) => isType(e, 'bpmn:SequenceFlow')) };
  });
}

/**
 * The consultation rules of the lifecycle's validator: every `tthc.consultation.request` step names
 * an agency (tthc:consultAgency) that resolves to a platform unit or a registered outside agency.
 * (A reply deadline that is not a working-time duration is already `tthc/consultation-deadline`.)
 */
/** A consultation step as the rules see it: plain data, so a validation-pool thread can gather it. */
export interface ConsultationStep { id: string; topic?: string; agency?: string; waitsForReply: boolean; replyMessage?: string; process?: string }

/** The consultation steps of a parsed model (pure: no database; runs where the model was parsed). */
export function consultationSteps(definitions: ModdleElement): ConsultationStep[] {
  const out: ConsultationStep[] = [];
  for (const { process: p, elements, flows } of processesOf(definitions)) {
    for (const el of elements) {
      const topic = attr(el, 'camunda:topic');
      const agency = attr(el, 'tthc:consultAgency');
      if (topic !== CONSULTATION_TOPIC && agency === undefined) continue;
      const reply = replyMessageAfter(el, flows);
      out.push({ id: el.id as string, topic, agency, waitsForReply: reply !== undefined, ...(reply ? { replyMessage: reply } : {}), process: p.id });
    }
  }
  return out;
}

/** `steps`: already gathered where the model was parsed; otherwise the model is parsed here. */
export async function consultationFindings(xml: unknown, resolve: (text: string) => Promise<unknown>, steps?: ConsultationStep[]): Promise<Finding[]> {
  if (!steps) {
    // Most models have no consultation step: no need to parse them again here, on the event loop.
    if (typeof xml === 'string' && !xml.includes(CONSULTATION_TOPIC) && !xml.includes('consultAgency')) return [];
    try {
      steps = consultationSteps((await parseBpmn(xml)).definitions);
    } catch {
      return []; // the base validator reports unparseable XML
    }
  }
  const out: Finding[] = [];
  const push = (ruleId: keyof typeof CONSULTATION_RULES, elementId: string | undefined, extra?: string, severity: Finding['severity'] = 'error') => {
    const m = CONSULTATION_RULES[ruleId];
    out.push({ ruleId, severity, elementId, message: extra ? { vi: `${m.vi}: ${extra}`, en: `${m.en}: ${extra}` } : { vi: m.vi, en: m.en } });
  };
  for (const step of steps) {
    if (step.agency === undefined) push('tthc/consultation-agency', step.id);
    else if (!(await resolve(step.agency))) push('tthc/consultation-unknown-agency', step.id, `"${step.agency}"`);
    if (step.topic === CONSULTATION_TOPIC && !step.waitsForReply) push('tthc/consultation-reply-wait', step.id, undefined, 'warning');
  }
  // Two steps of one process waiting for the same reply message cannot be told apart when both wait.
  const seen = new Map<string, string>();
  for (const step of steps) {
    if (!step.replyMessage) continue;
    const k = `${step.process ?? ''}\u0000${step.replyMessage}`;
    const first = seen.get(k);
    if (first) push('tthc/consultation-reply-shared', step.id, `${first}, ${step.id} → "${step.replyMessage}"`, 'warning');
    else seen.set(k, step.id);
  }
  return out;
}

/**
 * The validator with the consultation rules added (submit, approval and the designer's check all use it).
 * The steps come from the base validator's own parse — in this thread (`inspect`) or, for a large model,
 * from the validation pool's thread (`facts.consultation`) — so the model is not parsed twice here.
 */
export function withConsultationRules(base: Validator, resolve: (text: string) => Promise<unknown>): Validator {
  return {
    async validate(xml, procedure, opts = {}) {
      let steps: ConsultationStep[] | undefined;
      const { facts, ...result } = await base.validate(xml, procedure, { ...opts, inspect: (d) => { opts.inspect?.(d); steps = consultationSteps(d); } });
      const extra = await consultationFindings(xml, resolve, steps ?? (facts?.consultation as ConsultationStep[] | undefined));
      return { ...result, findings: [...result.findings, ...extra] };
    },
  };
}
