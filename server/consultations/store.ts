import type { Knex } from 'knex';
import { foldText } from '../text/fold.js';

type Db = Knex | Knex.Transaction;

export interface DocRef { id: string; name: string }

/** Rows as PostgreSQL returns them (migrations/0820_consultations.ts, 0821, 0981): bigint ids as text, jsonb parsed. */
export interface ConsultationRow {
  id: string; request_key: string; dossier_code: string; dossier_id: string | null; instance_id: string | null; step_key: string; step_name: string | null;
  requesting_unit_id: string; consulted_unit_id: string | null; agency_id: string | null; agency_name: string; question: string; documents: DocRef[];
  reply_deadline: string; sent_at: Date; reply_due_at: Date; status: 'open' | 'answered'; opinion: string | null; reply_text: string | null;
  reply_documents: DocRef[]; replied_at: Date | null; replied_by: string | null; replied_by_name: string | null; recorded_by_hand: boolean; late: boolean;
  delay_explanation: string | null; reminders_sent: number; watch_instance_id: string | null; correlated_at: Date | null; created_at: Date;
  correlation_attempts: number; reply_message: string | null;
}
/** What `insertOnce` writes: the request; the reply's columns and the counters take their defaults. */
export type NewConsultation = Pick<ConsultationRow, 'request_key' | 'dossier_code' | 'step_key' | 'requesting_unit_id' | 'agency_name' | 'question' | 'reply_deadline' | 'sent_at' | 'reply_due_at'>
  & Partial<Omit<ConsultationRow, 'documents' | 'reply_documents'>> & { documents?: string; reply_documents?: string };
interface AgencyRow { id: string; name: string; name_folded: string; email: string | null; created_at: Date }
interface ConsultationEventRow { id: string; consultation_id: string; kind: string; day: string | null; actor: string | null; data: unknown; at: Date }
/** An event with its actor's display name (null for the workers). */
export type EventLine = ConsultationEventRow & { actor_name: string | null };
/** An event of an instance's consultations, with the consultation's parties. */
export type InstanceEventLine = Pick<ConsultationEventRow, 'kind' | 'at' | 'actor' | 'data'>
  & Pick<ConsultationRow, 'agency_name' | 'requesting_unit_id' | 'consulted_unit_id' | 'step_key' | 'step_name'>
  & { actor_name: string | null; requesting_unit_name: string | null; consulted_unit_name: string | null };

/** Who a consultation goes to: a unit on the platform, or an agency outside it (reached by email). */
export type Target =
  | { kind: 'unit'; unitId: string; name: string }
  | { kind: 'external'; agencyId: string; name: string; email: string | null };

/**
 * `tthc:consultAgency` names a unit id, an external agency id, or either's name (accents and case
 * ignored): `stnmt`, `cong-an-tinh`, `Công an tỉnh`. Undefined when nothing matches.
 */
export async function resolveTarget(db: Db, text: string): Promise<Target | undefined> {
  const t = text.trim();
  if (!t) return undefined;
  const folded = foldText(t);
  const unit = await db('org_unit').where('id', t).first<{ id: string; name: string } | undefined>('id', 'name')
    ?? await db('org_unit').where('name_folded', folded).orderBy('level').first<{ id: string; name: string } | undefined>('id', 'name');
  if (unit) return { kind: 'unit', unitId: unit.id, name: unit.name };
  const agency = await db<AgencyRow>('consultation_agency').where('id', t).first()
    ?? await db<AgencyRow>('consultation_agency').where('name_folded', folded).first();
  if (agency) return { kind: 'external', agencyId: agency.id, name: agency.name, email: agency.email ?? null };
  return undefined;
}

/**
 * The units a holder of a role in `unitIds` answers consultations for: those units, and the department
 * above each division among them (a department's consultation reaches its divisions' staff). Only
 * division links count: a commune under the province does not answer for the province.
 */
export async function answeredFrom(db: Db, unitIds: string[]): Promise<string[]> {
  if (!unitIds.length) return [];
  const { rows } = await db.raw<{ rows: Array<{ id: string }> }>(
    `with recursive up(id, parent_id, kind) as (
       select id, parent_id, kind from org_unit where id = any(?::text[])
       union select p.id, p.parent_id, p.kind from org_unit p join up on p.id = up.parent_id where up.kind = 'division'
     ) select id from up`,
    [unitIds],
  );
  return [...new Set([...unitIds, ...rows.map((r) => r.id)])];
}

/** The unit and the divisions below it (and theirs): where a consultation to the unit is told. */
export async function withDivisions(db: Db, unitId: string): Promise<string[]> {
  const { rows } = await db.raw<{ rows: Array<{ id: string }> }>(
    `with recursive down(id) as (
       select id from org_unit where id = ?
       union select c.id from org_unit c join down on c.parent_id = down.id where c.kind = 'division'
     ) select id from down`,
    [unitId],
  );
  return [unitId, ...rows.map((r) => r.id).filter((id) => id !== unitId)];
}

/** An external agency's name and email (null when it has none), for the requests and reminders sent to it. */
export async function agencyContact(db: Db, id: string | null): Promise<Pick<AgencyRow, 'name' | 'email'> | undefined> {
  return id ? db<AgencyRow>('consultation_agency').where({ id }).first('name', 'email') : undefined;
}

/** A unit's name, as the requesting unit is named to an agency outside the platform. */
export async function unitName(db: Db, id: string): Promise<string | undefined> {
  return (await db('org_unit').where({ id }).first<{ name: string } | undefined>('name'))?.name;
}

export async function listAgencies(db: Db): Promise<Array<{ id: string; name: string; email: string | null }>> {
  return db<AgencyRow>('consultation_agency').orderBy('name').select('id', 'name', 'email');
}

export async function upsertAgency(db: Db, a: { id: string; name: string; email: string | null }): Promise<void> {
  await db('consultation_agency').insert({ id: a.id, name: a.name, name_folded: foldText(a.name), email: a.email })
    .onConflict('id').merge(['name', 'name_folded', 'email']);
}

export const byId = (db: Db, id: string, forUpdate = false): Promise<ConsultationRow | undefined> => {
  const q = db<ConsultationRow>('consultation').where({ id }).first();
  return forUpdate ? q.forUpdate() : q;
};

export const byKey = (db: Db, key: string): Promise<ConsultationRow | undefined> => db<ConsultationRow>('consultation').where({ request_key: key }).first();

/** Inserts once per request key; returns the row and whether this call created it. */
export async function insertOnce(db: Db, row: NewConsultation): Promise<{ created: boolean; row: ConsultationRow }> {
  const inserted = await db('consultation').insert(row).onConflict('request_key').ignore().returning<ConsultationRow[]>('*');
  if (inserted[0]) return { created: true, row: inserted[0] };
  return { created: false, row: (await byKey(db, row.request_key))! };
}

export async function addEvent(db: Db, e: { consultationId: string; kind: string; actor?: string | null; data?: unknown; at?: Date }): Promise<void> {
  await db('consultation_event').insert({
    consultation_id: e.consultationId, kind: e.kind, actor: e.actor ?? null,
    data: e.data === undefined ? null : JSON.stringify(e.data), at: e.at ?? new Date(),
  });
}

/** The reminder of one working day, once: false when that day's reminder is already recorded. */
export async function addReminder(db: Db, e: { consultationId: string; day: string; data: unknown; at: Date }): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ id: string }> }>(
    `insert into consultation_event (consultation_id, kind, day, actor, data, at) values (?, 'reminded', ?, 'workers', ?, ?)
       on conflict (consultation_id, day) where kind = 'reminded' do nothing returning id`,
    [e.consultationId, e.day, JSON.stringify(e.data), e.at],
  );
  return rows.length === 1;
}

/** A consultation's events, with the actor's display name (`actor_name`; null for the workers). */
export async function events(db: Db, consultationId: string): Promise<EventLine[]> {
  return db('consultation_event as e').leftJoin('app_user as u', 'u.username', 'e.actor')
    .where({ 'e.consultation_id': consultationId }).orderBy('e.id').select<EventLine[]>('e.*', 'u.display_name as actor_name');
}

/**
 * The events of a process instance's consultations — those its steps opened, and those opened for its
 * dossier outside a step (by hand, the demo) — with the actor's display name and both units' names.
 */
export async function eventsOfInstance(db: Db, instanceId: string): Promise<InstanceEventLine[]> {
  return db('consultation_event as e').join('consultation as c', 'c.id', 'e.consultation_id')
    .leftJoin('app_user as u', 'u.username', 'e.actor')
    .leftJoin('org_unit as ru', 'ru.id', 'c.requesting_unit_id').leftJoin('org_unit as cu', 'cu.id', 'c.consulted_unit_id')
    .where((w) => w.where('c.instance_id', instanceId).orWhereIn('c.dossier_id', db('dossier').whereRaw('instance_id::text = ?', [instanceId]).select('id')))
    .orderBy('e.id')
    .select<InstanceEventLine[]>('e.kind', 'e.at', 'e.actor', 'e.data', 'c.agency_name', 'c.requesting_unit_id', 'c.consulted_unit_id', 'c.step_key', 'c.step_name',
      'u.display_name as actor_name', 'ru.name as requesting_unit_name', 'cu.name as consulted_unit_name');
}

export interface ListFilter {
  /** incoming: to the caller's units; outgoing: from them. */
  side: 'incoming' | 'outgoing';
  units: string[] | 'all';
  status?: 'open' | 'answered';
  dossierCode?: string;
  limit: number;
  offset: number;
}

export async function list(db: Db, f: ListFilter): Promise<{ rows: ConsultationRow[]; total: number }> {
  const q = db<ConsultationRow>('consultation').modify<ConsultationRow, ConsultationRow[]>((b) => {
    if (f.units !== 'all') b.whereIn(f.side === 'incoming' ? 'consulted_unit_id' : 'requesting_unit_id', f.units);
    else if (f.side === 'incoming') b.whereNotNull('consulted_unit_id');
    if (f.status) b.where('status', f.status);
    if (f.dossierCode) b.where('dossier_code', f.dossierCode);
  });
  const counted = await q.clone().count<Array<{ n: string | number }>>({ n: '*' });
  const rows = await q.orderByRaw("case when status = 'open' then 0 else 1 end").orderBy('reply_due_at').orderBy('id').limit(f.limit).offset(f.offset);
  return { rows, total: Number(counted[0]?.n ?? 0) };
}

/**
 * Answered but the reply message has not reached the process yet (it was not waiting, or the engine
 * failed): only while the instance runs, and at most `maxAttempts` times (a drawing with no catch event
 * for the reply never takes it; the validator warns about such drawings).
 */
export async function uncorrelated(db: Db, limit: number, maxAttempts: number): Promise<ConsultationRow[]> {
  // consultation.instance_id is text (any engine's id); engine_instance.id is a uuid.
  return db('consultation as c').joinRaw('join engine_instance as i on i.id::text = c.instance_id')
    .where('c.status', 'answered').whereNull('c.correlated_at').where('c.correlation_attempts', '<', maxAttempts).where('i.state', 'ACTIVE')
    .orderBy('c.correlation_attempts').orderBy('c.replied_at').limit(limit).select<ConsultationRow[]>('c.*');
}
