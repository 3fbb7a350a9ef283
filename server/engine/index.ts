/** The durable BPMN engine: what other capabilities may import. */
export { createEngine, EXTERNAL_TASK_CHANNEL, type EngineDeps, type EngineService } from './service.js';
export { parseWorkingAmount, parseDefinitions, type Finding, type WorkingAmount, TTHC_NS } from './model.js';
export { createTimerScheduler } from './scheduler.js';
export { createInstanceMigrator, type InstanceMigrator, type InstanceMigrationPlan, type MigrationOutcome } from './migrate-instances.js';
export { formatDate, parseCamundaDate, typedFromPlain, type TypedValue } from './values.js';
export type * from './types.js';
