/**
 * National-portal sync (DVCQG, NĐ 63/2024 Đ.7): every dossier status change is captured in an outbox
 * in the same transaction (trigger on `dossier_event`, migration 0830), handed out over HTTP to the
 * workers (`workers/handlers/portal.ts`), which push it to `NATIONAL_PORTAL_URL` and report the answer.
 * The JSON contract is `contract.ts` (and README, "National portal sync").
 */
export { createPortalSyncService } from './service.js';
export { createPortalSyncRouter, createDossierSyncLogRouter } from './router.js';
export { PortalRecordSchema, type PortalRecord } from './contract.js';
