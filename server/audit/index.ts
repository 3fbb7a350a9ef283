/** The hash-chained audit trail: what other capabilities and the composition root may import. */
export { actorOf, createAuditService, type AuditEntry, type AuditService, type AuditServiceOptions, type AuditWriterHealth, type VerifyResult } from './service.js';
export { createAuditRouter } from './router.js';
export { createAuditMiddleware, type AuditMiddleware } from './middleware.js';
