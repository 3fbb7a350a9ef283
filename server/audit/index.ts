/** The hash-chained audit trail: what other capabilities and the composition root may import. */
export { actorOf, createAuditService, type AuditWriterHealth } from './service.js';
export { createAuditRouter } from './router.js';
export { createAuditMiddleware } from './middleware.js';
