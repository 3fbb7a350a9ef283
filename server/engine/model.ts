import { createRequire } from 'node:module';
import { BpmnModdle } from 'bpmn-moddle';
import { compileProcess } from './compile/compile.js';
import type { Graph } from './compile/graph.js';
import { finding, findingOf, type Finding } from './compile/messages.js';
import type { ModdleElement as El } from './compile/moddle.js';
import { expressionProblem } from './expression.js';
import { MAX_SUBPROCESS_DEPTH, MAX_XML_BYTES, structureProblem, xmlSafetyProblem } from './limits.js';
import { timerSpecProblems } from './timer-spec.js';
import { parseBudget } from '../calendar/index.js';
import { TTHC_NS } from './tthc-ns.js';

/** Our BPMN extension namespace (working-time budgets and due-relative timers). */

// Loaded with require: JSON import attributes are not understood by every runner we use (jest/swc).
const camundaDescriptor: unknown = createRequire(import.meta.url)('camunda-bpmn-moddle/resources/camunda.json');
export const moddleOptions = { camunda: camundaDescriptor };

export type { Finding } from './compile/messages.js';

/** What the durable host needs to know about one flow element, read once at deployment. */
interface ActivityInfo {
  type: string;
  name?: string;
  assignee?: string;
  candidateUsers?: string;
  candidateGroups?: string;
  dueDate?: string;
  followUpDate?: string;
  priority?: string;
  formKey?: string;
  topic?: string;
  taskPriority?: string;
  budget?: string;
  beforeDue?: string;
  message?: { id: string; name: string };
  timer?: boolean;
  /** camunda:elementVariable of a multi-instance activity. */
  elementVariable?: string;
  isStart?: boolean;
}

export interface ProcessModel {
  processId: string;
  name?: string;
  versionTag?: string;
  activities: Record<string, ActivityInfo>;
  /** Message start events: message name → start event id. */
  messageStarts: Record<string, string>;
  timerStarts: Array<{ activityId: string; timeDate?: string; timeDuration?: string; timeCycle?: string }>;
  noneStart: boolean;
  /** Signal start events (native interpreter): signal name → start event id. */
  signalStarts?: Record<string, string>;
  /** The native interpreter's executable graph; absent on definitions run by bpmn-engine. */
  graph?: Graph;
}

/** Which interpreter a deployment is compiled for: our own (`native`) or the hosted bpmn-engine. */
export type Interpreter = 'native' | 'bpmn-engine';

export interface ParsedDefinitions {
  processes: ProcessModel[];
  findings: Finding[];
}

const SUPPORTED = new Set([
  'bpmn:StartEvent', 'bpmn:EndEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:IntermediateThrowEvent', 'bpmn:BoundaryEvent',
  'bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:Task', 'bpmn:ManualTask',
  'bpmn:ExclusiveGateway', 'bpmn:ParallelGateway', 'bpmn:EventBasedGateway', 'bpmn:InclusiveGateway',
  'bpmn:SubProcess', 'bpmn:SequenceFlow',
]);
/** What only the native interpreter runs (its compiler refuses what it cannot). */
const NATIVE_EXTRA = new Set(['bpmn:BusinessRuleTask', 'bpmn:CallActivity', 'bpmn:ComplexGateway', 'bpmn:Transaction', 'bpmn:AdHocSubProcess']);
const IGNORED = new Set(['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference', 'bpmn:TextAnnotation', 'bpmn:Association', 'bpmn:Group']);
const EVENT_DEFS = new Set(['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:TerminateEventDefinition']);

/** Size, DOCTYPE and ENTITY are refused before any parser sees the text (limits.ts); then it must be BPMN. */
function xmlSafetyFinding(xml: string): Finding | null {
  const unsafe = xmlSafetyProblem(xml);
  if (unsafe) return unsafe.kind === 'too-large' ? finding(undefined, 'engine.xml.tooLarge', { mb: MAX_XML_BYTES / 1024 / 1024 }) : finding(undefined, 'engine.xml.doctype');
  if (!/<([\w-]+:)?definitions[\s>]/.test(xml)) return finding(undefined, 'engine.xml.noDefinitions');
  const shape = structureProblem(xml);
  if (shape) return finding(undefined, shape.code === 'too-deep' ? 'engine.xml.tooDeep' : 'engine.xml.tooManyElements', { max: shape.max });
  return null;
}

function attr(el: Pick<El, 'get'>, name: string): string | undefined {
  const v = el.get ? el.get(`camunda:${name}`) : undefined;
  if (v === undefined || v === null || v === '') return undefined;
  return Array.isArray(v) ? v.join(',') : String(v);
}

function tthcAttr(el: El, local: string): string | undefined {
  const attrs: Record<string, string> = el.$attrs ?? {};
  for (const [k, v] of Object.entries(attrs)) {
    const [prefix, name] = k.includes(':') ? k.split(':') : ['', k];
    if (name !== local || !prefix) continue;
    // The prefix is whatever the author chose; resolve it against the declared namespaces.
    let p: El | undefined = el;
    while (p) {
      if (p.$attrs?.[`xmlns:${prefix}`] === TTHC_NS) return v;
      p = p.$parent;
    }
  }
  return undefined;
}

function formal(x: El | undefined): string | undefined {
  if (!x) return undefined;
  return typeof x.body === 'string' ? x.body.trim() : undefined;
}

/** Parses BPMN XML and applies every refusal rule; never throws for bad input. */
export async function parseDefinitions(xml: string, interpreter: Interpreter = 'bpmn-engine'): Promise<ParsedDefinitions> {
  const native = interpreter === 'native';
  const findings: Finding[] = [];
  const unsafe = xmlSafetyFinding(xml);
  if (unsafe) return { processes: [], findings: [unsafe] };
  let root: El | undefined;
  let warnings: Array<{ message: string }> = [];
  let byId: Record<string, El> = {};
  try {
    const moddle = new BpmnModdle(moddleOptions);
    const res = await moddle.fromXML(xml.trim(), 'bpmn:Definitions');
    root = res.rootElement as El | undefined;
    warnings = (res.warnings ?? []) as Array<{ message: string }>;
    byId = (res.elementsById ?? {}) as Record<string, El>;
  } catch (err) {
    return { processes: [], findings: [finding(undefined, 'engine.xml.malformed', { detail: (err as Error).message.split('\n')[0] ?? '' })] };
  }
  if (!root || root.$type !== 'bpmn:Definitions') return { processes: [], findings: [finding(undefined, 'engine.xml.notBpmn')] };
  // A structureRef naming a type (structureRef="String") is data typing the engine never uses: not a reason to refuse.
  const typing = (w: { property?: string }) => /structureRef|itemSubjectRef/.test(String(w.property ?? ''));
  // §8.3.2 imports: a pool whose processRef names a process of an imported BPMN file (`processRef="ns:key"`, the
  // prefix bound to an <import>ed namespace) is that process, deployed from its own file: messages flow to it by key.
  const importedNs = new Set((root.imports ?? []).filter((i) => /BPMN\/20100524\/MODEL/.test(String(i.importType ?? ''))).map((i) => String(i.namespace)));
  const importedPools = new Map<string, string>();
  for (const w of warnings as Array<{ message: string; property?: string; value?: unknown; element?: El }>) {
    const [prefix, key] = String(w.value ?? '').split(':');
    if (w.property !== 'bpmn:processRef' || w.element?.$type !== 'bpmn:Participant' || !prefix || !key) continue;
    if (importedNs.has(String(root.$attrs?.[`xmlns:${prefix}`]))) importedPools.set(w.element.id, key);
  }
  const crossFile = (w: { property?: string; element?: El }) => w.property === 'bpmn:processRef' && importedPools.has(w.element?.id as string);
  const unparsable = warnings.find((w) => /unparsable content|unresolved reference|illegal/i.test(w.message) && !typing(w as { property?: string }) && !crossFile(w as { element?: El }));
  if (unparsable) findings.push(finding(undefined, 'engine.xml.invalid', { detail: unparsable.message.split('\n')[0] ?? '' }));

  const processes: ProcessModel[] = [];
  const executable = (root.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process' && e.isExecutable !== false);
  if (!executable.length) findings.push(finding(undefined, 'engine.process.noneExecutable'));
  // The native interpreter deploys every executable process of a collaboration, each as a definition of its own.
  if (executable.length > 1 && !native) {
    findings.push(finding(executable[1]!.id, 'engine.process.onlyOne'));
  }
  // Message flows (§13.4.1 collaborations): from a message throw event or send task without a worker topic to an
  // executable process of this file, or to a pool of an imported file's process (by its key, deployed from that
  // file), the engine delivers the message itself; to anything else it would be lost.
  const sends: Record<string, { process: string; message: string }> = {};
  if (native) {
    const processOf = (id: string): string | undefined => {
      const has = (c: El): boolean => (c.flowElements ?? []).some((e) => e.id === id || (e.flowElements && has(e)));
      return executable.find((p) => p.id === id || has(p))?.id;
    };
    for (const c of (root.rootElements ?? []).filter((e) => e.$type === 'bpmn:Collaboration')) {
      for (const mf of c.messageFlows ?? []) {
        const src = mf.sourceRef;
        if (!src || !['bpmn:IntermediateThrowEvent', 'bpmn:EndEvent', 'bpmn:SendTask'].includes(src.$type) || attr(src, 'topic')) continue;
        const elsewhere = mf.targetRef?.$type === 'bpmn:Participant' ? importedPools.get(mf.targetRef.id) : undefined;
        const target = elsewhere ?? (mf.targetRef?.$type === 'bpmn:Participant' ? mf.targetRef.processRef?.id : processOf(mf.targetRef?.id ?? ''));
        const message = (src.$type === 'bpmn:SendTask' ? src.messageRef : (src.eventDefinitions ?? []).find((d) => d.$type === 'bpmn:MessageEventDefinition')?.messageRef)?.name;
        if (!target || !(elsewhere || executable.some((p) => p.id === target)) || !message) {
          findings.push(finding(src.id, 'engine.messageFlow.nowhere'));
          continue;
        }
        sends[src.id] = { process: target, message };
      }
    }
  }
  for (const proc of native ? executable : executable.slice(0, 1)) {
    const model: ProcessModel = {
      processId: proc.id, name: proc.name, versionTag: attr(proc, 'versionTag'),
      activities: {}, messageStarts: {}, timerStarts: [], noneStart: false,
    };
    walk(proc, model, findings, true, native, 0, sends);
    if (native) model.graph = compileProcess(proc, findings, sends);
    processes.push(model);
  }
  // People know a step by its name: the refusal names it (the id stays for tools).
  for (const f of findings) {
    const name = f.elementId ? byId[f.elementId]?.name : undefined;
    if (typeof name === 'string' && name.trim()) f.elementName = name.trim();
  }
  return { processes, findings };
}

function checkExpr(findings: Finding[], id: string, what: string, text: string | undefined): void {
  if (!text) return;
  const why = expressionProblem(text);
  if (why) findings.push(finding(id, 'engine.expression.unsupportedIn', { what, text, detail: why }));
}

function walk(container: El, model: ProcessModel, findings: Finding[], topLevel: boolean, native = false, depth = 0, sends: Record<string, unknown> = {}): void {
  // <incoming> children are optional in BPMN XML; count the flows themselves.
  const incoming = new Map<string, number>();
  for (const f of container.flowElements ?? []) {
    if (f.$type === 'bpmn:SequenceFlow' && f.targetRef?.id) incoming.set(f.targetRef.id, (incoming.get(f.targetRef.id) ?? 0) + 1);
  }
  for (const el of container.flowElements ?? []) {
    const t: string = el.$type;
    if (IGNORED.has(t)) continue;
    const id: string = el.id;
    if (t === 'bpmn:ScriptTask') { findings.push(finding(id, 'engine.script.task')); continue; }
    if (native && NATIVE_EXTRA.has(t)) { if (t === 'bpmn:CallActivity') continue; } else if (!SUPPORTED.has(t)) { findings.push(finding(id, 'engine.element.unsupported', { type: t.replace('bpmn:', '') })); continue; }
    if (t === 'bpmn:SequenceFlow') {
      const cond = el.conditionExpression;
      if (cond) {
        if (cond.language) findings.push(finding(id, 'engine.script.condition', { language: String(cond.language) }));
        else checkExpr(findings, id, 'condition', formal(cond));
      }
      continue;
    }
    if (!native && t === 'bpmn:InclusiveGateway' && (incoming.get(id) ?? 0) > 1) {
      findings.push(finding(id, 'engine.gateway.orJoin'));
    }
    if (!native && t === 'bpmn:SubProcess' && el.triggeredByEvent) {
      findings.push(finding(id, 'engine.eventSubprocess.unsupported'));
      continue;
    }
    const info: ActivityInfo = { type: t, name: el.name };
    const loop = el.loopCharacteristics;
    if (loop) {
      if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
        if (native) checkExpr(findings, id, 'loopCondition', formal(loop.loopCondition));
        else findings.push(finding(id, 'engine.loop.standard'));
      } else {
        checkExpr(findings, id, 'loopCardinality', formal(loop.loopCardinality));
        checkExpr(findings, id, 'completionCondition', formal(loop.completionCondition));
        checkExpr(findings, id, 'collection', attr(loop, 'collection'));
        info.elementVariable = attr(loop, 'elementVariable');
      }
    }
    if (t === 'bpmn:UserTask') {
      for (const a of ['assignee', 'candidateUsers', 'candidateGroups', 'dueDate', 'followUpDate', 'priority', 'formKey'] as const) {
        const v = attr(el, a);
        if (v !== undefined) { info[a] = v; checkExpr(findings, id, `camunda:${a}`, v); }
      }
      info.budget = tthcAttr(el, 'budget');
      if (info.budget && !parseBudget(info.budget)) findings.push(finding(id, 'engine.budget.invalid', { attr: 'tthc:budget', value: info.budget }));
    }
    if (t === 'bpmn:ServiceTask' || t === 'bpmn:SendTask' || t === 'bpmn:BusinessRuleTask') {
      if ((attr(el, 'type') !== 'external' || !attr(el, 'topic')) && !sends[id]) {
        findings.push(finding(id, 'engine.serviceTask.external'));
      }
      info.topic = attr(el, 'topic');
      info.taskPriority = attr(el, 'taskPriority');
      checkExpr(findings, id, 'camunda:topic', info.topic);
      checkExpr(findings, id, 'camunda:taskPriority', info.taskPriority);
    }
    if (t === 'bpmn:ReceiveTask') {
      if (!el.messageRef?.name) findings.push(finding(id, 'engine.receiveTask.message'));
      else info.message = { id: el.messageRef.id, name: el.messageRef.name };
      // §10.2.3 instantiate="true" without incoming flows: the message starts the process (the compiler checks the placement).
      if (native && topLevel && el.instantiate && info.message && !incoming.get(id)) { model.messageStarts[info.message.name] = id; info.isStart = true; }
    }
    const throwing = t === 'bpmn:IntermediateThrowEvent' || t === 'bpmn:EndEvent';
    for (const def of [...(el.eventDefinitions ?? []), ...(native ? el.eventDefinitionRef ?? [] : [])]) {
      const dt: string = def.$type;
      if (native) {
        // The native compiler judges every event definition; the signal name doubles as a subscription name.
        const name = def.signalRef?.name ?? def.signalRef?.id;
        if (dt === 'bpmn:SignalEventDefinition' && !throwing && name) {
          info.message = { id: `signal:${name}`, name: `signal:${name}` };
          if (t === 'bpmn:StartEvent' && topLevel) (model.signalStarts ??= {})[name] = id;
        }
        if (dt === 'bpmn:MessageEventDefinition' && throwing) {
          if (attr(el, 'topic')) { info.topic = attr(el, 'topic'); checkExpr(findings, id, 'camunda:topic', info.topic); }
          continue;
        }
        if (dt === 'bpmn:ConditionalEventDefinition') checkExpr(findings, id, 'condition', formal(def.condition));
      } else if (!EVENT_DEFS.has(dt)) { findings.push(finding(id, 'engine.element.unsupported', { type: dt.replace('bpmn:', '') })); continue; }
      if (dt === 'bpmn:MessageEventDefinition') {
        if (throwing) {
          findings.push(finding(id, 'engine.message.throwUnsupported'));
        } else if (!def.messageRef?.name) findings.push(finding(id, 'engine.message.needsName'));
        else {
          info.message = { id: def.messageRef.id, name: def.messageRef.name };
          if (t === 'bpmn:StartEvent') {
            if (!topLevel && !native) findings.push(finding(id, 'engine.message.startTopLevel'));
            if (topLevel) model.messageStarts[def.messageRef.name] = id;
          }
        }
      }
      if (dt === 'bpmn:TimerEventDefinition') {
        info.timer = true;
        const spec = { timeDate: formal(def.timeDate), timeDuration: formal(def.timeDuration), timeCycle: formal(def.timeCycle) };
        for (const [k, v] of Object.entries(spec)) checkExpr(findings, id, k, v);
        for (const problem of timerSpecProblems(spec)) findings.push(findingOf(id, problem));
        info.beforeDue = tthcAttr(el, 'beforeDue');
        if (info.beforeDue && !parseBudget(info.beforeDue)) findings.push(finding(id, 'engine.budget.invalid', { attr: 'tthc:beforeDue', value: info.beforeDue }));
        if (!spec.timeDate && !spec.timeDuration && !spec.timeCycle) findings.push(finding(id, 'engine.timer.needsDefinition'));
        if (t === 'bpmn:StartEvent') {
          if (!topLevel && !native) findings.push(finding(id, 'engine.timer.startTopLevel'));
          if (topLevel) model.timerStarts.push({ activityId: id, ...spec });
        }
      }
      if (!native && dt === 'bpmn:ErrorEventDefinition' && t === 'bpmn:StartEvent') findings.push(finding(id, 'engine.error.startUnsupported'));
    }
    if (t === 'bpmn:StartEvent' && topLevel && !(el.eventDefinitions ?? []).length && !(el.eventDefinitionRef ?? []).length) model.noneStart = true;
    if (t === 'bpmn:StartEvent' && topLevel) info.isStart = true;
    model.activities[id] = info;
    if (t === 'bpmn:SubProcess' || t === 'bpmn:AdHocSubProcess' || t === 'bpmn:Transaction') {
      if (depth + 1 > MAX_SUBPROCESS_DEPTH) findings.push(finding(id, 'engine.subprocess.tooDeep', { max: MAX_SUBPROCESS_DEPTH }));
      else walk(el, model, findings, false, native, depth + 1, sends);
    }
  }
  if (topLevel) {
    const starts = Number(model.noneStart) + Object.keys(model.messageStarts).length + model.timerStarts.length + Object.keys(model.signalStarts ?? {}).length;
    if (starts > 1) findings.push(finding(model.processId, 'engine.process.oneStart'));
    if (starts === 0) findings.push(finding(model.processId, 'engine.process.noStart'));
  }
}
