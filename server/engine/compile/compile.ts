import type { Finding } from '../model.js';
import { compensation, retryOf } from './rules.js';
import { checkExpression } from '../expression.js';
import { eventOf } from './events.js';
import type { CallDef, CallMapping, GFlow, GNode, Graph, Param, ParamValue } from './graph.js';
import { loopOf } from './loops.js';
import { body, camunda, type El } from './moddle.js';

const short = (t: string): string => t.replace(/^bpmn:/, '').replace(/^./, (c) => c.toLowerCase());

/** Elements the interpreter runs. Anything else in a process is refused with its id. */
const RUNS = new Set([
  'startEvent', 'endEvent', 'intermediateCatchEvent', 'intermediateThrowEvent', 'boundaryEvent',
  'task', 'userTask', 'serviceTask', 'sendTask', 'receiveTask', 'manualTask', 'businessRuleTask',
  'exclusiveGateway', 'parallelGateway', 'inclusiveGateway', 'eventBasedGateway', 'complexGateway', 'subProcess', 'transaction', 'callActivity', 'adHocSubProcess',
]);
const NOT_YET: Record<string, string> = {};
/** Containers whose flow elements form a scope of their own. */
const SCOPES = new Set(['subProcess', 'transaction', 'adHocSubProcess']);


/**
 * Compiles one executable process (moddle element) into the interpreter's graph. Everything the
 * interpreter cannot run faithfully is a finding naming the element: nothing is half-run later.
 */
export function compileProcess(proc: El, findings: Finding[], sends: Record<string, { process: string; message: string }> = {}): Graph {
  const g: Graph = { processId: proc.id, nodes: {}, flows: {}, scopes: {}, reach: {} };
  extensionsOf(proc, undefined, findings);
  walk(proc, proc.id, g, findings);
  for (const [id, to] of Object.entries(sends)) if (g.nodes[id]) { g.nodes[id].sendTo = to; g.nodes[id].external = false; }
  link(g, findings);
  compensation(g, findings);
  // An ad-hoc subprocess runs the activities no flow starts, in document order.
  for (const n of Object.values(g.nodes)) {
    if (n.adhoc) n.adhoc.order = Object.values(g.nodes).filter((x) => x.scope === n.id && !x.in.length && !x.attachedTo && x.type !== 'startEvent' && !x.triggeredByEvent && !x.forCompensation).map((x) => x.id);
  }
  for (const id of Object.keys(g.nodes)) g.reach[id] = reachable(g, id);
  return g;
}


/**
 * Camunda extension elements: inputOutput mappings run; listeners and connectors would run code
 * on the server and are refused (they used to be ignored silently, which ran the model wrongly).
 */
function extensionsOf(el: El, node: GNode | undefined, findings: Finding[]): void {
  for (const x of el.extensionElements?.values ?? []) {
    const t = String(x.$type);
    if (t === 'camunda:ExecutionListener' || t === 'camunda:TaskListener') {
      findings.push({ elementId: el.id, message: `${t.slice(8)}s are not supported: they would run code on the server; model the step as an external service task` });
    } else if (t === 'camunda:Connector') {
      findings.push({ elementId: el.id, message: 'Connectors are not supported: use an external service task' });
    } else if (t === 'camunda:InputOutput') {
      if (!node) { findings.push({ elementId: el.id, message: 'camunda:inputOutput belongs on an activity, not on the process' }); continue; }
      if (node.type === 'startEvent' || node.type === 'boundaryEvent' || node.type.endsWith('Gateway')) {
        findings.push({ elementId: el.id, message: `camunda:inputOutput is not supported on a ${node.type} (Camunda neither)` });
        continue;
      }
      const params = (list: El[] | undefined, what: string): Param[] => (list ?? []).map((p: El) => ({ name: String(p.name ?? ''), value: paramValue(p.definition ?? (p.value === undefined ? null : { $type: 'text', value: p.value }), el.id, `${what} '${p.name}'`, findings) }));
      const inputs = params(x.inputParameters, 'input parameter');
      const outputs = params(x.outputParameters, 'output parameter');
      for (const p of [...inputs, ...outputs]) if (!p.name) findings.push({ elementId: el.id, message: 'An input/output parameter needs a name' });
      if (inputs.length) node.inputs = inputs;
      if (outputs.length) node.outputs = outputs;
    }
  }
}

/** §10.2.5 call activity, with Camunda's binding and variable mappings (camunda:in / camunda:out). */
function callOf(el: El, findings: Finding[]): CallDef | undefined {
  const refuse = (message: string) => { findings.push({ elementId: el.id, message }); };
  const element = typeof el.calledElement === 'string' ? el.calledElement.trim() : '';
  if (!element) { refuse('A call activity needs calledElement (the key of the process it calls)'); return undefined; }
  if (camunda(el, 'caseRef')) refuse('Calling a CMMN case is not supported');
  if (camunda(el, 'calledElementTenantId')) refuse('Tenants are not supported: remove calledElementTenantId');
  if (camunda(el, 'variableMappingClass') || camunda(el, 'variableMappingDelegateExpression')) refuse('Variable mapping classes would run code on the server; use camunda:in / camunda:out');
  const binding = (camunda(el, 'calledElementBinding') ?? 'latest') as CallDef['binding'];
  if (!['latest', 'deployment', 'version', 'versionTag'].includes(binding)) refuse(`calledElementBinding '${binding}' is not one of latest, deployment, version, versionTag`);
  const def: CallDef = { element, binding, ins: [], outs: [] };
  if (binding === 'version') {
    def.version = camunda(el, 'calledElementVersion');
    if (!def.version) refuse('calledElementBinding="version" needs camunda:calledElementVersion');
  }
  if (binding === 'versionTag') {
    def.versionTag = camunda(el, 'calledElementVersionTag');
    if (!def.versionTag) refuse('calledElementBinding="versionTag" needs camunda:calledElementVersionTag');
  }
  for (const text of [element, def.version, def.versionTag]) {
    const why = text ? checkExpression(text) : null;
    if (why) refuse(`Unsupported expression "${text}": ${why}`);
  }
  for (const x of el.extensionElements?.values ?? []) {
    const t = String(x.$type);
    if (t !== 'camunda:In' && t !== 'camunda:Out') continue;
    const m: CallMapping = {};
    if (x.variables === 'all') m.all = true;
    if (x.source) m.source = String(x.source);
    if (x.sourceExpression) m.sourceExpression = String(x.sourceExpression);
    if (x.target) m.target = String(x.target);
    if (x.local) m.local = true;
    if (x.businessKey) m.businessKey = String(x.businessKey);
    if (!m.all && !m.businessKey && !((m.source || m.sourceExpression) && m.target)) refuse(`camunda:${t.slice(8).toLowerCase()} needs variables="all", or a source (or sourceExpression) and a target`);
    for (const e of [m.sourceExpression, m.businessKey]) {
      const why = e ? checkExpression(e) : null;
      if (why) refuse(`Unsupported expression "${e}": ${why}`);
    }
    (t === 'camunda:In' ? def.ins : def.outs).push(m);
  }
  return def;
}

function paramValue(d: El, id: string, what: string, findings: Finding[]): ParamValue {
  if (d === null || d === undefined) return null;
  const t = String(d.$type);
  if (t === 'text' || t === 'camunda:Value' || t === 'camunda:Entry') {
    if (d.definition) return paramValue(d.definition, id, what, findings);
    const text = typeof d.value === 'string' ? d.value.trim() : '';
    const why = text ? checkExpression(text) : null;
    if (why) findings.push({ elementId: id, message: `Unsupported expression in ${what} "${text}": ${why}` });
    return { text };
  }
  if (t === 'camunda:List') return { list: (d.items ?? []).map((i: El) => paramValue(i, id, what, findings)) };
  if (t === 'camunda:Map') {
    const map: Record<string, ParamValue> = {};
    for (const e of d.entries ?? []) map[String(e.key)] = paramValue(e, id, what, findings);
    return { map };
  }
  findings.push({ elementId: id, message: `${what}: ${t === 'camunda:Script' ? 'script mappings are not allowed (no code runs on the server)' : `${t} is not supported`}` });
  return null;
}


function walk(container: El, scopeId: string, g: Graph, findings: Finding[]): void {
  const scope = { starts: [] as string[], eventStarts: [] as string[] };
  g.scopes[scopeId] = scope;
  for (const el of container.flowElements ?? []) {
    if (el.$type === 'bpmn:SequenceFlow') {
      const f: GFlow = { id: el.id, source: el.sourceRef?.id, target: el.targetRef?.id, condition: body(el.conditionExpression) };
      g.flows[el.id] = f;
      continue;
    }
    const type = short(el.$type);
    if (NOT_YET[type]) { findings.push({ elementId: el.id, message: NOT_YET[type] }); continue; }
    if (!RUNS.has(type)) continue; // data objects, annotations … (model.ts refuses the rest)
    const node: GNode = {
      id: el.id, type, name: el.name, scope: scopeId, in: [], out: [], boundary: [],
      startQuantity: Number(el.startQuantity ?? 1), completionQuantity: Number(el.completionQuantity ?? 1),
    };
    for (const q of ['startQuantity', 'completionQuantity'] as const) {
      if (!(Number.isInteger(node[q]) && node[q] >= 1)) { findings.push({ elementId: el.id, message: `${q} ${String(el[q])} must be a whole number ≥ 1 (§13.2.1)` }); node[q] = 1; }
    }
    if (el.default?.id) node.default = el.default.id;
    node.event = eventOf(el, type, findings);
    extensionsOf(el, node, findings);
    if (type === 'callActivity') node.call = callOf(el, findings);
    if (camunda(el, 'asyncBefore') === 'true' || camunda(el, 'async') === 'true') node.asyncBefore = true;
    if (camunda(el, 'asyncAfter') === 'true') node.asyncAfter = true;
    if (el.isForCompensation) node.forCompensation = true;
    if (type === 'complexGateway') {
      const a = body(el.activationCondition);
      // Betsy and the spec's examples write the bare expression (activationCount >= 1); ours are ${…}.
      if (a) node.activation = /[$#]\{/.test(a) ? a : `\${${a}}`;
      const why = node.activation ? checkExpression(node.activation) : null;
      if (why) findings.push({ elementId: el.id, message: `Unsupported expression in activationCondition "${a}": ${why}` });
    }
    const lp = loopOf(el, findings);
    if (lp) node.loop = lp;
    if (type === 'serviceTask' || type === 'sendTask' || type === 'businessRuleTask') node.external = true;
    if ((type === 'intermediateThrowEvent' || type === 'endEvent') && node.event?.kind === 'message') node.external = Boolean(camunda(el, 'topic'));
    retryOf(el, node, findings);
    if (type === 'receiveTask') node.event = { kind: 'message', ref: el.messageRef?.id, name: el.messageRef?.name };
    if (type === 'receiveTask' && el.instantiate) node.instantiate = true;
    if (type === 'boundaryEvent') { node.attachedTo = el.attachedToRef?.id; node.interrupting = el.cancelActivity !== false; }
    if (type === 'subProcess' && el.triggeredByEvent) node.triggeredByEvent = true;
    if (type === 'startEvent') node.interrupting = el.isInterrupting !== false;
    g.nodes[el.id] = node;
    checkPlacement(el, node, container, findings);
    if (type === 'subProcess' || type === 'transaction') walk(el, el.id, g, findings);
    if (type === 'adHocSubProcess') {
      walk(el, el.id, g, findings);
      node.adhoc = { sequential: el.ordering === 'Sequential', completion: body(el.completionCondition), cancelRemaining: el.cancelRemainingInstances !== false, order: [] };
      if (Object.values(g.nodes).some((x) => x.scope === el.id && x.type === 'startEvent' && !g.nodes[x.scope]?.triggeredByEvent)) findings.push({ elementId: el.id, message: 'An ad-hoc subprocess has no start event' });
    }
  }
  for (const a of container.artifacts ?? []) {
    if (a.$type !== 'bpmn:Association') continue;
    const from = g.nodes[a.sourceRef?.id ?? ''];
    if (from?.type === 'boundaryEvent' && from.event?.kind === 'compensate' && a.targetRef?.id) from.handler = a.targetRef.id;
  }
  for (const n of Object.values(g.nodes)) {
    if (n.scope !== scopeId) continue;
    if (n.type === 'startEvent') {
      const inEventSub = g.nodes[scopeId]?.triggeredByEvent;
      if (!inEventSub && n.event?.kind === 'none') scope.starts.push(n.id);
    }
    if (n.type === 'subProcess' && n.triggeredByEvent) {
      const start = Object.values(g.nodes).find((x) => x.scope === n.id && x.type === 'startEvent');
      if (!start) findings.push({ elementId: n.id, message: 'An event subprocess needs a start event' });
      else scope.eventStarts.push(start.id);
      if (start?.event?.kind === 'compensate') {
        const owner = g.nodes[scopeId];
        // §10.2.4 / §10.5.5: a compensation event subprocess compensates the subprocess it sits in.
        if (!owner || !SCOPES.has(owner.type)) findings.push({ elementId: n.id, message: 'A compensation event subprocess belongs in a subprocess (it compensates that subprocess)' });
        else owner.compStart = start.id;
      }
    }
  }
}

function checkPlacement(el: El, n: GNode, container: El, findings: Finding[]): void {
  const k = n.event?.kind;
  const refuse = (message: string) => findings.push({ elementId: n.id, message });
  if (k === 'terminate' && n.type !== 'endEvent') refuse('A terminate event can only be an end event');
  if (k === 'error' && (n.type === 'intermediateThrowEvent' || n.type === 'intermediateCatchEvent')) refuse('An error event can only be an end, boundary or event-subprocess start event');
  if (k === 'error' && n.type === 'boundaryEvent' && el.cancelActivity === false) refuse('An error boundary event always interrupts (cancelActivity cannot be false)');
  if (k === 'error' && n.type === 'startEvent' && !container.triggeredByEvent) refuse('An error start event belongs in an event subprocess');
  if (k === 'escalation' && n.type === 'startEvent' && !container.triggeredByEvent) refuse('An escalation start event belongs in an event subprocess');
  if (k === 'escalation' && n.type === 'intermediateCatchEvent') refuse('Escalations are caught by boundary events or event subprocesses only');
  if (k === 'link' && !['intermediateThrowEvent', 'intermediateCatchEvent'].includes(n.type)) refuse('Link events are intermediate events only');
  if (k === 'message' && n.type === 'startEvent' && container.$type === 'bpmn:SubProcess' && !container.triggeredByEvent) refuse('Message start events are only supported at the process level or in event subprocesses');
  if (k === 'timer' && n.type === 'startEvent' && container.$type === 'bpmn:SubProcess' && !container.triggeredByEvent) refuse('Timer start events are only supported at the process level or in event subprocesses');
  if (n.type === 'startEvent' && container.$type === 'bpmn:SubProcess' && !container.triggeredByEvent && k !== 'none') refuse('An embedded subprocess starts with a none start event');
  if (n.type === 'startEvent' && container.triggeredByEvent && k === 'none') refuse('An event subprocess starts with a triggered start event (message, timer, signal, error, escalation or conditional)');
  if (el.gatewayDirection && el.gatewayDirection !== 'Unspecified') n.direction = el.gatewayDirection;
  if (n.type === 'boundaryEvent' && !el.attachedToRef) refuse('A boundary event must be attached to an activity');
  if (n.type === 'boundaryEvent' && (k === 'none' || k === 'link' || k === 'terminate')) refuse(`A ${k} event cannot be a boundary event`);
  // §10.5.x cancel events belong to transactions: an end event inside one, a boundary event on one.
  if (k === 'cancel') {
    if (n.type === 'endEvent' && container.$type !== 'bpmn:Transaction') refuse('A cancel end event can only be used inside a transaction subprocess');
    if (n.type !== 'endEvent' && n.type !== 'boundaryEvent') refuse('A cancel event is an end event inside a transaction or a boundary event on one');
    if (n.type === 'boundaryEvent' && el.cancelActivity === false) refuse('A cancel boundary event always interrupts (cancelActivity cannot be false)');
  }
  if (k === 'compensate') {
    if (n.type === 'intermediateCatchEvent') refuse('Compensation is caught by a boundary event (with an associated handler) or a compensation event subprocess, not by an intermediate catch event');
    if (n.type === 'startEvent' && !container.triggeredByEvent) refuse('A compensation start event belongs in an event subprocess');
  }
}

function link(g: Graph, findings: Finding[]): void {
  for (const f of Object.values(g.flows)) {
    const s = g.nodes[f.source];
    const t = g.nodes[f.target];
    if (!s || !t) continue;
    if (s.scope !== t.scope) findings.push({ elementId: f.id, message: 'A sequence flow cannot cross a subprocess boundary' });
    s.out.push(f.id);
    t.in.push(f.id);
    if (s.type === 'parallelGateway' && f.condition) delete f.condition; // the spec ignores them (13.3.2)
  }
  for (const n of Object.values(g.nodes)) {
    const refuse = (message: string) => findings.push({ elementId: n.id, message });
    // Gateway direction (§8.3.9): checked on the flows themselves, <incoming>/<outgoing> are optional in XML.
    if (n.direction === 'Converging' && n.out.length > 1) refuse('A converging gateway has one outgoing flow');
    if (n.direction === 'Diverging' && n.in.length > 1) refuse('A diverging gateway has one incoming flow');
    if (n.type === 'eventBasedGateway') {
      for (const f of n.out) {
        const t = g.nodes[g.flows[f]!.target];
        if (!(t?.type === 'receiveTask' || (t?.type === 'intermediateCatchEvent' && t.event?.kind !== 'link' && t.event?.kind !== 'none'))) {
          refuse(`An event-based gateway leads only to catch events or receive tasks ('${t?.id ?? g.flows[f]!.target}' is not one)`);
        }
      }
    }
    if (n.attachedTo) {
      const host = g.nodes[n.attachedTo];
      if (host) host.boundary.push(n.id);
      if (host && (n.event?.kind === 'escalation') && host.type !== 'subProcess' && host.type !== 'callActivity' && !host.loop?.throws?.some((t) => t.event.kind === 'escalation')) {
        findings.push({ elementId: n.id, message: 'An escalation boundary event sits on a subprocess, a call activity or a multi-instance activity whose behavior throws escalations (§10.2.8)' });
      }
    }
    if (n.type === 'intermediateThrowEvent' && n.event?.kind === 'link') {
      const target = Object.values(g.nodes).find((x) => x.scope === n.scope && x.type === 'intermediateCatchEvent' && x.event?.kind === 'link' && x.event.name === n.event!.name);
      if (!target) findings.push({ elementId: n.id, message: `No link catch event named '${n.event.name ?? ''}' in the same scope` });
    }
    if (n.type === 'startEvent' && n.in.length) findings.push({ elementId: n.id, message: 'A start event has no incoming flow' });
    if (n.type === 'endEvent' && n.out.length) findings.push({ elementId: n.id, message: 'An end event has no outgoing flow' });
  }
}

/** Nodes reachable from `id` by sequence flows (and the boundary events of what it reaches). */
function reachable(g: Graph, id: string): string[] {
  const seen = new Set<string>();
  const todo = [id];
  while (todo.length) {
    const n = g.nodes[todo.pop()!];
    if (!n) continue;
    for (const next of [...n.out.map((f) => g.flows[f]!.target), ...n.boundary]) {
      if (!seen.has(next)) { seen.add(next); todo.push(next); }
    }
    if (n.type === 'intermediateThrowEvent' && n.event?.kind === 'link') {
      const t = Object.values(g.nodes).find((x) => x.scope === n.scope && x.type === 'intermediateCatchEvent' && x.event?.kind === 'link' && x.event.name === n.event!.name);
      if (t && !seen.has(t.id)) { seen.add(t.id); todo.push(t.id); }
    }
  }
  return [...seen];
}
