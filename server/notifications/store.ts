import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** Rows as PostgreSQL returns them (migrations/0700_notifications.ts, 0850); queries that alias columns state their result type. */
interface WorkerEffectRow { key: string; kind: string; dossier_code: string | null; result: unknown; created_at: Date }
interface DeliveryRow {
  id: string; effect_key: string; channel: 'email' | 'sms'; address: string | null; template: string; subject: string; body: string;
  status: 'pending' | 'sending' | 'sent' | 'failed'; attempts: number; error: string | null; claimed_at: Date | null; created_at: Date; sent_at: Date | null;
}

export interface Notification {
  id: string;
  template: string;
  title: string;
  body: string;
  /** The English text, when the template has one (null otherwise: the bell shows the Vietnamese). */
  titleEn: string | null;
  bodyEn: string | null;
  dossierCode: string | null;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

export type Delivery = Pick<DeliveryRow, 'id' | 'channel' | 'address' | 'subject' | 'body' | 'status' | 'attempts'>;

/** Records the effect once: true when this call created it, false when it already existed. */
export async function claimEffect(db: Db, key: string, kind: string, dossierCode: string | null): Promise<boolean> {
  const rows = await db<WorkerEffectRow>('worker_effect').insert({ key, kind, dossier_code: dossierCode }).onConflict('key').ignore().returning('key');
  return rows.length === 1;
}

/** Records many effects at once (with their result); returns the keys this call created. */
export async function claimEffects(db: Db, rows: Array<{ key: string; kind: string; dossierCode: string | null; result: unknown }>): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const created = await db<WorkerEffectRow>('worker_effect').insert(rows.map((r) => ({ key: r.key, kind: r.kind, dossier_code: r.dossierCode, result: JSON.stringify(r.result) })))
    .onConflict('key').ignore().returning('key');
  return new Set(created.map((r) => r.key));
}

export async function effect(db: Db, key: string): Promise<{ key: string; kind: string; result: unknown } | undefined> {
  const r = await db<WorkerEffectRow>('worker_effect').where({ key }).first();
  return r ? { key: r.key, kind: r.kind, result: r.result } : undefined;
}

export async function setEffectResult(db: Db, key: string, result: unknown): Promise<void> {
  await db('worker_effect').where({ key }).update({ result: JSON.stringify(result) });
}

export async function insertNotifications(db: Db, rows: Array<{ recipient: string; template: string; title: string; body: string; en?: { title: string; body: string }; dossierCode: string | null; link: string | null; effectKey: string }>): Promise<void> {
  if (!rows.length) return;
  await db('notification').insert(rows.map((r) => ({
    recipient: r.recipient, template: r.template, title: r.title, body: r.body, title_en: r.en?.title ?? null, body_en: r.en?.body ?? null,
    dossier_code: r.dossierCode, link: r.link, effect_key: r.effectKey,
  }))).onConflict(['effect_key', 'recipient']).ignore();
}

export async function insertDeliveries(db: Db, rows: Array<{ effectKey: string; channel: string; address: string; template: string; subject: string; body: string }>): Promise<void> {
  if (!rows.length) return;
  await db('notification_delivery').insert(rows.map((r) => ({
    effect_key: r.effectKey, channel: r.channel, address: r.address, template: r.template, subject: r.subject, body: r.body,
  }))).onConflict(['effect_key', 'channel']).ignore();
}

/** Claims the deliveries of an effect still to send (or whose sender died more than `staleMs` ago). */
export async function claimDeliveries(db: Db, effectKey: string, staleMs: number): Promise<Delivery[]> {
  const { rows } = await db.raw<{ rows: Delivery[] }>(
    `update notification_delivery set status = 'sending', claimed_at = now()
      where effect_key = ? and (status in ('pending', 'failed') or (status = 'sending' and claimed_at < now() - (? * interval '1 millisecond')))
      returning id, channel, address, subject, body, status, attempts`,
    [effectKey, staleMs],
  );
  return rows;
}

export async function markSent(db: Db, id: string): Promise<void> {
  await db('notification_delivery').where({ id }).update({ status: 'sent', sent_at: db.fn.now(), address: null, error: null, attempts: db.raw('attempts + 1') });
}

export async function markFailed(db: Db, id: string, error: string): Promise<void> {
  await db('notification_delivery').where({ id }).update({ status: 'failed', error: error.slice(0, 500), attempts: db.raw('attempts + 1') });
}

export async function deliveriesOf(db: Db, effectKey: string): Promise<Array<Pick<DeliveryRow, 'channel' | 'status' | 'attempts'>>> {
  return db<DeliveryRow>('notification_delivery').where({ effect_key: effectKey }).select('channel', 'status', 'attempts').orderBy('channel');
}

export async function listFor(db: Db, recipient: string, opts: { unreadOnly?: boolean; limit: number }): Promise<Notification[]> {
  const q = db('notification').where({ recipient }).orderBy('created_at', 'desc').limit(opts.limit)
    .select<Notification[]>('id', 'template', 'title', 'body', 'title_en as titleEn', 'body_en as bodyEn', 'dossier_code as dossierCode', 'link', 'created_at as createdAt', 'read_at as readAt');
  if (opts.unreadOnly) q.whereNull('read_at');
  return q;
}

export async function unreadCount(db: Db, recipient: string): Promise<number> {
  const r = await db('notification').where({ recipient }).whereNull('read_at').count<{ n: string }[]>({ n: '*' });
  return Number(r[0]?.n ?? 0);
}

/** `id`: one notification, or 'all'. */
export async function markRead(db: Db, recipient: string, id: string): Promise<number> {
  const q = db('notification').where({ recipient }).whereNull('read_at');
  if (id !== 'all') q.andWhere({ id });
  return q.update({ read_at: db.fn.now() });
}
