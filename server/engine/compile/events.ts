import type { Finding } from '../model.js';
import { checkTimerLiteral } from '../runtime/timers.js';
import type { EventDef } from './graph.js';
import { body, type El } from './moddle.js';

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
  return oneEvent(el, defs[0], findings);
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
    findings.push({ elementId: el.id, message: 'Multiple events are supported as intermediate catch events of signals and timers, and as intermediate or end throw events of signals and escalations; give this event one definition' });
    return undefined;
  }
  return { kind: 'multiple', all, parallel: Boolean(el.parallelMultiple) };
}

export function oneEvent(el: El, d: El, findings: Finding[]): EventDef | undefined {
  const kind = KINDS[d.$type];
  if (!kind) { findings.push({ elementId: el.id, message: `${String(d.$type).replace('bpmn:', '')} is not supported yet` }); return undefined; }
  const ev: EventDef = { kind };
  if (kind === 'message') { ev.ref = d.messageRef?.id; ev.name = d.messageRef?.name; }
  if (kind === 'signal') {
    ev.name = d.signalRef?.name ?? d.signalRef?.id;
    if (!ev.name) findings.push({ elementId: el.id, message: 'A signal event needs a signal with a name' });
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
    if (!ev.condition) findings.push({ elementId: el.id, message: 'A conditional event needs a condition' });
  }
  if (kind === 'timer') {
    const spec = { timeDate: body(d.timeDate), timeDuration: body(d.timeDuration), timeCycle: body(d.timeCycle) };
    const given = Object.entries(spec).filter(([, v]) => v !== undefined);
    if (given.length > 1) findings.push({ elementId: el.id, message: `A timer has one definition; this one has ${given.map(([k]) => k).join(' and ')}` });
    for (const [k, v] of given) {
      const why = checkTimerLiteral(k as 'timeDate', v!);
      if (why) findings.push({ elementId: el.id, message: `${k} "${v}": ${why}` });
    }
    ev.timer = spec;
  }
  return ev;
}
