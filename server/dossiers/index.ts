/**
 * Dossiers (hồ sơ): the record of one citizen's request at the one-stop office, its status (national
 * codes 1–10), its clock (due date computed once and stored) and its timeline. Other capabilities
 * (tasklist, workers, scorecard) use only what is exported here:
 *
 * - `service.get(id, principal | null)` / `service.getByCode(code, principal | null)`: the dossier; with a
 *   principal, another unit's dossier is a 404 (pass `null` only from trusted background code).
 * - `service.list(query, principal)`: filtered, paged, unit-scoped summaries (ID numbers and phones masked).
 * - `service.dueState(dossier, at?)`: `{state: on-time|near-due|overdue|paused, remainingMs}` from the stored due date.
 * - `service.setExtension(id, {newDueAt, reason}, actor, trx?)`: the one extension (form 04 flow); a second → 409.
 * - `service.recordEvent(id, {kind, reason?, data?}, actor, db?)`: append to the dossier's timeline.
 * - `service.markResolved(id, actor?, trx?)`: status 9 (also done by the resolution poller when the process
 *   ends at an end event with `tthc:result="ready"`).
 * - `service.timeline(id, principal | null)`: status history and events, oldest first.
 * - `STATUS`, `STATUS_NAMES`, `TRANSITIONS`, `canTransition`, `assertTransition`: the status machine.
 */
export { createDossierService, OnlineFilingSchema, type DossierService } from './service.js';
export { createDossierRouter, createAgencyCodeRouter } from './router.js';
export { createDossierFilesRouter } from './files-router.js';
export { createResolutionPoller, resultReadyEndEvents } from './resolution.js';
export { advanceDemoWork, seedDemoDossiers } from './demo.js';
export { formDocument, vnDateTime, vnDate, type FormContext } from './forms.js';
export { STATUS_NAMES, isStatus } from './states.js';
export type { Dossier } from './types.js';
