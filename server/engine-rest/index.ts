/** The Camunda 7 compatible /engine-rest subset: what other capabilities and the composition root may import. */
export { createEngineRestRouter, type EngineRestDeps } from './router.js';
export { canReadUnit, instanceUnitsOf, taskReadScopeOf, taskScopeOf, type UnitVisibility } from './scope.js';
