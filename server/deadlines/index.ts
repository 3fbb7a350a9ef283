export { createDeadlinesService } from './service.js';
export type { DeadlinesService, Extension, ApologyInput, DossierPort } from './service.js';
export { createDeadlinesRouter } from './router.js';
export { watchProcessXml, WATCH_PROCESS_KEY, RESOLVED_MESSAGE } from './watch.js';
export { withWatch } from './watcher.js';
export { createApologyFormRouter, createApologySignRouter, APOLOGY_STEP } from './form-router.js';
export { buildForm04, apologyRecordOf, type ApologyRecord } from './form04.js';
