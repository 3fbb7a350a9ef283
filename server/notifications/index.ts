export { createEmailAdapter, createSmsAdapter } from './adapters.js';
export type { NotificationAdapter, OutgoingMessage } from './adapters.js';
export { createNotificationService, DeliveryFailed, EffectKey } from './service.js';
export type { NotificationService, StaffDirectory, StaffNotice, CitizenNotice } from './service.js';
export { createNotificationsRouter } from './router.js';
export { CITIZEN_TEMPLATES, STAFF_TEMPLATES, vnDateTime } from './templates.js';
export type { CitizenTemplate, StaffTemplate } from './templates.js';
