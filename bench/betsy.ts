/**
 * Betsy probe (issue 13): runs the feature tests of the outside BPMN conformance suite betsy
 * (github.com/uniba-dsg/betsy, LGPL-3.0, not copied here) through our engine service and compares
 * each test case's trace with betsy's expectation, as betsy's own harness does for Camunda.
 *
 *   npm run probe:betsy [-- NameFilter …]     (BETSY_DIR = a betsy checkout or git mirror;
 *                                              BETSY_CONCURRENCY = test files at once, default 4;
 *                                              default /work/.mirror/uniba-dsg+betsy/repo)
 *
 * What it does, following betsy's Camunda adapter (src/main/xslt/bpmn/camunda/camunda.xsl):
 * - the test definitions are read from pebl-builder/…/configuration/bpmn/*Processes.java (test
 *   name, file, test cases: input variable `test`, `integerVariable`, delay, expected trace);
 * - script tasks become what their script does, without running code: SCRIPT_taskN and
 *   CREATE_LOG_FILE/CREATE_MARKER_FILE are plain tasks whose completion is the log line,
 *   INCREMENT_INTEGER_VARIABLE and SET_STRING_DATA are output mappings, THROW_ERROR,
 *   LOG_DATA and the timestamp/wait scripts are external tasks served by this probe as a worker;
 * - conditions are wrapped in `${…}` as betsy does; process ids, message and signal names get a
 *   per-test-case suffix, so test cases running at the same time cannot see each other;
 * - a test case starts its process (after the "ParallelProcess" when betsy starts one), waits
 *   its delay in real time with the timer scheduler running (or until it is quiet), then the
 *   trace is: one line per completed SCRIPT_taskN, MARKER_exists, INCREMENT_correct,
 *   DATA_correct, EXECUTION_parallel, ERROR_runtime (start refused, instance failed or an
 *   incident), ERROR_thrownErrorEvent (ended by an unhandled error end event), ERROR_deployment.
 * A test passes when every test case's sorted trace equals the expected one (betsy's check).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../server/db/connect.js';
import { runMigrations } from '../server/db/migrate.js';
import { createLogger } from '../server/log.js';
import { createEngine, type EngineService } from '../server/engine/index.js';
import { createTimerScheduler } from '../server/engine/scheduler.js';

const DIR = process.env.BETSY_DIR ?? '/work/.mirror/uniba-dsg+betsy/repo';
const CONF = 'pebl-builder/src/main/java/configuration/bpmn';
const FILES = 'pebl-builder/src/main/resources/files/bpmn';

function read(rel: string): string {
  const plain = path.join(DIR, rel);
  if (fs.existsSync(plain)) return fs.readFileSync(plain, 'utf8');
  // A bare git mirror: read the file at HEAD.
  return execFileSync('git', ['--git-dir', DIR.endsWith('.git') || fs.existsSync(path.join(DIR, 'HEAD')) ? DIR : path.join(DIR, '.git'), 'show', `HEAD:${rel}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
}

interface Case { input?: string; integer: number; delay: number; parallel: boolean; expected: string[] }
interface BetsyTest { name: string; file: string; cases: Case[] }

const FOLDER: Record<string, string> = { Activity: 'activities', Gateway: 'gateways', Error: 'errors', Event: 'events', Basic: 'basics', Data: 'data', Pattern: 'cfpatterns' };
const ASSERT: Record<string, string> = {
  assertTask1: 'SCRIPT_task1', assertTask2: 'SCRIPT_task2', assertTask3: 'SCRIPT_task3', assertTask4: 'SCRIPT_task4', assertTask5: 'SCRIPT_task5',
  assertMarkerExists: 'MARKER_exists', assertIncrement: 'INCREMENT_correct', assertRuntimeException: 'ERROR_runtime',
  assertErrorThrownErrorEvent: 'ERROR_thrownErrorEvent', assertGenericError: 'ERROR', assertExecutionParallel: 'EXECUTION_parallel',
  assertDataCorrect: 'DATA_correct', assertDeploymentFailed: 'ERROR_deployment',
};

/** The text of a call's argument list starting after `(` at `from`, up to its matching `)`. */
function balanced(src: string, from: number): string {
  let depth = 1;
  let inStr = false;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (inStr) { if (c === '\\') i++; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return src.slice(from, i);
  }
  throw new Error('unbalanced');
}

function parseCases(args: string): Case[] {
  const out: Case[] = [];
  for (const chunk of args.split('new BPMNTestCaseBuilder()').slice(1)) {
    const c: Case = { integer: 0, delay: 0, parallel: false, expected: [] };
    for (const m of chunk.matchAll(/\.(\w+)\(([^)]*)\)/g)) {
      const [, fn, arg] = m as unknown as [string, string, string];
      if (fn.startsWith('input')) c.input = fn.slice(5).toLowerCase();
      else if (fn === 'optionDelay') c.delay = Number(arg);
      else if (fn === 'setIntegerVariable') c.integer = Number(arg);
      else if (fn === 'useParallelProcess') c.parallel = true;
      else if (ASSERT[fn]) c.expected.push(ASSERT[fn]);
    }
    out.push(c);
  }
  return out;
}

/** Betsy's ALL list: gateways, activities, events, basics, errors, data, patterns (its feature tests). */
function loadTests(): BetsyTest[] {
  const all: BetsyTest[] = [];
  for (const kind of ['Gateway', 'Activity', 'Event', 'Basic', 'Error', 'Data', 'Pattern']) {
    const src = read(`${CONF}/${kind === 'Activity' ? 'Activity' : kind}Processes.java`).replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
    const byField = new Map<string, BetsyTest>();
    for (const m of src.matchAll(/public static final Test (\w+) = (?:Capabilities\.addMetrics\()?BPMNProcessBuilder\.build(\w+)Process\(/g)) {
      const args = balanced(src, m.index + m[0].length);
      const builder = m[2]!;
      const name = builder === 'Data' || builder === 'Pattern' ? /new Feature\(\w+,\s*"([^"]+)"/.exec(args)![1]! : /^\s*"([^"]+)"/.exec(args)![1]!;
      byField.set(m[1]!, { name, file: `${FILES}/${FOLDER[builder]}/${name}.bpmn`, cases: parseCases(args) });
    }
    const list = /public static final List<Test> \w+ = Arrays\.asList\(([^;]*)\);/.exec(src);
    for (const id of (list?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const t = byField.get(id);
      if (t) all.push(t);
    }
  }
  return all;
}

// ------------------------------------------------------------------ model transformation

const CAMUNDA_NS = 'http://camunda.org/schema/1.0/bpmn';
const output = (name: string, expr: string) => `<bpmn2:extensionElements><camunda:inputOutput><camunda:outputParameter name="${name}">${expr}</camunda:outputParameter></camunda:inputOutput></bpmn2:extensionElements>`;

interface Prepared { xml: string; scripts: Record<string, string>; processIds: string[] }

function prepare(xmlIn: string, suffix: string): Prepared {
  let xml = xmlIn;
  const prefix = /<(\w+):definitions/.exec(xml)?.[1] ?? 'bpmn2';
  if (prefix !== 'bpmn2') xml = xml.replace(new RegExp(`<(/?)${prefix}:`, 'g'), '<$1bpmn2:').replace(new RegExp(`xmlns:${prefix}=`), 'xmlns:bpmn2=');
  if (!xml.includes(CAMUNDA_NS)) xml = xml.replace(/<bpmn2:definitions/, `<bpmn2:definitions xmlns:camunda="${CAMUNDA_NS}"`);
  const scripts: Record<string, string> = {};
  xml = xml.replace(/<bpmn2:scriptTask([^>]*?)(\/?)>([\s\S]*?)<\/bpmn2:scriptTask>/g, (_all, attrs: string, _selfClose: string, inner: string) => {
    const id = /\bid="([^"]+)"/.exec(attrs)![1]!;
    const code = (/<bpmn2:script>([\s\S]*?)<\/bpmn2:script>/.exec(inner)?.[1] ?? '').trim();
    scripts[id] = code;
    const rest = inner.replace(/<bpmn2:script>[\s\S]*?<\/bpmn2:script>/, '');
    const cleanAttrs = attrs.replace(/\s+scriptFormat="[^"]*"/, '');
    if (code === 'INCREMENT_INTEGER_VARIABLE' || code === 'INCREMENT_INTEGER_VARIABLE_AND_LOG') return `<bpmn2:task${cleanAttrs}>${output('integerVariable', '${integerVariable + 1}')}${rest}</bpmn2:task>`;
    if (code === 'SET_STRING_DATA') return `<bpmn2:task${cleanAttrs}>${output('data', 'String')}${rest}</bpmn2:task>`;
    if (['THROW_ERROR', 'LOG_DATA', 'WAIT_TEN_SECONDS', 'CREATE_TIMESTAMP_LOG_1', 'CREATE_TIMESTAMP_LOG_2'].includes(code)) {
      return `<bpmn2:serviceTask${cleanAttrs} camunda:type="external" camunda:topic="betsy-${code}${suffix}">${rest}</bpmn2:serviceTask>`;
    }
    return `<bpmn2:task${cleanAttrs}>${rest}</bpmn2:task>`;
  });
  // betsy's camunda.xsl: conditions become ${…}
  xml = xml.replace(/<bpmn2:(conditionExpression|loopCondition|condition)((?:\s[^>]*[^/])?)>([\s\S]*?)<\/bpmn2:\1>/g, (_a, tag: string, attrs: string, raw: string) => {
    const cdata = /<!\[CDATA\[([\s\S]*?)\]\]>/.exec(raw);
    const body = (cdata ? cdata[1]!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : raw).trim();
    return `<bpmn2:${tag}${attrs}>${body.includes('${') ? body : `\${${body}}`}</bpmn2:${tag}>`;
  });
  const processIds = [...xml.matchAll(/<bpmn2:process\s[^>]*\bid="([^"]+)"/g)].map((m) => m[1]!);
  for (const p of processIds) {
    xml = xml.replace(new RegExp(`(<bpmn2:process\\s[^>]*\\bid=")${p}"`), `$1${p}${suffix}"`)
      .replace(new RegExp(`(processRef|calledElement)="${p}"`, 'g'), `$1="${p}${suffix}"`);
  }
  xml = xml.replace(/<bpmn2:(signal|message)\s([^>]*?)(\/?)>/g, (_a, tag: string, attrs: string, close: string) => {
    const named = /\bname="([^"]*)"/.exec(attrs);
    const id = /\bid="([^"]*)"/.exec(attrs)?.[1] ?? tag;
    const next = named ? attrs.replace(/\bname="[^"]*"/, `name="${named[1]}${suffix}"`) : `${attrs} name="${id}${suffix}"`;
    return `<bpmn2:${tag} ${next}${close}>`;
  });
  return { xml, scripts, processIds: processIds.map((p) => `${p}${suffix}`) };
}

// ------------------------------------------------------------------ running

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const str = (value: string) => ({ value, type: 'String' });
const int = (value: number) => ({ value, type: 'Integer' });

interface Outcome { test: string; passed: boolean; refused: boolean; details: string[] }

async function runCase(engine: EngineService, t: BetsyTest, c: Case, n: number, xmlIn: string): Promise<{ ok: boolean; refused: boolean; got: string[] }> {
  const suffix = `__${t.name.replace(/\W/g, '')}${n}`;
  const p = prepare(xmlIn, suffix);
  const got: string[] = [];
  const expected = [...c.expected];
  try {
    await engine.deploy({ name: `betsy ${t.name} ${n}`, resources: [{ name: `${t.name}.bpmn`, content: p.xml }] });
  } catch (err) {
    got.push('ERROR_deployment');
    const refusedWrongly = !expected.includes('ERROR_deployment') && !expected.includes('ERROR');
    if (refusedWrongly) got.push(`(${String((err as Error).message).slice(0, 300)})`);
    return finishCase(expected, got, refusedWrongly);
  }
  if (expected.includes('ERROR_deployment')) return finishCase(expected, got, false);
  const stop = { done: false };
  const worker = /topic="betsy-/.test(p.xml) ? serve(engine, suffix, got, stop) : Promise.resolve();
  const key = p.processIds.find((id) => id === `${t.name}${suffix}`) ?? p.processIds[0]!;
  try {
    if (c.parallel) await engine.startProcess({ key: `ParallelProcess${suffix}`, businessKey: `key-ParallelProcess${suffix}`, variables: { integerVariable: int(c.integer), testCaseNumber: int(n) } });
    const vars: Record<string, { value: unknown; type: string }> = { integerVariable: int(c.integer), testCaseNumber: int(n) };
    if (c.input !== undefined) vars.test = str(c.input);
    await engine.startProcess({ key, businessKey: `key-${key}`, variables: vars });
  } catch (err) {
    got.push('ERROR_runtime');
    if (!expected.includes('ERROR_runtime') && !expected.includes('ERROR')) got.push(`(${String((err as Error).message).slice(0, 200)})`);
  }
  // Betsy waits the delay; without one it gathers at once (Camunda runs scripts synchronously) — here
  // external tasks and timers due now need a moment.
  await sleep(c.delay || 1500);
  stop.done = true;
  await worker;
  await gather(engine, p, got, expected);
  return finishCase(expected, got, false);
}

function finishCase(expected: string[], gotIn: string[], refused: boolean): { ok: boolean; refused: boolean; got: string[] } {
  let got = gotIn;
  if (expected.includes('ERROR')) got = got.map((g) => (g === 'ERROR_deployment' || g === 'ERROR_runtime' ? 'ERROR' : g));
  if (expected.includes('ERROR')) got = [...new Set(got.filter((g) => g === 'ERROR')), ...got.filter((g) => g !== 'ERROR')];
  const a = [...got].sort();
  const b = [...expected].sort();
  return { ok: JSON.stringify(a) === JSON.stringify(b), refused, got };
}

/** The probe as the worker of the external tasks that stand for betsy's scripts with effects. */
async function serve(engine: EngineService, suffix: string, got: string[], stop: { done: boolean }): Promise<void> {
  const topics = ['THROW_ERROR', 'LOG_DATA', 'WAIT_TEN_SECONDS', 'CREATE_TIMESTAMP_LOG_1', 'CREATE_TIMESTAMP_LOG_2'];
  const stamps: Record<string, { from: number; to: number }> = {};
  const pending: Array<Promise<void>> = [];
  while (!stop.done) {
    const tasks = await engine.fetchAndLock({ workerId: `betsy${suffix}`, maxTasks: 10, topics: topics.map((x) => ({ topicName: `betsy-${x}${suffix}`, lockDuration: 60000 })) }).catch(() => []);
    for (const task of tasks) {
      const code = String(task.topicName).slice(6, -suffix.length);
      const workerId = `betsy${suffix}`;
      if (code === 'THROW_ERROR') { await engine.bpmnErrorExternalTask(task.id, { workerId, errorCode: 'ERR_CODE' }).catch(() => undefined); continue; }
      if (code === 'LOG_DATA') {
        const v = (task.variables as Record<string, { value: unknown }>)?.data?.value;
        if (v === 'String') got.push('DATA_correct');
        await engine.completeExternalTask(task.id, { workerId }).catch(() => undefined);
        continue;
      }
      const from = Date.now();
      const ms = code === 'WAIT_TEN_SECONDS' ? 10000 : 1000;
      pending.push(sleep(ms).then(async () => {
        stamps[code] = { from, to: Date.now() };
        await engine.completeExternalTask(task.id, { workerId }).catch(() => undefined);
      }));
    }
    await sleep(tasks.length ? 0 : 100);
  }
  await Promise.all(pending);
  const a = stamps.CREATE_TIMESTAMP_LOG_1;
  const b = stamps.CREATE_TIMESTAMP_LOG_2;
  if (a && b && a.from < b.to && b.from < a.to) got.push('EXECUTION_parallel');
}

async function gather(engine: EngineService, p: Prepared, got: string[], expected: string[]): Promise<void> {
  for (const key of p.processIds) {
    for (const inst of await engine.listInstances({ processDefinitionKey: key })) {
      const hist = await engine.history({ instanceId: inst.id });
      for (const h of hist) {
        if (h.kind !== 'activity-end' || !h.activityId) continue;
        const code = p.scripts[h.activityId];
        if (code?.startsWith('SCRIPT_')) got.push(code);
        // betsy looks for the marker file only when a test case asserts it
        if (code === 'CREATE_MARKER_FILE' && expected.includes('MARKER_exists') && !got.includes('MARKER_exists')) got.push('MARKER_exists');
        if (code === 'INCREMENT_INTEGER_VARIABLE_AND_LOG') got.push('INCREMENT_correct');
      }
      const state = (inst as { state?: string }).state;
      const reason = String((inst as { deleteReason?: string | null }).deleteReason ?? '');
      if (state === 'INTERNALLY_TERMINATED') got.push(/Unhandled BPMN error/.test(reason) ? 'ERROR_thrownErrorEvent' : 'ERROR_runtime');
      else if ((await engine.listIncidents({ processInstanceId: inst.id })).length) got.push('ERROR_runtime');
    }
  }
}

const PATTERNS = /^WCP\d/;
/**
 * The 70 tests of betsy as of February 2015 (commit d257bcde), the set the published comparison of
 * Camunda 7.1, jBPM 6.0 and Activiti 5.16 ran; names as betsy spells them today.
 */
const SUBSET_70 = new Set(`CallActivity_Process CallActivity_GlobalTask MultiInstance_Sequential MultiInstance_NoneBehavior
  MultiInstance_OneBehavior MultiInstance_AllBehavior MultiInstance_Parallel Loop_Maximum Loop_NoIteration_TestBeforeFalse
  Loop_NoIteration_TestBeforeTrue SubProcess Transaction Lanes Participant SequenceFlow SequenceFlow_Conditional
  SequenceFlow_ConditionalDefault SequenceFlow_ConditionalDefault_Normal ParallelGateway_Conditions ExclusiveDiverging_ParallelConverging
  InclusiveDiverging_ParallelConverging Cancel_Event Compensation_BoundaryEvent_SubProcess Compensation_EndEvent_SubProcess
  Compensation_EndEvent_TopLevel Compensation_IntermediateEvent Compensation_StartEvent_EventSubProcess Compensation_TriggeredByCancel
  Conditional_BoundaryEvent_SubProcess_Interrupting Conditional_BoundaryEvent_SubProcess_NonInterrupting Conditional_IntermediateEvent
  Conditional_StartEvent_EventSubProcess_Interrupting Conditional_StartEvent_EventSubProcess_NonInterrupting
  Error_BoundaryEvent_SubProcess_Interrupting Error_BoundaryEvent_Transaction_Interrupting Error_EndEvent_TopLevel
  Error_StartEvent_EventSubProcess_Interrupting Escalation_BoundaryEvent_SubProcess_Interrupting Escalation_BoundaryEvent_SubProcess_NonInterrupting
  Escalation_EndEvent_SubProcess Escalation_EndEvent_TopLevel Escalation_IntermediateThrowEvent Escalation_StartEvent_EventSubProcess_Interrupting
  Escalation_StartEvent_EventSubProcess_NonInterrupting Link_Event Signal_EndEvent_SubProcess Signal_BoundaryEvent_SubProcess_NonInterrupting
  Signal_BoundaryEvent_SubProcess_Interrupting Signal_IntermediateEvent_ThrowAndCatch Signal_StartEvent_EventSubProcess_Interrupting
  Signal_StartEvent_EventSubProcess_NonInterrupting Terminate_Event Timer_IntermediateEvent Timer_BoundaryEvent_SubProcess_NonInterrupting
  Timer_BoundaryEvent_SubProcess_Interrupting Timer_StartEvent_EventSubProcess_NonInterrupting Timer_StartEvent_EventSubProcess_Interrupting
  ExclusiveGateway ExclusiveGateway_Default ExclusiveGatewayMixed ExclusiveDiverging_InclusiveConverging InclusiveGateway
  InclusiveGateway_Default InclusiveDiverging_ExclusiveConverging ParallelGateway ParallelDiverging_ExclusiveConverging
  ParallelDiverging_InclusiveConverging ComplexGateway EventBasedGateway_Signals EventBasedGateway_Timer`.split(/\s+/));

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const tests = loadTests().filter((t) => !filters.length || filters.some((f) => t.name.includes(f)));
  const db = await openDatabase({ dataDir: 'memory' });
  await runMigrations(db.knex);
  const engine = createEngine({ db, log: createLogger('silent') });
  const scheduler = createTimerScheduler(engine, createLogger('silent'), { pollMs: 100 });
  await scheduler.start();
  const results: Outcome[] = [];
  // All tests at once (each test case is isolated by its suffix), so the whole run lasts about the longest delay.
  // Several tests at once (each test case is isolated by its suffix); each waits its delays in real time.
  const queue = [...tests];
  await Promise.all(Array.from({ length: Number(process.env.BETSY_CONCURRENCY ?? 4) }, async () => { for (let t = queue.shift(); t; t = queue.shift()) await runTest(t); }));
  async function runTest(t: BetsyTest): Promise<void> {
    let xml: string;
    try { xml = read(t.file); } catch { results.push({ test: t.name, passed: false, refused: false, details: ['file missing'] }); return; }
    const details: string[] = [];
    let passed = true;
    let refused = false;
    for (const [i, c] of t.cases.entries()) {
      const r = await runCase(engine, t, c, i + 1, xml);
      if (!r.ok) { passed = false; details.push(`case ${i + 1} (test=${c.input ?? '-'}): expected [${[...c.expected].sort().join(', ')}] got [${[...r.got].sort().join(', ')}]`); }
      refused ||= r.refused;
    }
    results.push({ test: t.name, passed, refused, details });
  }
  await scheduler.stop();
  results.sort((a, b) => a.test.localeCompare(b.test));
  for (const r of results) {
    const tag = r.passed ? 'pass' : r.refused ? 'REFUSED' : 'WRONG';
    process.stdout.write(`${tag.padEnd(8)} ${r.test}${r.details.length ? `\n         ${r.details.join('\n         ')}` : ''}\n`);
  }
  const line = (what: string, rs: Outcome[]) => {
    const passed = rs.filter((r) => r.passed).length;
    const refused = rs.filter((r) => !r.passed && r.refused).length;
    return `${what}: ${passed} of ${rs.length} pass, ${refused} refused at deployment, ${rs.length - passed - refused} deploy and run wrongly\n`;
  };
  const features = results.filter((r) => !PATTERNS.test(r.test));
  process.stdout.write(`\n${line('betsy feature tests (all groups but cfpatterns)', features)}`);
  process.stdout.write(line('the 70-test subset of the 2015 comparison (Camunda 7.1: 44)', results.filter((r) => SUBSET_70.has(r.test))));
  process.stdout.write(line('workflow control-flow patterns (cfpatterns)', results.filter((r) => PATTERNS.test(r.test))));
  await db.close();
}

await main();
process.exit(0);
