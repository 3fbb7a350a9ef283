/** The Camunda 7 compatible /engine-rest subset: what other capabilities and the composition root may import. */
export { createEngineRestRouter } from './router.js';
export { taskScopeOf } from './scope.js';
export { engineErrorToHttp } from './errors.js';
