/** The durable BPMN engine: what other capabilities may import. */
export { createEngine, EXTERNAL_TASK_CHANNEL, type EngineDeps, type EngineService } from './service.js';
export { parseDefinitions, type Finding, type Interpreter, type ParsedDefinitions } from './model.js';
export { checkExpression } from './expression.js';
export { TTHC_NS } from './tthc-ns.js';
export { createTimerScheduler } from './scheduler.js';
export { createInstanceMigrator, type InstanceMigrator, type InstanceMigrationPlan, type MigrationOutcome } from './migrate-instances.js';
export { formatDate, parseCamundaDate, typedFromPlain, type TypedValue } from './values.js';
export type * from './types.js';
export {
  firstDue, nextCycleDue, parseCycle, timerSpecProblem, timerSpecProblems, isTimerExpression,
  MIN_CYCLE_MS, MIN_UNBOUNDED_CYCLE_MS, MAX_REPETITIONS, MAX_TIMER_ATTEMPTS, type TimerSpec, type Cycle,
} from './timer-spec.js';
export { MAX_SUBPROCESS_DEPTH, MAX_XML_BYTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS, nestingProblem, structureProblem, xmlDepth, xmlSafetyProblem, xmlShape } from './limits.js';
