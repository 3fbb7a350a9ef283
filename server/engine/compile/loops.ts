import { oneEvent } from './events.js';
import type { EventDef, LoopDef } from './graph.js';
import { finding, type Finding, type FindingParam } from './messages.js';
import { body, camunda, type ModdleElement as El } from './moddle.js';

/** Loop characteristics: standard loops (§13.2.6) and multi-instance (§13.2.7) with its behavior (§10.2.8). */

/** Event kinds as the Vietnamese texts name them. */
const EVENT_KIND_VI: Record<EventDef['kind'], string> = {
  none: 'không định nghĩa', message: 'thông điệp', timer: 'hẹn giờ', signal: 'tín hiệu', error: 'lỗi', escalation: 'leo thang',
  terminate: 'chấm dứt', link: 'liên kết', conditional: 'điều kiện', multiple: 'nhiều định nghĩa', compensate: 'bù trừ', cancel: 'hủy',
};

/**
 * §13.2.7 / §10.2.8 multi-instance behavior: the events thrown as instances complete (implicit
 * throws from the activity: its boundary events catch them, as a throw inside it would be). Signals
 * and escalations are thrown; other definitions are refused naming the activity.
 */
function behaviorOf(el: El, l: El, findings: Finding[]): Pick<LoopDef, 'behavior' | 'throws'> {
  const behavior = l.behavior ?? 'All';
  if (behavior === 'All') return {};
  if (!['None', 'One', 'Complex'].includes(behavior)) {
    findings.push(finding(el.id, 'engine.mi.behaviorUnknown', { behavior }));
    return {};
  }
  const thrown = (d: El | undefined, what: FindingParam): EventDef | undefined => {
    if (!d) { findings.push(finding(el.id, 'engine.mi.behaviorNeedsRef', { behavior, what })); return undefined; }
    const ev = oneEvent(el, d, findings);
    if (ev && ev.kind !== 'signal' && ev.kind !== 'escalation') {
      findings.push(finding(el.id, 'engine.mi.behaviorThrows', { behavior, what, kind: { vi: EVENT_KIND_VI[ev.kind], en: ev.kind } }));
      return undefined;
    }
    return ev;
  };
  const throws: NonNullable<LoopDef['throws']> = [];
  if (behavior === 'Complex') {
    const defs = l.complexBehaviorDefinition ?? [];
    if (!defs.length) findings.push(finding(el.id, 'engine.mi.complexNeedsDefinition'));
    for (const c of defs) {
      const condition = body(c.condition);
      if (!condition) findings.push(finding(el.id, 'engine.mi.complexNeedsCondition'));
      const evDefs = c.event?.eventDefinitions ?? [];
      if (!evDefs.length) findings.push(finding(el.id, 'engine.mi.complexNeedsEvent'));
      for (const d of evDefs) { const event = thrown(d, { vi: 'sự kiện của complexBehaviorDefinition', en: 'its complexBehaviorDefinition event' }); if (event) throws.push({ condition, event }); }
    }
  } else {
    const event = thrown(behavior === 'None' ? l.noneBehaviorEventRef : l.oneBehaviorEventRef, behavior === 'None' ? 'noneBehaviorEventRef' : 'oneBehaviorEventRef');
    if (event) throws.push({ event });
  }
  return { behavior: behavior as 'None' | 'One' | 'Complex', throws };
}

export function loopOf(el: El, findings: Finding[]): LoopDef | undefined {
  const l = el.loopCharacteristics;
  if (!l) return undefined;
  if (l.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    return {
      mi: true, sequential: Boolean(l.isSequential), cardinality: body(l.loopCardinality), completion: body(l.completionCondition),
      collection: camunda(l, 'collection') ?? l.loopDataInputRef?.id, elementVariable: camunda(l, 'elementVariable') ?? l.inputDataItem?.name ?? l.inputDataItem?.id,
      ...behaviorOf(el, l, findings),
    };
  }
  const maximum = l.loopMaximum === undefined || l.loopMaximum === null ? undefined : Number(l.loopMaximum);
  if (maximum !== undefined && !(Number.isInteger(maximum) && maximum >= 0)) findings.push(finding(el.id, 'engine.loop.maximum', { value: String(l.loopMaximum) }));
  return { mi: false, condition: body(l.loopCondition), testBefore: Boolean(l.testBefore), maximum };
}
