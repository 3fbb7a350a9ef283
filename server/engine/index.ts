/** The durable BPMN engine: what other capabilities may import. */
export { createEngine, type EngineService } from './service.js';
export type { JobRow } from './service/job-admin.js';
export { EngineError, isEngineError, type EngineErrorKind } from './errors.js';
export { parseDefinitions, type Interpreter, type ParsedDefinitions } from './model.js';
export { expressionProblem } from './expression.js';
export { reasonText, type CompileKey, type FindingParams } from './compile/messages.js';
export { TTHC_NS } from './tthc-ns.js';
export { createTimerScheduler } from './scheduler.js';
export { createInstanceMigrator, type InstanceMigrator } from './migrate-instances.js';
export { formatDate, normaliseVariables, parseCamundaDate, type TypedValue } from './values.js';
export type * from './types.js';
export {
  firstDue, nextCycleDue, timerSpecProblem, timerSpecProblems, MIN_CYCLE_MS, MAX_TIMER_ATTEMPTS,
} from './timer-spec.js';
export { MAX_SUBPROCESS_DEPTH, MAX_XML_BYTES, MAX_XML_ELEMENTS, structureProblem, xmlDepth, xmlSafetyProblem, xmlShape } from './limits.js';
