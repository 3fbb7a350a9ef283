import type { Knex } from 'knex';
import type { DossierEvent } from './types.js';

type Db = Knex | Knex.Transaction;

/** A raw `dossier` row (snake case, as the database returns it). */
export type DossierRow = Record<string, unknown> & {
  id: string; code: string; unit_id: string; competent_unit_id: string; procedure_id: string; status: number;
  applicant: unknown; proxy: unknown; revision: number;
};

/** A `dossier_event` row (migrations/0600_dossiers.ts): bigint id as text, jsonb data parsed. */
interface DossierEventRow {
  id: string; dossier_id: string; kind: string; from_status: number | null; to_status: number | null; actor_id: string | null;
  actor_name: string | null; reason: string | null; data: unknown; at: Date;
}

const SUMMARY_COLUMNS = [
  'd.id', 'd.code', 'd.unit_id', 'd.procedure_id', 'd.status', 'd.channel', 'd.applicant', 'd.filed_at', 'd.received_at',
  'd.due_at', 'd.paused_at', 'd.limit_value', 'd.limit_unit', 'p.name as procedure_name',
];

/**
 * Next gapless number for a unit's day, with the unit's agency code and name, in one statement (the
 * reception's hot path). The upsert takes the counter row's lock until the caller's transaction ends,
 * so concurrent receptions (on any node) queue on it and a rollback gives the number back. Undefined
 * when the unit does not exist (no counter row is written then).
 */
export async function nextCodeParts(trx: Knex.Transaction, unitId: string, day: string): Promise<{ seq: number; agencyCode: string | null; unitName: string } | undefined> {
  const r = await trx.raw<{ rows: Array<{ last: number; name: string; agency_code: string | null }> }>(
    `with u as (select id, name, agency_code from org_unit where id = ?),
     s as (insert into dossier_code_seq (unit_id, day, last) select u.id, ?, 1 from u
           on conflict (unit_id, day) do update set last = dossier_code_seq.last + 1 returning last)
     select s.last, u.name, u.agency_code from u cross join s`,
    [unitId, day],
  );
  const row = r.rows[0];
  return row ? { seq: Number(row.last), agencyCode: row.agency_code ?? null, unitName: row.name } : undefined;
}

const eventColumns = (e: EventInput) => ({
  kind: e.kind, from_status: e.from ?? null, to_status: e.to ?? null, actor_id: e.actorId ?? null, actor_name: e.actorName ?? null,
  reason: e.reason ?? null, data: e.data === undefined ? null : JSON.stringify(e.data), at: e.at ?? new Date(),
});

/**
 * The reception's write in one statement (atomic without a transaction around it): the unit's next
 * gapless number for the day, the dossier with its code `<agency>-<yyMMdd>-<nnnn>` (the unit's agency
 * code, else `fallbackAgency`), and its first event (whose trigger sees the row: it fires at the
 * statement's end). The counter row stays locked until the statement ends, so concurrent receptions
 * (on any node) queue on it, and a failed insert gives the number back. Undefined when the unit does
 * not exist (nothing is written then).
 */
export async function insertReceived(db: Db, input: { unitId: string; day: string; fallbackAgency: string; row: Record<string, unknown>; event: Omit<EventInput, 'dossierId'> }): Promise<{ id: string; code: string; seq: number; unitName: string } | undefined> {
  const ev = eventColumns({ ...input.event, dossierId: '' });
  const cols = Object.keys(input.row);
  const yymmdd = input.day.slice(2).replace(/-/g, '');
  // VALUES (not SELECT) so each parameter takes its column's type; an unknown unit leaves the code null.
  const r = await db.raw<{ rows: Array<{ id: string; code: string; seq: number; name: string }> }>(
    `with u as (select id, name, agency_code from org_unit where id = ?),
     s as (insert into dossier_code_seq (unit_id, day, last) select u.id, ?, 1 from u
           on conflict (unit_id, day) do update set last = dossier_code_seq.last + 1 returning last),
     c as (select s.last, coalesce(u.agency_code, ?) || '-' || ? || '-' || lpad(s.last::text, greatest(4, length(s.last::text)), '0') as code from u cross join s),
     d as (insert into dossier (code, seq, ${cols.map((c) => `"${c}"`).join(', ')})
           values ((select code from c), (select last from c), ${cols.map(() => '?').join(', ')}) returning id, code, seq),
     e as (insert into dossier_event (dossier_id, kind, from_status, to_status, actor_id, actor_name, reason, data, at)
           select d.id, ?, ?, ?, ?, ?, ?, ?::jsonb, ? from d returning 1)
     select d.id, d.code, d.seq, u.name from d cross join u`,
    [input.unitId, input.day, input.fallbackAgency, yymmdd, ...cols.map((c) => input.row[c] as Knex.Value), ev.kind, ev.from_status, ev.to_status, ev.actor_id, ev.actor_name, ev.reason, ev.data, ev.at],
  ).catch((err: { code?: string; column?: string; message?: string }) => {
    if (err.code === '23502' && (err.column === 'code' || /"code"/.test(err.message ?? ''))) return { rows: [] as Array<{ id: string; code: string; seq: number; name: string }> };
    throw err;
  });
  const row = r.rows[0];
  return row ? { id: row.id, code: row.code, seq: Number(row.seq), unitName: row.name } : undefined;
}

/**
 * What a reception needs to know of a procedure, in one small read: its row version (`xmin`, changed
 * by every update: the key of the service's cache of the whole procedure), its status and level, and
 * the active approved process at that level (as the lifecycle's `activeDefinition` reads it: the
 * model's active version and that version's deployed definition).
 */
export async function receptionFacts(db: Db, procedureId: string): Promise<{ rowVersion: string; versionId: string | null; definitionId: string | null } | undefined> {
  const r = await db('procedure as p').leftJoin('process_model as m', function () { this.on('m.procedure_id', 'p.id').andOn('m.level', 'p.level'); })
    .leftJoin('process_version as v', 'v.id', 'm.active_version_id').where('p.id', procedureId)
    .first<{ row_version: string; version_id: string | null; definition_id: string | null } | undefined>(db.raw('p.xmin::text as row_version'), 'm.active_version_id as version_id', 'v.definition_id');
  return r ? { rowVersion: r.row_version, versionId: r.version_id ?? null, definitionId: r.definition_id ?? null } : undefined;
}

/**
 * A status change and its event in one statement, only if the dossier is still in `from`: the
 * updated row, or undefined when someone moved it first. A single statement is atomic without
 * a transaction around it.
 */
export async function transitionIf(db: Db, id: string, from: number, to: number, patch: Record<string, unknown>, e: Omit<EventInput, 'dossierId' | 'from' | 'to'>): Promise<DossierRow | undefined> {
  const ev = eventColumns({ ...e, dossierId: id, from, to });
  const update = db('dossier').where({ id, status: from }).update({ ...patch, status: to, updated_at: db.fn.now(), revision: db.raw('revision + 1') }).returning('*');
  const r = await db.raw<{ rows: DossierRow[] }>(
    `with u as (?), e as (insert into dossier_event (dossier_id, kind, from_status, to_status, actor_id, actor_name, reason, data, at)
       select u.id, ?, ?, ?, ?, ?, ?, ?::jsonb, ? from u returning 1)
     select u.* from u`,
    [update, ev.kind, ev.from_status, ev.to_status, ev.actor_id, ev.actor_name, ev.reason, ev.data, ev.at],
  );
  return r.rows[0];
}

export async function unitInfo(db: Db, unitId: string): Promise<{ id: string; name: string; agencyCode: string | null; parentId: string | null } | undefined> {
  const r = await db('org_unit').where({ id: unitId }).first<{ id: string; name: string; agency_code: string | null; parent_id: string | null } | undefined>('id', 'name', 'agency_code', 'parent_id');
  return r ? { id: r.id, name: r.name, agencyCode: r.agency_code ?? null, parentId: r.parent_id ?? null } : undefined;
}

export async function setAgencyCode(db: Db, unitId: string, code: string | null): Promise<number> {
  return db('org_unit').where({ id: unitId }).update({ agency_code: code });
}

export async function insertDossier(trx: Knex.Transaction, row: Record<string, unknown>): Promise<string> {
  const [r] = await trx('dossier').insert(row).returning<Array<{ id: string }>>('id');
  return r!.id;
}

/** The dossier an officer's request with this Idempotency-Key already created. */
export async function byIdempotencyKey(db: Db, createdBy: string, key: string): Promise<DossierRow | undefined> {
  return db('dossier').where({ created_by: createdBy, idempotency_key: key }).first<DossierRow | undefined>('id', 'procedure_id', 'status');
}

export async function byId(db: Db, id: string, lock = false): Promise<DossierRow | undefined> {
  const q = db('dossier as d').leftJoin('procedure as p', 'p.id', 'd.procedure_id').leftJoin('org_unit as u', 'u.id', 'd.unit_id')
    .where('d.id', id).first('d.*', 'p.name as procedure_name', 'p.code as procedure_code', 'u.name as unit_name');
  if (lock) void q.forUpdate('d');
  return (await q) as DossierRow | undefined;
}

export async function idByCode(db: Db, code: string): Promise<string | undefined> {
  const r = await db('dossier').where({ code }).first<{ id: string } | undefined>('id');
  return r?.id;
}

export async function update(trx: Db, id: string, patch: Record<string, unknown>): Promise<void> {
  await trx('dossier').where({ id }).update({ ...patch, updated_at: trx.fn.now(), revision: trx.raw('revision + 1') });
}

interface EventInput {
  dossierId: string; kind: string; from?: number | null; to?: number | null; actorId?: string | null; actorName?: string | null;
  reason?: string | null; data?: unknown; at?: Date;
}

export async function appendEvent(db: Db, e: EventInput): Promise<void> {
  await db('dossier_event').insert({ dossier_id: e.dossierId, ...eventColumns(e) });
}

export async function events(db: Db, dossierId: string): Promise<DossierEvent[]> {
  const rows = await db<DossierEventRow>('dossier_event').where({ dossier_id: dossierId }).orderBy('id');
  return rows.map((r) => ({
    id: Number(r.id), kind: r.kind, fromStatus: r.from_status, toStatus: r.to_status, actorId: r.actor_id, actorName: r.actor_name,
    reason: r.reason, data: r.data, at: r.at.toISOString(),
  }));
}

export interface ListFilter {
  units: string[] | 'all';
  status?: number[];
  procedureId?: string;
  unitId?: string;
  receivedFrom?: Date;
  receivedTo?: Date;
  code?: string;
  applicantLike?: string;
  channel?: string;
  /** Due-state filters translated to instants by the service. */
  dueBefore?: Date;
  dueAfter?: Date;
  paused?: boolean;
  limit: number;
  offset: number;
}

/** Totals above this are reported as "more than" (an exact count over a million rows costs more than the page; 50 pages of 20 is more than anyone pages through before filtering). */
const COUNT_CAP = 1_000;

/**
 * One page of a unit-scoped list, newest first. The scope "received by one of my units OR competent
 * unit is one of mine" is two index-ordered branches (`(unit_id, status, filed_at)` and
 * `(competent_unit_id, filed_at)`) merged, so a page costs the same over a million rows as over a
 * thousand; the total is counted up to COUNT_CAP.
 */
export async function list(db: Db, f: ListFilter): Promise<{ rows: DossierRow[]; total: number; capped: boolean }> {
  const filters = (q: Knex.QueryBuilder) => {
    if (f.unitId) void q.where((w) => { void w.where('d.unit_id', f.unitId!).orWhere('d.competent_unit_id', f.unitId!); });
    if (f.status?.length) void q.whereIn('d.status', f.status);
    if (f.procedureId) void q.where('d.procedure_id', f.procedureId);
    if (f.receivedFrom) void q.where('d.filed_at', '>=', f.receivedFrom);
    if (f.receivedTo) void q.where('d.filed_at', '<', f.receivedTo);
    if (f.code) void q.where('d.code', f.code);
    if (f.applicantLike) void q.whereRaw("d.applicant_folded like ? escape '\\'", [f.applicantLike]);
    if (f.channel) void q.where('d.channel', f.channel);
    if (f.paused !== undefined) void (f.paused ? q.whereNotNull('d.paused_at') : q.whereNull('d.paused_at'));
    if (f.dueBefore) void q.where('d.due_at', '<', f.dueBefore);
    if (f.dueAfter) void q.where('d.due_at', '>=', f.dueAfter);
    return q;
  };
  const take = f.offset + f.limit;
  // `ordered`: the page needs the newest first; the capped count only needs to stop after COUNT_CAP + 1 rows,
  // in whatever order the cheapest plan finds them.
  const branch = (which: 'unit' | 'competent' | 'all', n: number, ordered = true) => {
    const q = filters(db('dossier as d').select(ordered ? ['d.id', 'd.filed_at'] : [db.raw('1 as one')]));
    if (which === 'unit') void q.whereIn('d.unit_id', f.units as string[]);
    if (which === 'competent') void q.whereIn('d.competent_unit_id', f.units as string[]).whereNotIn('d.unit_id', f.units as string[]);
    if (ordered) void q.orderBy([{ column: 'd.filed_at', order: 'desc' }, { column: 'd.id', order: 'desc' }]);
    return q.limit(n);
  };
  // The two branches are disjoint (the competent one excludes the caller's own units): UNION ALL, no de-duplication.
  const ids = f.units === 'all'
    ? db.from(branch('all', take).as('x')).select('x.id', 'x.filed_at')
    : db.from(db.unionAll([branch('unit', take), branch('competent', take)], true).as('x')).select('x.id', 'x.filed_at');
  const pageIds = await db.from(ids.as('y')).select('y.id').orderBy([{ column: 'y.filed_at', order: 'desc' }, { column: 'y.id', order: 'desc' }]).limit(f.limit).offset(f.offset);
  const countQ = f.units === 'all'
    ? branch('all', COUNT_CAP + 1, false)
    : db.unionAll([branch('unit', COUNT_CAP + 1, false), branch('competent', COUNT_CAP + 1, false)], true);
  const [rows, count] = await Promise.all([
    pageIds.length
      ? db('dossier as d').leftJoin('procedure as p', 'p.id', 'd.procedure_id').whereIn('d.id', pageIds.map((r: { id: string }) => r.id)).select(SUMMARY_COLUMNS)
        .orderBy([{ column: 'd.filed_at', order: 'desc' }, { column: 'd.id', order: 'desc' }])
      : Promise.resolve([]),
    db.from(countQ.as('c')).count<{ n: string }[]>({ n: '*' }),
  ]);
  const n = Number(count[0]?.n ?? 0);
  return { rows: rows as DossierRow[], total: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

/** Dossiers waiting on an engine instance that has completed (the resolution poller). */
export async function completedInstances(db: Db, limit: number): Promise<Array<{ id: string; instance_id: string; definition_id: string }>> {
  return db('dossier as d').join('engine_instance as i', 'i.id', 'd.instance_id')
    .whereIn('d.status', [4]).where('i.state', 'COMPLETED').select('d.id', 'd.instance_id', 'd.definition_id').limit(limit);
}

/** Names printed on forms: the receiving unit, its parent, and the officer who received the dossier. */
export async function formNames(db: Db, unitId: string, userId: string | null): Promise<{ unitName: string; parentName?: string; officerName?: string }> {
  const u = await db('org_unit as u').leftJoin('org_unit as p', 'p.id', 'u.parent_id').where('u.id', unitId)
    .first<{ name: string; parent_name: string | null } | undefined>('u.name', 'p.name as parent_name');
  const officer = userId ? await db('app_user').where({ id: userId }).first<{ display_name: string } | undefined>('display_name') : undefined;
  return { unitName: u?.name ?? unitId, parentName: u?.parent_name ?? undefined, officerName: officer?.display_name ?? undefined };
}
