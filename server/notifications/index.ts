export { createEmailAdapter, createSmsAdapter } from './adapters.js';
export type { NotificationAdapter } from './adapters.js';
export { createNotificationService } from './service.js';
export type { NotificationService, StaffNotice } from './service.js';
export { createNotificationsRouter } from './router.js';
export { vnDateTime } from './templates.js';
