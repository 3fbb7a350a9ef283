import type { Knex } from 'knex';
import { foldText, likeContains } from '../text/fold.js';
import type { Page, Procedure, ProcedureInput, ProcedureQuery } from './types.js';

type Db = Knex | Knex.Transaction;

interface Row {
  id: string; code: string; name: string; field: string; level: string; agency_id: string; agency_name?: string | null; managing_agency_id: string; managing_agency_name?: string | null;
  legal_basis: string; limit_value: number | string; limit_unit: 'days' | 'hours';
  after_cutoff_next_day: boolean; pause_on_supplement: boolean; requires_supplement_path: boolean; requires_refusal_path: boolean;
  components: unknown; fees: unknown; steps: unknown; online_level: 'partial' | 'full'; status: 'active' | 'withdrawn';
  revision: number; created_at: Date | string; updated_at: Date | string;
}

interface LevelRow { id: string; name_vi: string; name_en: string; active: boolean; sort: number }

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function toProcedure(r: Row): Procedure {
  return {
    id: r.id, code: r.code, name: r.name, field: r.field, level: r.level, agencyId: r.agency_id,
    managingAgencyId: r.managing_agency_id ?? r.agency_id,
    ...(r.agency_name ? { agencyName: r.agency_name } : {}),
    ...(r.managing_agency_name ? { managingAgencyName: r.managing_agency_name } : {}),
    legalBasis: r.legal_basis,
    limit: { value: Number(r.limit_value), unit: r.limit_unit, [r.limit_unit === 'days' ? 'workingDays' : 'workingHours']: Number(r.limit_value) },
    afterCutoffNextDay: r.after_cutoff_next_day, pauseOnSupplement: r.pause_on_supplement,
    requiresSupplementPath: r.requires_supplement_path, requiresRefusalPath: r.requires_refusal_path,
    components: json(r.components), fees: json(r.fees), steps: json(r.steps),
    onlineLevel: r.online_level, status: r.status, revision: r.revision,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

function toRow(p: ProcedureInput): Record<string, unknown> {
  return {
    code: p.code, name: p.name, name_folded: foldText(p.name), field: p.field, field_folded: foldText(p.field),
    level: p.level, agency_id: p.agencyId, managing_agency_id: p.managingAgencyId ?? p.agencyId, legal_basis: p.legalBasis, limit_value: p.limit.value, limit_unit: p.limit.unit,
    after_cutoff_next_day: p.afterCutoffNextDay, pause_on_supplement: p.pauseOnSupplement,
    requires_supplement_path: p.requiresSupplementPath, requires_refusal_path: p.requiresRefusalPath,
    components: JSON.stringify(p.components), fees: JSON.stringify(p.fees), steps: JSON.stringify(p.steps),
    online_level: p.onlineLevel, status: p.status,
  };
}

/** Procedures with their agencies' names. */
function base(db: Db): Knex.QueryBuilder<Row, Row[]> {
  return db<Row>('procedure as p').leftJoin('org_unit as u', 'u.id', 'p.agency_id').leftJoin('org_unit as m', 'm.id', 'p.managing_agency_id')
    .select('p.*', 'u.name as agency_name', 'm.name as managing_agency_name') as Knex.QueryBuilder<Row, Row[]>;
}

export async function get(db: Db, id: string): Promise<Procedure | undefined> {
  const r = await base(db).where('p.id', id).first();
  return r ? toProcedure(r) : undefined;
}

export async function getByCode(db: Db, code: string): Promise<Procedure | undefined> {
  const r = await base(db).where('p.code', code).first();
  return r ? toProcedure(r) : undefined;
}

/** Existing procedures by code, in one query (imports). */
export async function byCodes(db: Db, codes: string[]): Promise<Map<string, Procedure>> {
  const out = new Map<string, Procedure>();
  for (let i = 0; i < codes.length; i += 1000) {
    for (const r of await base(db).whereIn('p.code', codes.slice(i, i + 1000))) out.set(r.code, toProcedure(r));
  }
  return out;
}

export async function lockForUpdate(trx: Knex.Transaction, id: string): Promise<Procedure | undefined> {
  const r = await trx<Row>('procedure').where({ id }).forUpdate().first();
  return r ? toProcedure(r) : undefined;
}

export async function insert(db: Db, p: ProcedureInput): Promise<string> {
  const [r] = await db('procedure').insert(toRow(p)).returning<Array<{ id: string }>>('id');
  return r!.id;
}

export async function update(db: Db, id: string, p: ProcedureInput): Promise<void> {
  await db('procedure').where({ id }).update({ ...toRow(p), revision: db.raw('revision + 1'), updated_at: db.fn.now() });
}

export async function setStatus(db: Db, id: string, status: 'active' | 'withdrawn'): Promise<void> {
  await db('procedure').where({ id }).update({ status, revision: db.raw('revision + 1'), updated_at: db.fn.now() });
}

export async function search(db: Db, q: ProcedureQuery): Promise<Page<Procedure>> {
  const where = (b: Knex.QueryBuilder) => {
    if (q.q?.trim()) {
      const folded = foldText(q.q);
      b.where((w) => w.whereRaw("p.name_folded like ? escape '\\'", [likeContains(folded)])
        .orWhereRaw("p.code like ? escape '\\'", [likeContains(q.q!.trim())]));
    }
    if (q.field) b.where('p.field_folded', foldText(q.field));
    if (q.level) b.where('p.level', q.level);
    if (q.agencyId) b.where('p.agency_id', q.agencyId);
    if (q.managingAgencyId) b.where('p.managing_agency_id', q.managingAgencyId);
    if (q.status) b.where('p.status', q.status);
  };
  const countRow = await db<Row>('procedure as p').modify<Row, Row[]>(where).count<{ n: number }[]>({ n: '*' }).first();
  const rows = await base(db).modify<Row, Row[]>(where).orderBy('p.code').limit(q.pageSize).offset((q.page - 1) * q.pageSize);
  return { items: rows.map(toProcedure), total: Number(countRow?.n ?? 0), page: q.page, pageSize: q.pageSize };
}

export async function all(db: Db): Promise<Procedure[]> {
  return (await base(db).orderBy('p.code')).map(toProcedure);
}

export async function count(db: Db): Promise<number> {
  const r = await db('procedure').count<{ n: number }[]>({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

export async function fields(db: Db): Promise<string[]> {
  const rows = await db<Row>('procedure').distinct('field').orderBy('field');
  return rows.map((r) => r.field);
}

export async function levels(db: Db): Promise<Array<{ id: string; name: string; nameVi: string; nameEn: string; active: boolean }>> {
  const rows = await db<LevelRow>('catalog_level').select('*').orderBy('sort');
  return rows.map((r) => ({ id: r.id, name: r.name_vi, nameVi: r.name_vi, nameEn: r.name_en, active: r.active }));
}

export async function levelExists(db: Db, id: string): Promise<boolean> {
  return !!(await db('catalog_level').where({ id }).first());
}

export async function unitExists(db: Db, id: string): Promise<boolean> {
  return !!(await db('org_unit').where({ id }).first());
}

export async function upsertLevel(db: Db, l: { id: string; nameVi: string; nameEn: string; active: boolean; sort: number }): Promise<void> {
  await db('catalog_level').insert({ id: l.id, name_vi: l.nameVi, name_en: l.nameEn, active: l.active, sort: l.sort })
    .onConflict('id').merge(['name_vi', 'name_en', 'active', 'sort']);
}

export async function unitName(db: Db, id: string): Promise<string | undefined> {
  const r = await db<{ id: string; name: string }>('org_unit').select('name').where({ id }).first();
  return r?.name;
}
