/** The catalogue's public entry point. */
export { catalogSeeding, createCatalogService, type CatalogService } from './service.js';
export { createCatalogRouter, createCatalogMetaRouter } from './router.js';
export type { Procedure, ProcedureInput } from './types.js';
export { ProcedureInputSchema } from './types.js';
