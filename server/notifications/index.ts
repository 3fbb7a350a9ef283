export { createEmailAdapter, createSmsAdapter } from './adapters.js';
export type { NotificationAdapter, OutgoingMessage } from './adapters.js';
export { createNotificationService, DeliveryFailed, EffectKey } from './service.js';
export type { NotificationService, StaffDirectory, StaffNotice, CitizenNotice, AgencyNotice } from './service.js';
export { createNotificationsRouter } from './router.js';
export { AGENCY_TEMPLATES, CITIZEN_TEMPLATES, STAFF_TEMPLATES, vnDateTime } from './templates.js';
export type { AgencyTemplate, CitizenTemplate, StaffTemplate } from './templates.js';
