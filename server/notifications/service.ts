import type { Knex } from 'knex';
import { z } from 'zod';
import { ApiError } from '../http/errors.js';
import { issueText } from '../http/zod-texts.js';
import type { Logger } from '../log.js';
import type { NotificationAdapter } from './adapters.js';
import * as store from './store.js';
import { AGENCY_TEMPLATES, CITIZEN_TEMPLATES, STAFF_TEMPLATES, type AgencyTemplate, type CitizenTemplate, type StaffTemplate } from './templates.js';
import { notificationError, notificationKey, notificationText } from './messages.js';

interface StaffDirectory {
  /** Active users holding `role` in any of `unitIds`. */
  roleHolders(role: string, unitIds: string[]): Promise<Array<{ username: string }>>;
}

export interface NotificationDeps {
  knex: Knex;
  staff: StaffDirectory;
  adapters: NotificationAdapter[];
  log: Logger;
  /** A delivery claimed by a sender that died is taken over after this long. */
  staleSendMs?: number;
}

/** An effect key names the dossier and the kind of effect, never a delivery: `HS-1:citizen:accepted`. */
export const EffectKey = z.string().min(3).max(200).regex(/^[\p{L}\p{N}._:+\-/]+$/u, notificationKey('notifications.effectKey'));

export interface StaffNotice {
  key: string;
  template: StaffTemplate;
  params: Record<string, unknown>;
  dossierCode?: string;
  link?: string;
  usernames?: string[];
  roles?: Array<{ role: string; unitId: string }>;
}

export interface CitizenNotice {
  key: string;
  template: CitizenTemplate;
  params: Record<string, unknown>;
  dossierCode: string;
  contact: { email?: string; phone?: string };
}

/** An email to an agency outside the platform (e.g. a consultation of the provincial police). */
export interface AgencyNotice {
  key: string;
  template: AgencyTemplate;
  params: Record<string, unknown>;
  dossierCode: string;
  email: string;
}

export type DeliveryOutcome = Array<{ channel: string; status: string; attempts: number }>;

class DeliveryFailed extends ApiError {
  constructor(readonly deliveries: DeliveryOutcome) {
    const text = notificationText('notifications.deliveryFailed');
    super(502, 'DeliveryFailed', text.vi, { deliveries }, text);
  }
}

type Rendered = { subject: string; body: string; en?: { subject: string; body: string } };

function render<T extends Record<string, { params: z.ZodType; render(p: never): { subject: string; body: string }; renderEn?(p: never): { subject: string; body: string } }>>(
  templates: T, name: string, params: unknown,
): Rendered {
  const t = templates[name];
  if (!t) throw notificationError(400, 'InvalidRequestException', 'notifications.unknownTemplate', { name });
  const r = t.params.safeParse(params);
  if (!r.success) {
    // The field's own text (a catalogue key, or zod's issue in words) inside the sentence, each language with its own.
    const detail = issueText(r.error.issues[0]!, 'params', true);
    const [vi, en] = [notificationText('notifications.badParams', { name, detail: detail.vi }), notificationText('notifications.badParams', { name, detail: detail.en })];
    throw new ApiError(400, 'InvalidRequestException', vi.vi, undefined, { key: vi.key, vi: vi.vi, en: en.en });
  }
  return { ...t.render(r.data as never), ...(t.renderEn ? { en: t.renderEn(r.data as never) } : {}) };
}

export function createNotificationService(deps: NotificationDeps) {
  const { knex, log } = deps;
  const staleMs = deps.staleSendMs ?? 5 * 60_000;
  const adapters = new Map(deps.adapters.map((a) => [a.channel, a]));

  /** Sends whatever of the effect's email/SMS is still unsent; the address is dropped once sent. */
  async function deliver(key: string): Promise<DeliveryOutcome> {
    const claimed = await store.claimDeliveries(knex, key, staleMs);
    for (const d of claimed) {
      const adapter = adapters.get(d.channel);
      try {
        if (!adapter) throw new Error(`no ${d.channel} adapter configured`);
        if (!d.address) throw new Error('address missing');
        await adapter.send({ to: d.address, subject: d.subject, body: d.body });
        await store.markSent(knex, d.id);
      } catch (err) {
        // The message names the channel and the effect, never the address or the text.
        log.warn({ channel: d.channel, effectKey: key, err: (err as Error).message }, 'notification delivery failed');
        await store.markFailed(knex, d.id, (err as Error).message);
      }
    }
    return store.deliveriesOf(knex, key);
  }

  /**
   * The effect and its outbox rows are written in one transaction; sending follows. A repeated call
   * with the same key sends only what is still unsent (a failed or interrupted delivery), never a
   * second copy of a sent one.
   */
  async function queueAndDeliver(key: string, kind: string, dossierCode: string, msg: { subject: string; body: string }, template: string,
    targets: Array<{ channel: string; address: string }>): Promise<{ created: boolean; deliveries: DeliveryOutcome }> {
    const outbox = targets.filter((o) => adapters.has(o.channel as 'email' | 'sms'));
    const created = await knex.transaction(async (trx) => {
      const fresh = await store.claimEffect(trx, key, kind, dossierCode);
      if (fresh) {
        await store.insertDeliveries(trx, outbox.map((o) => ({ effectKey: key, channel: o.channel, address: o.address, template, subject: msg.subject, body: msg.body })));
      }
      return fresh;
    });
    const deliveries = await deliver(key);
    if (deliveries.some((d) => d.status === 'failed')) throw new DeliveryFailed(deliveries);
    return { created, deliveries };
  }

  return {
    channels: () => [...adapters.keys()],

    /** Staff notifications in the platform (the bell). Idempotent on `key`. */
    async notifyStaff(n: StaffNotice): Promise<{ created: boolean; recipients: string[] }> {
      const { subject, body, en } = render(STAFF_TEMPLATES, n.template, n.params);
      const recipients = new Set(n.usernames ?? []);
      for (const r of n.roles ?? []) for (const h of await deps.staff.roleHolders(r.role, [r.unitId])) recipients.add(h.username);
      return knex.transaction(async (trx) => {
        const created = await store.claimEffect(trx, n.key, `staff:${n.template}`, n.dossierCode ?? null);
        if (!created) {
          const prior = await store.effect(trx, n.key);
          return { created: false, recipients: ((prior?.result as { recipients?: string[] } | null)?.recipients) ?? [] };
        }
        const list = [...recipients].sort();
        await store.insertNotifications(trx, list.map((recipient) => ({
          recipient, template: n.template, title: subject, body, ...(en ? { en: { title: en.subject, body: en.body } } : {}),
          dossierCode: n.dossierCode ?? null, link: n.link ?? null, effectKey: n.key,
        })));
        await store.setEffectResult(trx, n.key, { recipients: list });
        return { created: true, recipients: list };
      });
    },

    /**
     * Many staff notifications in one transaction (the reminder storm: hundreds at once). Each is
     * idempotent on its key like `notifyStaff`; role holders are looked up once per role and unit.
     * Returns the keys created by this call.
     */
    async notifyStaffMany(notices: StaffNotice[]): Promise<Set<string>> {
      if (!notices.length) return new Set();
      const holders = new Map<string, Promise<Array<{ username: string }>>>();
      const prepared = await Promise.all(notices.map(async (n) => {
        const msg = render(STAFF_TEMPLATES, n.template, n.params);
        const recipients = new Set(n.usernames ?? []);
        for (const r of n.roles ?? []) {
          const k = `${r.role}\u0000${r.unitId}`;
          if (!holders.has(k)) holders.set(k, deps.staff.roleHolders(r.role, [r.unitId]));
          for (const h of await holders.get(k)!) recipients.add(h.username);
        }
        return { n, msg, list: [...recipients].sort() };
      }));
      return knex.transaction(async (trx) => {
        const created = await store.claimEffects(trx, prepared.map(({ n, list }) => ({ key: n.key, kind: `staff:${n.template}`, dossierCode: n.dossierCode ?? null, result: { recipients: list } })));
        await store.insertNotifications(trx, prepared.filter(({ n }) => created.has(n.key)).flatMap(({ n, msg, list }) => list.map((recipient) => ({
          recipient, template: n.template, title: msg.subject, body: msg.body, ...(msg.en ? { en: { title: msg.en.subject, body: msg.en.body } } : {}),
          dossierCode: n.dossierCode ?? null, link: n.link ?? null, effectKey: n.key,
        }))));
        return created;
      });
    },

    /**
     * Tells a citizen by email and/or SMS. The effect and its outbox rows are written in one
     * transaction; sending follows. A repeated call with the same key sends only what is still
     * unsent (a failed or interrupted delivery), never a second copy of a sent one.
     */
    async notifyCitizen(n: CitizenNotice): Promise<{ created: boolean; deliveries: DeliveryOutcome }> {
      return queueAndDeliver(n.key, `citizen:${n.template}`, n.dossierCode, render(CITIZEN_TEMPLATES, n.template, n.params), n.template, [
        ...(n.contact.email ? [{ channel: 'email', address: n.contact.email }] : []),
        ...(n.contact.phone ? [{ channel: 'sms', address: n.contact.phone }] : []),
      ]);
    },

    /** Emails an agency outside the platform, through the same outbox (idempotent on `key`). */
    async notifyAgency(n: AgencyNotice): Promise<{ created: boolean; deliveries: DeliveryOutcome }> {
      if (!adapters.has('email')) throw notificationError(503, 'EmailNotConfigured', 'notifications.noEmail');
      return queueAndDeliver(n.key, `agency:${n.template}`, n.dossierCode, render(AGENCY_TEMPLATES, n.template, n.params), n.template, [{ channel: 'email', address: n.email }]);
    },

    list: (username: string, opts: { unreadOnly?: boolean; limit?: number } = {}) =>
      store.listFor(knex, username, { unreadOnly: opts.unreadOnly, limit: Math.min(opts.limit ?? 50, 200) }),
    unreadCount: (username: string) => store.unreadCount(knex, username),
    markRead: (username: string, id: string /* a notification id, or 'all' */) => store.markRead(knex, username, id),

    async close(): Promise<void> {
      for (const a of adapters.values()) await a.close?.();
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
