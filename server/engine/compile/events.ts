import { checkTimerLiteral, parseCycle } from '../runtime/timers.js';
import type { EventDef } from './graph.js';
import { finding, type CompileKey, type Finding } from './messages.js';
import { body, type ModdleElement as El } from './moddle.js';

/** Event definitions (BPMN 2.0 §10.5): one, several (multiple), or by reference (eventDefinitionRef). */

const KINDS: Record<string, EventDef['kind']> = {
  'bpmn:MessageEventDefinition': 'message', 'bpmn:TimerEventDefinition': 'timer', 'bpmn:SignalEventDefinition': 'signal',
  'bpmn:ErrorEventDefinition': 'error', 'bpmn:EscalationEventDefinition': 'escalation', 'bpmn:TerminateEventDefinition': 'terminate',
  'bpmn:LinkEventDefinition': 'link', 'bpmn:ConditionalEventDefinition': 'conditional',
  'bpmn:CompensateEventDefinition': 'compensate', 'bpmn:CancelEventDefinition': 'cancel',
};

export function eventOf(el: El, type: string, findings: Finding[]): EventDef | undefined {
  const defs: El[] = [...(el.eventDefinitions ?? []), ...(el.eventDefinitionRef ?? [])];
  if (!defs.length) return type.endsWith('Event') ? { kind: 'none' } : undefined;
  if (defs.length > 1) return multipleOf(el, type, defs, findings);
  return oneEvent(el, defs[0]!, findings);
}

/**
 * §10.5.1 multiple events: an intermediate catch of signals and timers (the first triggers it, or all
 * with parallelMultiple) or an intermediate/end throw of signals and escalations (all thrown).
 */
function multipleOf(el: El, type: string, defs: El[], findings: Finding[]): EventDef | undefined {
  const all = defs.map((d) => oneEvent(el, d, findings)).filter((x): x is EventDef => Boolean(x));
  const catching = type === 'intermediateCatchEvent';
  const throwing = type === 'intermediateThrowEvent' || type === 'endEvent';
  const ok = catching ? all.every((x) => x.kind === 'signal' || x.kind === 'timer') : throwing && all.every((x) => x.kind === 'signal' || x.kind === 'escalation');
  if (!ok) {
    findings.push(finding(el.id, 'engine.event.multiple'));
    return undefined;
  }
  return { kind: 'multiple', all, parallel: Boolean(el.parallelMultiple) };
}

export function oneEvent(el: El, d: El, findings: Finding[]): EventDef | undefined {
  const kind = KINDS[d.$type];
  if (!kind) { findings.push(finding(el.id, 'engine.element.notYet', { type: String(d.$type).replace('bpmn:', '') })); return undefined; }
  const ev: EventDef = { kind };
  if (kind === 'message') { ev.ref = d.messageRef?.id; ev.name = d.messageRef?.name; }
  if (kind === 'signal') {
    ev.name = d.signalRef?.name ?? d.signalRef?.id;
    if (!ev.name) findings.push(finding(el.id, 'engine.signal.needsName'));
  }
  if (kind === 'error') ev.code = d.errorRef?.errorCode ?? d.errorRef?.id;
  if (kind === 'escalation') ev.code = d.escalationRef?.escalationCode ?? d.escalationRef?.id;
  if (kind === 'link') ev.name = d.name ?? el.name;
  if (kind === 'compensate') {
    if (d.activityRef?.id) ev.activityRef = d.activityRef.id;
    ev.wait = d.waitForCompletion !== false;
  }
  if (kind === 'conditional') {
    ev.condition = body(d.condition);
    if (!ev.condition) findings.push(finding(el.id, 'engine.conditional.needsCondition'));
  }
  if (kind === 'timer') {
    const spec = { timeDate: body(d.timeDate), timeDuration: body(d.timeDuration), timeCycle: body(d.timeCycle) };
    const given = (Object.entries(spec) as Array<[keyof typeof spec, string | undefined]>).filter(([, v]) => v !== undefined);
    const kinds = given.map(([k]) => k);
    if (given.length > 1) findings.push(finding(el.id, 'engine.timer.several', { kinds: { vi: kinds.join(' và '), en: kinds.join(' and ') } }));
    for (const [k, v] of given) {
      if (checkTimerLiteral(k, v!)) findings.push(finding(el.id, literalKey(k, v!), { value: v! }));
    }
    ev.timer = spec;
  }
  return ev;
}

/** Which literal rule a timer text breaks (checkTimerLiteral said it breaks one). */
function literalKey(kind: 'timeDate' | 'timeDuration' | 'timeCycle', text: string): CompileKey {
  if (kind === 'timeDate') return 'engine.timer.literalDate';
  if (kind === 'timeDuration') return 'engine.timer.literalDuration';
  return parseCycle(text)?.repeat === 0 ? 'engine.timer.literalR0' : 'engine.timer.literalCycle';
}
