import { Router } from 'express';
import { z } from 'zod';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { EffectKey, type NotificationService } from './service.js';
import { CITIZEN_TEMPLATES, STAFF_TEMPLATES } from './templates.js';
import { notificationKey } from './messages.js';

export interface NotificationsRouterDeps {
  notifications: NotificationService;
}

const code = z.string().min(1).max(64);
const StaffBody = z.object({
  key: EffectKey,
  template: z.enum(Object.keys(STAFF_TEMPLATES) as [keyof typeof STAFF_TEMPLATES]),
  params: z.record(z.string(), z.unknown()),
  dossierCode: code.optional(),
  link: z.string().max(500).regex(/^#\//, notificationKey('notifications.inAppLink')).optional(),
  usernames: z.array(z.string().min(1).max(100)).max(100).optional(),
  roles: z.array(z.object({ role: z.string().min(1).max(50), unitId: z.string().min(1).max(100) }).strict()).max(20).optional(),
}).strict().refine((b) => (b.usernames?.length ?? 0) + (b.roles?.length ?? 0) > 0, notificationKey('notifications.oneRecipient'));

const CitizenBody = z.object({
  key: EffectKey,
  template: z.enum(Object.keys(CITIZEN_TEMPLATES) as [keyof typeof CITIZEN_TEMPLATES]),
  params: z.record(z.string(), z.unknown()),
  dossierCode: code,
  contact: z.object({
    email: z.string().email().max(200).optional(),
    phone: z.string().regex(/^\+?[0-9]{8,15}$/, notificationKey('notifications.badPhone')).optional(),
  }).strict(),
}).strict();

const ListQuery = z.object({ unreadOnly: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }).strict();
const IdParams = z.object({ id: z.string().uuid() });

/**
 * `/api/notifications`: every signed-in user reads their own notifications (the bell);
 * workers (service accounts, `engine:external-task`) send them. Sending is idempotent on `key`.
 */
export function createNotificationsRouter(deps: NotificationsRouterDeps): Router {
  const { notifications } = deps;
  const r = Router();

  r.get('/', guard('authenticated'), doc({ summary: 'Thông báo của tôi và số chưa đọc / my notifications and unread count', query: ListQuery }), async (req, res) => {
    const q = parseQuery(ListQuery, req);
    const username = req.principal!.username;
    const [items, unread] = await Promise.all([
      notifications.list(username, { unreadOnly: q.unreadOnly === 'true', limit: q.limit }),
      notifications.unreadCount(username),
    ]);
    sendJson(res, 200, { items, unread });
  });

  r.get('/unread-count', guard('authenticated'), doc({ summary: 'Số thông báo chưa đọc (chuông) / unread count (the bell)' }), async (req, res) => {
    sendJson(res, 200, { unread: await notifications.unreadCount(req.principal!.username) });
  });

  r.post('/read-all', guard('authenticated'), doc({ summary: 'Đánh dấu tất cả đã đọc / mark all read' }), async (req, res) => {
    sendJson(res, 200, { marked: await notifications.markRead(req.principal!.username, 'all') });
  });

  r.post('/:id/read', guard('authenticated'), doc({ summary: 'Đánh dấu đã đọc / mark one read', params: IdParams }), async (req, res) => {
    const { id } = parseParams(IdParams, req);
    sendJson(res, 200, { marked: await notifications.markRead(req.principal!.username, id) });
  });

  r.post('/staff', guard('engine:external-task'), doc({ summary: 'Worker: thông báo cho cán bộ (idempotent theo key) / notify staff, idempotent on key', body: StaffBody, status: 201 }), async (req, res) => {
    const b = parseBody(StaffBody, req);
    const out = await notifications.notifyStaff(b);
    sendJson(res, out.created ? 201 : 200, out);
  });

  r.post('/citizen', guard('engine:external-task'), doc({ summary: 'Worker: thông báo cho công dân qua email/SMS (idempotent theo key) / notify a citizen, idempotent on key', body: CitizenBody, status: 201 }), async (req, res) => {
    const b = parseBody(CitizenBody, req);
    const out = await notifications.notifyCitizen(b);
    sendJson(res, out.created ? 201 : 200, out);
  });

  return r;
}
