/** Consultations (lấy ý kiến): open, remind, answer, record by hand; the validator's consultation rules. */
export { createConsultationService, type ConsultationService } from './service.js';
export { createConsultationsRouter } from './router.js';
export { consultationWatchXml } from './watch.js';
export { withConsultationRules } from './rules.js';
export { resolveTarget as resolveConsultationTarget } from './store.js';
export { seedDemoConsultations } from './demo.js';
