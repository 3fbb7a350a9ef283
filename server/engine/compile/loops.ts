import type { Finding } from '../model.js';
import { oneEvent } from './events.js';
import type { EventDef, LoopDef } from './graph.js';
import { body, camunda, type El } from './moddle.js';

/** Loop characteristics: standard loops (§13.2.6) and multi-instance (§13.2.7) with its behavior (§10.2.8). */

/**
 * §13.2.7 / §10.2.8 multi-instance behavior: the events thrown as instances complete (implicit
 * throws from the activity: its boundary events catch them, as a throw inside it would be). Signals
 * and escalations are thrown; other definitions are refused naming the activity.
 */
function behaviorOf(el: El, l: El, findings: Finding[]): Pick<LoopDef, 'behavior' | 'throws'> {
  const behavior = (l.behavior ?? 'All') as string;
  if (behavior === 'All') return {};
  if (!['None', 'One', 'Complex'].includes(behavior)) {
    findings.push({ elementId: el.id, message: `Multi-instance behavior '${behavior}' is not one of All, None, One, Complex (§10.2.8)` });
    return {};
  }
  const thrown = (d: El, what: string): EventDef | undefined => {
    if (!d) { findings.push({ elementId: el.id, message: `Multi-instance behavior ${behavior} needs ${what} naming the event definition it throws (§10.2.8)` }); return undefined; }
    const ev = oneEvent(el, d, findings);
    if (ev && ev.kind !== 'signal' && ev.kind !== 'escalation') {
      findings.push({ elementId: el.id, message: `Multi-instance behavior ${behavior} throws signals and escalations; ${what} names a ${ev.kind} event definition` });
      return undefined;
    }
    return ev;
  };
  const throws: NonNullable<LoopDef['throws']> = [];
  if (behavior === 'Complex') {
    const defs = (l.complexBehaviorDefinition ?? []) as El[];
    if (!defs.length) findings.push({ elementId: el.id, message: 'Multi-instance behavior Complex needs a complexBehaviorDefinition (§10.2.8)' });
    for (const c of defs) {
      const condition = body(c.condition);
      if (!condition) findings.push({ elementId: el.id, message: 'A complexBehaviorDefinition needs a condition (§10.2.8)' });
      const evDefs = (c.event?.eventDefinitions ?? []) as El[];
      if (!evDefs.length) findings.push({ elementId: el.id, message: 'A complexBehaviorDefinition needs an event with a signal or escalation definition (§10.2.8)' });
      for (const d of evDefs) { const event = thrown(d, 'its complexBehaviorDefinition event'); if (event) throws.push({ condition, event }); }
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
  if (maximum !== undefined && !(Number.isInteger(maximum) && maximum >= 0)) findings.push({ elementId: el.id, message: `loopMaximum ${String(l.loopMaximum)} must be a whole number ≥ 0 (§13.2.6)` });
  return { mi: false, condition: body(l.loopCondition), testBefore: Boolean(l.testBefore), maximum };
}
