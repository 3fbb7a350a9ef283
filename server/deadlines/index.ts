export { createDeadlinesService } from './service.js';
export type { DeadlinesService, Extension, ApologyInput } from './service.js';
export { createDeadlinesRouter } from './router.js';
export { watchProcessXml, WATCH_PROCESS_KEY, RESOLVED_MESSAGE } from './watch.js';
