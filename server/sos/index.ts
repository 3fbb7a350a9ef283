/** SOS escalations of dossiers at risk (Công văn 2121 item 10). `raiseAutomatic` is for the overdue worker. */
export { createSosService, type SosRow } from './service.js';
export { createSosRouter } from './router.js';
