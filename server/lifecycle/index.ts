/** The lifecycle's public entry point for other areas and the composition root. */
export { createLifecycleService, type LifecycleService } from './service.js';
export { createProcedureProcessRouter, createProcessVersionRouter, createReviewInboxRouter, createProcessesRouter } from './router.js';
export { createActivationScheduler } from './scheduler.js';
export { deployerFromEngine } from './deployer.js';
export { loadSeedCatalogue } from './seed.js';

export { createDecisionFiles } from './decision-files.js';
