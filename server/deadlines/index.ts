export { createDeadlinesService } from './service.js';
export { createDeadlinesRouter } from './router.js';
export { watchProcessXml } from './watch.js';
export { withWatch } from './watcher.js';
export { createApologyFormRouter, createApologySignRouter } from './form-router.js';
