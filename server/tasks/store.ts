import type { Knex } from 'knex';
import { likeContains } from '../text/fold.js';

type Db = Knex | Knex.Transaction;

/**
 * Rows as PostgreSQL returns them: the engine's (migrations/0300_engine.ts), the tasklist's own (0650_tasks.ts).
 * bigint ids come back as text, jsonb parsed, timestamptz as Date.
 */
export interface EngineTaskRow {
  id: string; instance_id: string; execution_id: string; definition_id: string; task_definition_key: string; name: string | null;
  assignee: string | null; candidate_users: string[]; candidate_groups: string[]; due: Date | null; follow_up: Date | null;
  priority: number; form_key: string | null; unit_id: string | null; business_key: string | null; created: Date;
}
export interface TaskDossierRow {
  instance_id: string; dossier_id: string | null; code: string | null; procedure_code: string | null; procedure_name: string | null;
  applicant_masked: string | null; applicant_folded: string | null; unit_id: string | null; received_at: Date | null; due_at: Date | null;
  paused: boolean; status: string | null; updated_at: Date;
}
export interface TaskEventRow {
  id: string; task_id: string; instance_id: string; business_key: string | null; unit_id: string | null; step_key: string; step_name: string | null;
  /** claimed | unclaimed | assigned | reassigned | completed */
  kind: string; actor: string; actor_name: string | null; actor_unit: string | null; target_user: string | null; outcome: string | null;
  comment: string | null; task_created: Date | null; task_due: Date | null; budget: string | null; documents: Array<{ id: string; name: string }> | null; at: Date;
}
/** What `upsertDossier` writes: the facts known, keyed by instance. */
export type TaskDossierPatch = Partial<TaskDossierRow> & Pick<TaskDossierRow, 'instance_id'>;
/** What `insertEvent` writes: `documents` as JSON text, no id (the sequence gives it). */
export type NewTaskEvent = Omit<Partial<TaskEventRow>, 'id' | 'documents'> & Pick<TaskEventRow, 'task_id' | 'instance_id' | 'step_key' | 'kind' | 'actor' | 'at'> & { documents?: string | null };
interface EngineInstanceFacts { id: string; business_key: string | null; unit_id: string | null; start_time: Date; state: string; definition_key: string; definition_name: string | null }
interface EngineVariableRow { instance_id: string; name: string; type: string; value: unknown }
/** The dossier capability's row, as the fallback projection reads it (with its procedure's code and name). */
interface DossierFactsRow {
  instance_id: string | null; id: string; code: string; applicant: { fullName?: string } | null; received_at: Date | null; filed_at: Date | null;
  due_at: Date | null; paused_at: Date | null; status: number; unit_id: string; procedure_code: string | null; procedure_name: string | null;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };
type FactColumns = 'code' | 'procedure_code' | 'procedure_name' | 'applicant_masked' | 'received_at' | 'due_at' | 'dossier_id';
/** A line of the open tabs: the task, its projected facts (null until projected) and the dossier's live clock (`dos_*`). */
export type OpenLine = Pick<EngineTaskRow, 'id' | 'name' | 'task_definition_key' | 'definition_id' | 'instance_id' | 'assignee' | 'candidate_users' | 'candidate_groups' | 'unit_id' | 'created' | 'due' | 'business_key'>
  & Nullable<Pick<TaskDossierRow, FactColumns | 'paused' | 'status'>>
  & { d_instance: string | null; dos_id: string | null; dos_due_at: Date | null; dos_paused_at: Date | null };
/** A line of the "done" tab: the completion and its projected facts. */
export type DoneLine = TaskEventRow & Nullable<Pick<TaskDossierRow, FactColumns | 'paused'>>;

/** Who is asking, reduced to what the SQL needs. */
export interface Viewer {
  username: string;
  /** The (role, unit) pairs the caller holds: group tasks are those offered to one of these roles in that unit. */
  unitRoles: Array<{ role: string; unitId: string }>;
  /** Units whose tasks the caller reads without acting (a leader's unit and sub-units); empty for others. */
  overseenUnitIds: string[];
  /** Inspectors and administrators oversee every unit. */
  overseeAll: boolean;
  /** Administrators act on everything: their "group" tab is every unclaimed task. */
  all: boolean;
}

export type Tab = 'mine' | 'group' | 'due' | 'unit' | 'done';

export interface StepRef { key: string; name: string | null }

/** Tasks at one of `steps` (same key and name: two processes may share a key with different names); none when the list is empty. */
function whereSteps(b: Knex.QueryBuilder, steps: StepRef[], keyCol: string, nameCol: string): void {
  b.where((w) => {
    if (!steps.length) w.whereRaw('false');
    for (const s of steps) w.orWhere((x) => { x.where(keyCol, s.key); if (s.name === null) x.whereNull(nameCol); else x.where(nameCol, s.name); });
  });
}

export interface TaskFilter {
  procedure?: string;
  /** The steps asked for (the service resolves a step name, accents ignored, or id into these): key and name. */
  steps?: StepRef[];
  dueState?: 'on-time' | 'near-due' | 'overdue';
  receivedFrom?: Date;
  receivedTo?: Date;
  code?: string;
  /** Already folded (accent-insensitive). */
  applicant?: string;
}

export interface ListArgs {
  viewer: Viewer;
  tab: Tab;
  filter: TaskFilter;
  now: Date;
  /** Tasks due before this instant are "near due" in SQL (now + the configured working days). */
  nearCutoff: Date;
  offset: number;
  limit: number;
}

const OPEN_COLUMNS = [
  't.id', 't.name', 't.task_definition_key', 't.definition_id', 't.instance_id', 't.assignee', 't.candidate_users', 't.candidate_groups', 't.unit_id',
  't.created', 't.due', 't.business_key', 'd.code', 'd.procedure_code', 'd.procedure_name', 'd.applicant_masked', 'd.received_at',
  'd.due_at', 'd.paused', 'd.status', 'd.dossier_id', 'd.instance_id as d_instance',
  // The dossier's live clock (paused, extended) from the dossier capability's own row.
  'dos.id as dos_id', 'dos.due_at as dos_due_at', 'dos.paused_at as dos_paused_at',
];

/** Tasks offered to the viewer: unclaimed, and a candidate role they hold in the task's unit (or named as candidate user). */
function whereGroup(b: Knex.QueryBuilder, v: Viewer): void {
  b.whereNull('t.assignee').andWhere((w) => {
    if (v.all) { w.whereRaw('true'); return; }
    // `@>` (not `= any`) so the GIN index on candidate_users can serve it.
    w.whereRaw('t.candidate_users @> array[?]::text[]', [v.username]);
    for (const ur of v.unitRoles) w.orWhere((x) => x.where('t.unit_id', ur.unitId).whereRaw('? = any(t.candidate_groups)', [ur.role]));
  });
}

/** What the viewer acts on: assigned to them, or offered to them. */
function whereActionable(b: Knex.QueryBuilder, v: Viewer): void {
  b.where((w) => {
    w.where('t.assignee', v.username).orWhere((g) => whereGroup(g, v));
  });
}

function applyFilter(b: Knex.QueryBuilder, f: TaskFilter, a: Pick<ListArgs, 'now' | 'nearCutoff'>): void {
  if (f.procedure) b.where((w) => w.where('d.procedure_code', f.procedure!).orWhereLike('t.definition_id', `${f.procedure!.replace(/[%_\\]/g, '\\$&')}:%`));
  if (f.steps) whereSteps(b, f.steps, 't.task_definition_key', 't.name');
  if (f.dueState === 'overdue') b.where('t.due', '<', a.now);
  if (f.dueState === 'near-due') b.where('t.due', '>=', a.now).where('t.due', '<=', a.nearCutoff);
  if (f.dueState === 'on-time') b.where((w) => w.whereNull('t.due').orWhere('t.due', '>', a.nearCutoff));
  if (f.receivedFrom) b.where('d.received_at', '>=', f.receivedFrom);
  if (f.receivedTo) b.where('d.received_at', '<', f.receivedTo);
  if (f.code) b.where((w) => w.whereILike('d.code', likeContains(f.code!.toLowerCase())).orWhereILike('t.business_key', likeContains(f.code!.toLowerCase())));
  if (f.applicant) b.whereLike('d.applicant_folded', likeContains(f.applicant));
}

function openBase(db: Db, args: Pick<ListArgs, 'filter' | 'now' | 'nearCutoff'>): Knex.QueryBuilder {
  const b = db('engine_task as t').leftJoin('task_dossier as d', 'd.instance_id', 't.instance_id');
  applyFilter(b, args.filter, args);
  return b;
}

function tabWhere(b: Knex.QueryBuilder, tab: Exclude<Tab, 'done'>, a: Pick<ListArgs, 'viewer' | 'nearCutoff'>): void {
  const v = a.viewer;
  if (tab === 'mine') b.where('t.assignee', v.username);
  else if (tab === 'group') whereGroup(b, v);
  else if (tab === 'due') { whereActionable(b, v); b.where('t.due', '<=', a.nearCutoff); }
  else if (v.overseeAll) b.whereRaw('true');
  else if (v.overseenUnitIds.length) b.whereIn('t.unit_id', v.overseenUnitIds);
  else b.whereRaw('false');
}

export async function listOpen(db: Db, a: ListArgs & { tab: Exclude<Tab, 'done'> }): Promise<{ rows: OpenLine[]; total: number }> {
  const b = openBase(db, a);
  tabWhere(b, a.tab, a);
  const [rows, total] = await Promise.all([
    b.clone().leftJoin('dossier as dos', 'dos.instance_id', 't.instance_id').select<OpenLine[]>(OPEN_COLUMNS).orderByRaw('t.due asc nulls last').orderBy('t.created').orderBy('t.id').offset(a.offset).limit(a.limit),
    b.clone().count({ n: '*' }).first<{ n: string | number } | undefined>(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

/** The counts of every open tab in one statement (FILTER clauses over the viewer's tasks). */
export async function countOpen(db: Db, a: Omit<ListArgs, 'tab' | 'offset' | 'limit'>): Promise<Record<'mine' | 'group' | 'due' | 'unit', number>> {
  const v = a.viewer;
  const b = openBase(db, a);
  const bindings: Knex.RawBinding[] = [];
  const groupSql = (): string => {
    if (v.all) return 't.assignee is null';
    const parts = ['t.candidate_users @> array[?]::text[]'];
    bindings.push(v.username);
    for (const ur of v.unitRoles) { parts.push('(t.unit_id = ? and ? = any(t.candidate_groups))'); bindings.push(ur.unitId, ur.role); }
    return `t.assignee is null and (${parts.join(' or ')})`;
  };
  const mine = 't.assignee = ?';
  bindings.push(v.username);
  const group = groupSql();
  const dueMine = 't.assignee = ?';
  bindings.push(v.username);
  const dueGroup = groupSql();
  bindings.push(a.nearCutoff);
  const unit = v.overseeAll ? 'true' : v.overseenUnitIds.length ? `t.unit_id in (${v.overseenUnitIds.map(() => '?').join(',')})` : 'false';
  bindings.push(...v.overseenUnitIds);
  const sql = `count(*) filter (where ${mine}) as mine, count(*) filter (where ${group}) as "group",
    count(*) filter (where (${dueMine} or (${dueGroup})) and t.due <= ?) as due, count(*) filter (where ${unit}) as unit`;
  // Only rows that can count at all: a narrowing the planner can use (assignee / unit indexes).
  if (!v.overseeAll) b.where((w) => {
    w.where('t.assignee', v.username);
    if (v.all) w.orWhereNull('t.assignee');
    else {
      const units = [...new Set([...v.unitRoles.map((r) => r.unitId), ...v.overseenUnitIds])];
      if (units.length) w.orWhereIn('t.unit_id', units);
      w.orWhereRaw('t.candidate_users @> array[?]::text[]', [v.username]);
    }
  });
  const r = await b.first<Partial<Record<'mine' | 'group' | 'due' | 'unit', string | number>> | undefined>(db.raw(sql, bindings));
  return { mine: Number(r?.mine ?? 0), group: Number(r?.group ?? 0), due: Number(r?.due ?? 0), unit: Number(r?.unit ?? 0) };
}

/** Done by me: the completions the tasklist recorded. */
export async function listDone(db: Db, a: Pick<ListArgs, 'viewer' | 'filter' | 'offset' | 'limit'>): Promise<{ rows: DoneLine[]; total: number }> {
  const b = db('task_event as e').leftJoin('task_dossier as d', 'd.instance_id', 'e.instance_id')
    .where('e.actor', a.viewer.username).where('e.kind', 'completed');
  const f = a.filter;
  if (f.procedure) b.where('d.procedure_code', f.procedure);
  if (f.steps) whereSteps(b, f.steps, 'e.step_key', 'e.step_name');
  if (f.code) b.where((w) => w.whereILike('d.code', likeContains(f.code!.toLowerCase())).orWhereILike('e.business_key', likeContains(f.code!.toLowerCase())));
  if (f.applicant) b.whereLike('d.applicant_folded', likeContains(f.applicant));
  if (f.receivedFrom) b.where('d.received_at', '>=', f.receivedFrom);
  if (f.receivedTo) b.where('d.received_at', '<', f.receivedTo);
  const [rows, total] = await Promise.all([
    b.clone().select<DoneLine[]>('e.*', 'd.code', 'd.procedure_code', 'd.procedure_name', 'd.applicant_masked', 'd.received_at', 'd.due_at', 'd.paused', 'd.dossier_id')
      .orderBy('e.at', 'desc').orderBy('e.id', 'desc').offset(a.offset).limit(a.limit),
    b.clone().count({ n: '*' }).first<{ n: string | number } | undefined>(),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

/** The steps open tasks are at, and those the viewer completed: what the step filter offers and matches. */
export async function stepNames(db: Db, username: string, units: string[] | 'all'): Promise<StepRef[]> {
  const open = db('engine_task').modify((b) => { if (units !== 'all') b.whereIn('unit_id', units); }).distinct('task_definition_key as key', 'name');
  const done = db('task_event').where({ actor: username, kind: 'completed' }).distinct('step_key as key', 'step_name as name');
  return open.union(done) as Promise<StepRef[]>;
}

export async function countDone(db: Db, username: string): Promise<number> {
  const r = await db('task_event').where({ actor: username, kind: 'completed' }).count({ n: '*' }).first<{ n: string | number } | undefined>();
  return Number(r?.n ?? 0);
}

/** Open tasks of these units whose dossier facts are not projected yet (a few hundred at most per call). */
export async function unprojected(db: Db, unitIds: string[] | 'all', limit = 500): Promise<string[]> {
  const b = db('engine_task as t').leftJoin('task_dossier as d', 'd.instance_id', 't.instance_id').whereNull('d.instance_id')
    .distinct<Array<{ instance_id: string }>>('t.instance_id').limit(limit);
  if (unitIds !== 'all') b.whereIn('t.unit_id', unitIds);
  return (await b).map((r) => r.instance_id);
}

export async function taskById(db: Db, id: string, lock = false): Promise<EngineTaskRow | undefined> {
  const b = db<EngineTaskRow>('engine_task').where('id', id).first();
  if (lock) b.forUpdate();
  return b;
}

/** Those of `ids` that are files of the dossier running as this instance (a step may only cite its own dossier's documents). */
export async function dossierFiles(db: Db, instanceId: string, ids: string[]): Promise<Array<{ id: string; name: string }>> {
  if (!ids.length) return [];
  const rows = await db('stored_file as f').where('f.owner_type', 'dossier').whereIn('f.id', ids)
    .whereRaw('f.owner_id in (select d.id::text from dossier d where d.instance_id = ?)', [instanceId]).select<Array<{ id: string; file_name: string }>>('f.id', 'f.file_name');
  return rows.map((r) => ({ id: r.id, name: r.file_name }));
}

/** Display names of these users (the assign list shows people, not logins). */
export async function displayNames(db: Db, usernames: string[]): Promise<Record<string, string>> {
  if (!usernames.length) return {};
  const rows = await db('app_user').whereIn('username', usernames).select<Array<{ username: string; display_name: string }>>('username', 'display_name');
  return Object.fromEntries(rows.map((r) => [r.username, r.display_name || r.username]));
}

export async function insertEvent(db: Db, e: NewTaskEvent): Promise<void> {
  await db('task_event').insert(e);
}

export async function dossierFacts(db: Db, instanceIds: string[]): Promise<TaskDossierRow[]> {
  if (!instanceIds.length) return [];
  return db<TaskDossierRow>('task_dossier').whereIn('instance_id', instanceIds);
}

export async function upsertDossier(db: Db, row: TaskDossierPatch): Promise<void> {
  await db('task_dossier').insert({ ...row, updated_at: new Date() }).onConflict('instance_id').merge();
}

/** Instances and the variables the fallback projection reads (dossiers started straight through the engine). */
export async function instanceFacts(db: Db, instanceIds: string[], names: string[]): Promise<{ instances: EngineInstanceFacts[]; variables: EngineVariableRow[]; dossiers: DossierFactsRow[] }> {
  if (!instanceIds.length) return { instances: [], variables: [], dossiers: [] };
  const [instances, variables] = await Promise.all([
    db('engine_instance as i').leftJoin('engine_definition as f', 'f.id', 'i.definition_id').whereIn('i.id', instanceIds)
      .select<EngineInstanceFacts[]>('i.id', 'i.business_key', 'i.unit_id', 'i.start_time', 'i.state', 'i.definition_key', 'f.name as definition_name'),
    db<EngineVariableRow>('engine_variable').whereIn('instance_id', instanceIds).whereIn('name', names).select('instance_id', 'name', 'type', 'value'),
  ]);
  // A platform process next to the dossier's own (its watch: the apology task) shares its business key, the dossier code.
  const codes = instances.map((i) => i.business_key).filter((c): c is string => Boolean(c));
  const dossiers = await db('dossier as x').leftJoin('procedure as p', 'p.id', 'x.procedure_id')
    .where((q) => { void q.whereIn('x.instance_id', instanceIds); if (codes.length) void q.orWhereIn('x.code', codes); })
    .select<DossierFactsRow[]>('x.instance_id', 'x.id', 'x.code', 'x.applicant', 'x.received_at', 'x.filed_at', 'x.due_at', 'x.paused_at', 'x.status', 'x.unit_id', 'p.code as procedure_code', 'p.name as procedure_name');
  return { instances, variables, dossiers };
}
