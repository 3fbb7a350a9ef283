/** The lifecycle's public entry point for other areas and the composition root. */
export { createLifecycleService, processKeyFor, templateFor, type LifecycleService, type DecisionInput } from './service.js';
export { createProcedureProcessRouter, createProcessVersionRouter, createReviewInboxRouter, createProcessesRouter } from './router.js';
export { createActivationScheduler } from './scheduler.js';
export { deployerFromEngine, type EngineLike, type MigratorLike } from './deployer.js';
export { loadSeedCatalogue, readSeedCatalogue, SEED_DIR } from './seed.js';
export { generateProcessXml, type StepSpec, type TemplateSpec } from './template.js';
export { diffXml, type Change, type VersionDiff } from './diff.js';
export type { Version, VersionSummary, VersionState, ProcessModel, LifecycleAction, ProcessDeployer, LifecycleAccess, MigrationPlan, RunningInstance, InstanceCheck } from './types.js';

export { markNeedsReviewForRoles } from './reapproval.js';
