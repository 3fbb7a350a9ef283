/** The catalogue's public entry point. */
export { createCatalogService, type CatalogService, type CatalogAccess, CSV_COLUMNS } from './service.js';
export { createCatalogRouter, createCatalogMetaRouter } from './router.js';
export type { Procedure, ProcedureInput, ProcedureQuery, Component, StepRow, ImportRowResult, Page } from './types.js';
export { ProcedureInputSchema } from './types.js';
