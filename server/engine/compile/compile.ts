import { finding, type CompileKey, type Finding, type FindingParams } from './messages.js';
import { compensation, retryOf } from './rules.js';
import { expressionProblem } from '../expression.js';
import { eventOf } from './events.js';
import type { CallDef, CallMapping, GFlow, GNode, Graph, Param, ParamValue } from './graph.js';
import { loopOf } from './loops.js';
import { body, camunda, type ModdleElement as El } from './moddle.js';

const short = (t: string): string => t.replace(/^bpmn:/, '').replace(/^./, (c) => c.toLowerCase());

/** Elements the interpreter runs. Anything else in a process is refused with its id. */
const RUNS = new Set([
  'startEvent', 'endEvent', 'intermediateCatchEvent', 'intermediateThrowEvent', 'boundaryEvent',
  'task', 'userTask', 'serviceTask', 'sendTask', 'receiveTask', 'manualTask', 'businessRuleTask',
  'exclusiveGateway', 'parallelGateway', 'inclusiveGateway', 'eventBasedGateway', 'complexGateway', 'subProcess', 'transaction', 'callActivity', 'adHocSubProcess',
]);
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
      findings.push(finding(el.id, 'engine.listener.unsupported', { what: t.slice(8) }));
    } else if (t === 'camunda:Connector') {
      findings.push(finding(el.id, 'engine.connector.unsupported'));
    } else if (t === 'camunda:InputOutput') {
      if (!node) { findings.push(finding(el.id, 'engine.io.onProcess')); continue; }
      if (node.type === 'startEvent' || node.type === 'boundaryEvent' || node.type.endsWith('Gateway')) {
        findings.push(finding(el.id, 'engine.io.notOn', { type: node.type }));
        continue;
      }
      const params = (list: El[] | undefined, dir: Dir): Param[] => (list ?? []).map((p) => ({ name: String(p.name ?? ''), value: paramValue(p.definition ?? (p.value === undefined ? null : { $type: 'text', value: p.value }), el.id, { dir, param: String(p.name) }, findings) }));
      const inputs = params(x.inputParameters, 'input');
      const outputs = params(x.outputParameters, 'output');
      for (const p of [...inputs, ...outputs]) if (!p.name) findings.push(finding(el.id, 'engine.io.paramName'));
      if (inputs.length) node.inputs = inputs;
      if (outputs.length) node.outputs = outputs;
    }
  }
}

/** §10.2.5 call activity, with Camunda's binding and variable mappings (camunda:in / camunda:out). */
function callOf(el: El, findings: Finding[]): CallDef | undefined {
  const refuse = (key: CompileKey, params: FindingParams = {}) => { findings.push(finding(el.id, key, params)); };
  const element = typeof el.calledElement === 'string' ? el.calledElement.trim() : '';
  if (!element) { refuse('engine.call.needsElement'); return undefined; }
  if (camunda(el, 'caseRef')) refuse('engine.call.cmmn');
  if (camunda(el, 'calledElementTenantId')) refuse('engine.call.tenant');
  if (camunda(el, 'variableMappingClass') || camunda(el, 'variableMappingDelegateExpression')) refuse('engine.call.mappingClass');
  const binding = (camunda(el, 'calledElementBinding') ?? 'latest') as CallDef['binding'];
  if (!['latest', 'deployment', 'version', 'versionTag'].includes(binding)) refuse('engine.call.binding', { binding });
  const def: CallDef = { element, binding, ins: [], outs: [] };
  if (binding === 'version') {
    def.version = camunda(el, 'calledElementVersion');
    if (!def.version) refuse('engine.call.needsVersion');
  }
  if (binding === 'versionTag') {
    def.versionTag = camunda(el, 'calledElementVersionTag');
    if (!def.versionTag) refuse('engine.call.needsVersionTag');
  }
  for (const text of [element, def.version, def.versionTag]) {
    const why = text ? expressionProblem(text) : null;
    if (why) refuse('engine.expression.unsupported', { text: text!, detail: why });
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
    if (!m.all && !m.businessKey && !((m.source || m.sourceExpression) && m.target)) refuse('engine.call.mapping', { which: t.slice(8).toLowerCase() });
    for (const e of [m.sourceExpression, m.businessKey]) {
      const why = e ? expressionProblem(e) : null;
      if (why) refuse('engine.expression.unsupported', { text: e!, detail: why });
    }
    (t === 'camunda:In' ? def.ins : def.outs).push(m);
  }
  return def;
}

type Dir = 'input' | 'output';
const IO_KEYS = {
  input: { expression: 'engine.io.inputExpression', script: 'engine.io.inputScript', unsupported: 'engine.io.inputUnsupported' },
  output: { expression: 'engine.io.outputExpression', script: 'engine.io.outputScript', unsupported: 'engine.io.outputUnsupported' },
} as const satisfies Record<Dir, Record<string, CompileKey>>;

/** A parameter's value element, or a bare text value as `{ $type: 'text', value }`. */
type ValueEl = Pick<El, '$type' | 'definition' | 'value' | 'items' | 'entries'>;

function paramValue(d: ValueEl | null | undefined, id: string, what: { dir: Dir; param: string }, findings: Finding[]): ParamValue {
  if (d === null || d === undefined) return null;
  const t = String(d.$type);
  if (t === 'text' || t === 'camunda:Value' || t === 'camunda:Entry') {
    if (d.definition) return paramValue(d.definition, id, what, findings);
    const text = typeof d.value === 'string' ? d.value.trim() : '';
    const why = text ? expressionProblem(text) : null;
    if (why) findings.push(finding(id, IO_KEYS[what.dir].expression, { param: what.param, text, detail: why }));
    return { text };
  }
  if (t === 'camunda:List') return { list: (d.items ?? []).map((i) => paramValue(i, id, what, findings)) };
  if (t === 'camunda:Map') {
    const map: Record<string, ParamValue> = {};
    for (const e of d.entries ?? []) map[String(e.key)] = paramValue(e, id, what, findings);
    return { map };
  }
  findings.push(t === 'camunda:Script' ? finding(id, IO_KEYS[what.dir].script, { param: what.param }) : finding(id, IO_KEYS[what.dir].unsupported, { param: what.param, type: t }));
  return null;
}


function walk(container: El, scopeId: string, g: Graph, findings: Finding[]): void {
  const scope = { starts: [] as string[], eventStarts: [] as string[] };
  g.scopes[scopeId] = scope;
  for (const el of container.flowElements ?? []) {
    if (el.$type === 'bpmn:SequenceFlow') {
      // A flow missing an end is refused as an unresolved reference (model.ts); link() skips it.
      const f: GFlow = { id: el.id, source: el.sourceRef?.id as string, target: el.targetRef?.id as string, condition: body(el.conditionExpression) };
      g.flows[el.id] = f;
      continue;
    }
    const type = short(el.$type);
    if (!RUNS.has(type)) continue; // data objects, annotations … (model.ts refuses the rest)
    const node: GNode = {
      id: el.id, type, name: el.name, scope: scopeId, in: [], out: [], boundary: [],
      startQuantity: Number(el.startQuantity ?? 1), completionQuantity: Number(el.completionQuantity ?? 1),
    };
    for (const q of ['startQuantity', 'completionQuantity'] as const) {
      if (!(Number.isInteger(node[q]) && node[q] >= 1)) { findings.push(finding(el.id, 'engine.quantity', { attr: q, value: String(el[q]) })); node[q] = 1; }
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
      const why = node.activation ? expressionProblem(node.activation) : null;
      if (why) findings.push(finding(el.id, 'engine.expression.unsupportedIn', { what: 'activationCondition', text: a ?? '', detail: why }));
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
      if (Object.values(g.nodes).some((x) => x.scope === el.id && x.type === 'startEvent' && !g.nodes[x.scope]?.triggeredByEvent)) findings.push(finding(el.id, 'engine.adhoc.noStart'));
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
      if (!start) findings.push(finding(n.id, 'engine.eventSubprocess.needsStart'));
      else scope.eventStarts.push(start.id);
      if (start?.event?.kind === 'compensate') {
        const owner = g.nodes[scopeId];
        // §10.2.4 / §10.5.5: a compensation event subprocess compensates the subprocess it sits in.
        if (!owner || !SCOPES.has(owner.type)) findings.push(finding(n.id, 'engine.compensation.subprocessPlace'));
        else owner.compStart = start.id;
      }
    }
  }
}

function checkPlacement(el: El, n: GNode, container: El, findings: Finding[]): void {
  const k = n.event?.kind;
  const refuse = (key: CompileKey) => findings.push(finding(n.id, key));
  if (k === 'terminate' && n.type !== 'endEvent') refuse('engine.terminate.notEnd');
  if (k === 'error' && (n.type === 'intermediateThrowEvent' || n.type === 'intermediateCatchEvent')) refuse('engine.error.placement');
  if (k === 'error' && n.type === 'boundaryEvent' && el.cancelActivity === false) refuse('engine.error.boundaryInterrupts');
  if (k === 'error' && n.type === 'startEvent' && !container.triggeredByEvent) refuse('engine.error.startPlace');
  if (k === 'escalation' && n.type === 'startEvent' && !container.triggeredByEvent) refuse('engine.escalation.startPlace');
  if (k === 'escalation' && n.type === 'intermediateCatchEvent') refuse('engine.escalation.catchPlace');
  if (k === 'link' && !['intermediateThrowEvent', 'intermediateCatchEvent'].includes(n.type)) refuse('engine.link.placement');
  if (k === 'message' && n.type === 'startEvent' && container.$type === 'bpmn:SubProcess' && !container.triggeredByEvent) refuse('engine.message.startPlace');
  if (k === 'timer' && n.type === 'startEvent' && container.$type === 'bpmn:SubProcess' && !container.triggeredByEvent) refuse('engine.timer.startPlace');
  if (n.type === 'startEvent' && container.$type === 'bpmn:SubProcess' && !container.triggeredByEvent && k !== 'none') refuse('engine.subprocess.noneStart');
  if (n.type === 'startEvent' && container.triggeredByEvent && k === 'none') refuse('engine.eventSubprocess.triggeredStart');
  if (el.gatewayDirection && el.gatewayDirection !== 'Unspecified') n.direction = el.gatewayDirection;
  if (n.type === 'boundaryEvent' && !el.attachedToRef) refuse('engine.boundary.attached');
  if (n.type === 'boundaryEvent' && (k === 'none' || k === 'link' || k === 'terminate')) refuse(`engine.boundary.${k}` as const);
  // §10.5.x cancel events belong to transactions: an end event inside one, a boundary event on one.
  if (k === 'cancel') {
    if (n.type === 'endEvent' && container.$type !== 'bpmn:Transaction') refuse('engine.cancel.endPlace');
    if (n.type !== 'endEvent' && n.type !== 'boundaryEvent') refuse('engine.cancel.placement');
    if (n.type === 'boundaryEvent' && el.cancelActivity === false) refuse('engine.cancel.boundaryInterrupts');
  }
  if (k === 'compensate') {
    if (n.type === 'intermediateCatchEvent') refuse('engine.compensation.intermediateCatch');
    if (n.type === 'startEvent' && !container.triggeredByEvent) refuse('engine.compensation.startPlace');
  }
}

function link(g: Graph, findings: Finding[]): void {
  for (const f of Object.values(g.flows)) {
    const s = g.nodes[f.source];
    const t = g.nodes[f.target];
    if (!s || !t) continue;
    if (s.scope !== t.scope) findings.push(finding(f.id, 'engine.flow.crossesSubprocess'));
    s.out.push(f.id);
    t.in.push(f.id);
    if (s.type === 'parallelGateway' && f.condition) delete f.condition; // the spec ignores them (13.3.2)
  }
  for (const n of Object.values(g.nodes)) {
    const refuse = (key: CompileKey, params: FindingParams = {}) => findings.push(finding(n.id, key, params));
    // Gateway direction (§8.3.9): checked on the flows themselves, <incoming>/<outgoing> are optional in XML.
    if (n.direction === 'Converging' && n.out.length > 1) refuse('engine.gateway.convergingOut');
    if (n.direction === 'Diverging' && n.in.length > 1) refuse('engine.gateway.divergingIn');
    if (n.type === 'eventBasedGateway') {
      for (const f of n.out) {
        const t = g.nodes[g.flows[f]!.target];
        if (!(t?.type === 'receiveTask' || (t?.type === 'intermediateCatchEvent' && t.event?.kind !== 'link' && t.event?.kind !== 'none'))) {
          refuse('engine.gateway.eventBasedTarget', { target: t?.id ?? g.flows[f]!.target });
        }
      }
    }
    if (n.attachedTo) {
      const host = g.nodes[n.attachedTo];
      if (host) host.boundary.push(n.id);
      if (host && (n.event?.kind === 'escalation') && host.type !== 'subProcess' && host.type !== 'callActivity' && !host.loop?.throws?.some((t) => t.event.kind === 'escalation')) {
        refuse('engine.escalation.boundaryHost');
      }
    }
    if (n.type === 'intermediateThrowEvent' && n.event?.kind === 'link') {
      const target = Object.values(g.nodes).find((x) => x.scope === n.scope && x.type === 'intermediateCatchEvent' && x.event?.kind === 'link' && x.event.name === n.event!.name);
      if (!target) refuse('engine.link.noCatch', { name: n.event.name ?? '' });
    }
    if (n.type === 'startEvent' && n.in.length) refuse('engine.start.incoming');
    if (n.type === 'endEvent' && n.out.length) refuse('engine.end.outgoing');
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
