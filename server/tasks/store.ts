import type { Knex } from 'knex';
import { likeContains } from '../text/fold.js';

type Db = Knex | Knex.Transaction;
type Row = Record<string, any>;

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
  't.id', 't.name', 't.task_definition_key', 't.definition_id', 't.instance_id', 't.assignee', 't.candidate_groups', 't.unit_id',
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

export const tasksStore = {
  async listOpen(db: Db, a: ListArgs & { tab: Exclude<Tab, 'done'> }): Promise<{ rows: Row[]; total: number }> {
    const b = openBase(db, a);
    tabWhere(b, a.tab, a);
    const [rows, total] = await Promise.all([
      b.clone().leftJoin('dossier as dos', 'dos.instance_id', 't.instance_id').select(OPEN_COLUMNS).orderByRaw('t.due asc nulls last').orderBy('t.created').orderBy('t.id').offset(a.offset).limit(a.limit),
      b.clone().count({ n: '*' }).first(),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  },

  /** The counts of every open tab in one statement (FILTER clauses over the viewer's tasks). */
  async countOpen(db: Db, a: Omit<ListArgs, 'tab' | 'offset' | 'limit'>): Promise<Record<'mine' | 'group' | 'due' | 'unit', number>> {
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
    const r = await b.select(db.raw(sql, bindings)).first();
    return { mine: Number(r?.mine ?? 0), group: Number(r?.group ?? 0), due: Number(r?.due ?? 0), unit: Number(r?.unit ?? 0) };
  },

  /** Done by me: the completions the tasklist recorded. */
  async listDone(db: Db, a: Pick<ListArgs, 'viewer' | 'filter' | 'offset' | 'limit'>): Promise<{ rows: Row[]; total: number }> {
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
      b.clone().select('e.*', 'd.code', 'd.procedure_code', 'd.procedure_name', 'd.applicant_masked', 'd.received_at', 'd.due_at', 'd.paused', 'd.dossier_id')
        .orderBy('e.at', 'desc').orderBy('e.id', 'desc').offset(a.offset).limit(a.limit),
      b.clone().count({ n: '*' }).first(),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  },

  /** The steps open tasks are at, and those the viewer completed: what the step filter offers and matches. */
  async stepNames(db: Db, username: string, units: string[] | 'all'): Promise<StepRef[]> {
    const open = db('engine_task').modify((b) => { if (units !== 'all') b.whereIn('unit_id', units); }).distinct('task_definition_key as key', 'name');
    const done = db('task_event').where({ actor: username, kind: 'completed' }).distinct('step_key as key', 'step_name as name');
    return (await open.union(done)) as StepRef[];
  },

  async countDone(db: Db, username: string): Promise<number> {
    const r = await db('task_event').where({ actor: username, kind: 'completed' }).count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  },

  /** Open tasks of these units whose dossier facts are not projected yet (a few hundred at most per call). */
  async unprojected(db: Db, unitIds: string[] | 'all', limit = 500): Promise<string[]> {
    const b = db('engine_task as t').leftJoin('task_dossier as d', 'd.instance_id', 't.instance_id').whereNull('d.instance_id').distinct('t.instance_id').limit(limit);
    if (unitIds !== 'all') b.whereIn('t.unit_id', unitIds);
    return (await b).map((r: Row) => r.instance_id as string);
  },

  async taskById(db: Db, id: string, lock = false): Promise<Row | undefined> {
    const b = db('engine_task as t').where('t.id', id).first('t.*');
    if (lock) b.forUpdate();
    return b;
  },

  /** Those of `ids` that are files of the dossier running as this instance (a step may only cite its own dossier's documents). */
  async dossierFiles(db: Db, instanceId: string, ids: string[]): Promise<Array<{ id: string; name: string }>> {
    if (!ids.length) return [];
    const rows = await db('stored_file as f').where('f.owner_type', 'dossier').whereIn('f.id', ids)
      .whereRaw('f.owner_id in (select d.id::text from dossier d where d.instance_id = ?)', [instanceId]).select('f.id', 'f.file_name');
    return rows.map((r: Row) => ({ id: r.id as string, name: r.file_name as string }));
  },

  /** Display names of these users (the assign list shows people, not logins). */
  async displayNames(db: Db, usernames: string[]): Promise<Record<string, string>> {
    if (!usernames.length) return {};
    const rows = await db('app_user').whereIn('username', usernames).select('username', 'display_name');
    return Object.fromEntries(rows.map((r: Row) => [r.username as string, (r.display_name as string) || (r.username as string)]));
  },

  async lastEventOf(db: Db, taskId: string, kind: string): Promise<Row | undefined> {
    return db('task_event').where({ task_id: taskId, kind }).orderBy('id', 'desc').first();
  },

  async insertEvent(db: Db, e: Row): Promise<void> {
    await db('task_event').insert(e);
  },

  async eventsOf(db: Db, instanceId: string): Promise<Row[]> {
    return db('task_event').where('instance_id', instanceId).orderBy('at').orderBy('id');
  },

  async dossierFacts(db: Db, instanceIds: string[]): Promise<Row[]> {
    if (!instanceIds.length) return [];
    return db('task_dossier').whereIn('instance_id', instanceIds);
  },

  async upsertDossier(db: Db, row: Row): Promise<void> {
    await db('task_dossier').insert({ ...row, updated_at: new Date() }).onConflict('instance_id').merge();
  },

  /** Instances and the variables the fallback projection reads (dossiers started straight through the engine). */
  async instanceFacts(db: Db, instanceIds: string[], names: string[]): Promise<{ instances: Row[]; variables: Row[]; dossiers: Row[] }> {
    if (!instanceIds.length) return { instances: [], variables: [], dossiers: [] };
    const [instances, variables] = await Promise.all([
      db('engine_instance as i').leftJoin('engine_definition as f', 'f.id', 'i.definition_id').whereIn('i.id', instanceIds)
        .select('i.id', 'i.business_key', 'i.unit_id', 'i.start_time', 'i.state', 'i.definition_key', 'f.name as definition_name'),
      db('engine_variable').whereIn('instance_id', instanceIds).whereIn('name', names).select('instance_id', 'name', 'type', 'value'),
    ]);
    // A platform process next to the dossier's own (its watch: the apology task) shares its business key, the dossier code.
    const codes = instances.map((i: Row) => i.business_key as string | null).filter((c): c is string => Boolean(c));
    const dossiers = await db('dossier as x').leftJoin('procedure as p', 'p.id', 'x.procedure_id')
      .where((q) => { void q.whereIn('x.instance_id', instanceIds); if (codes.length) void q.orWhereIn('x.code', codes); })
      .select('x.instance_id', 'x.id', 'x.code', 'x.applicant', 'x.received_at', 'x.filed_at', 'x.due_at', 'x.paused_at', 'x.status', 'x.unit_id', 'p.code as procedure_code', 'p.name as procedure_name');
    return { instances, variables, dossiers };
  },
};
