/** Consultations (lấy ý kiến): open, remind, answer, record by hand; the validator's consultation rules. */
export { createConsultationService, OPINIONS, STAFF_ROLES, type ConsultationService, type ConsultationDeps, type Opinion } from './service.js';
export { createConsultationsRouter } from './router.js';
export { consultationWatchXml, CONSULTATION_WATCH_KEY, REPLY_MESSAGE, ANSWERED_MESSAGE } from './watch.js';
export { withConsultationRules, consultationFindings, CONSULTATION_RULES, CONSULTATION_TOPIC } from './rules.js';
export { resolveTarget as resolveConsultationTarget } from './store.js';
export { seedDemoConsultations } from './demo.js';
