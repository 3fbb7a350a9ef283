import type { Knex } from 'knex';
import { formatLocal, parseBudget, type WorkingCalendar } from '../calendar/index.js';
import type { Principal } from '../http/policy.js';
import type { SosRow } from '../sos/index.js';
import { taskError } from './messages.js';
import type { EngineTaskRow, TaskEventRow } from './store.js';

/** The instance a timeline is built for. */
type InstanceHead = { id: string; unit_id: string | null; business_key: string | null; state: string; definition_id: string };
/** engine_history rows (migrations/0300_engine.ts) as the timeline selects them. */
interface HistoryRow { kind: string; activity_id: string | null; activity_type: string | null; activity_name: string | null; task_id: string | null; user_id: string | null; at: Date }
/** Who handed over a step, as `hand` reads it (a tasklist completion, or the engine's history for /engine-rest ones). */
type Completion = Pick<TaskEventRow, 'at' | 'actor'> & Partial<Pick<TaskEventRow, 'actor_name' | 'actor_unit' | 'outcome' | 'comment' | 'documents'>>;

export type Punctuality = 'early' | 'on-time' | 'late';

/** One step's hand-over: received (nhận) when the task was created, handed over (giao) when completed. */
export interface HandOver {
  taskId: string;
  stepKey: string;
  stepName: string | null;
  receivedAt: string;
  /** Null while the step is still open. */
  handedOverAt: string | null;
  by: string | null;
  byName: string | null;
  unitId: string | null;
  /** The unit's name, for people reading the timeline (the id stays for programs). */
  unitName: string | null;
  /** Who holds the step now, while it is open. */
  assignee: string | null;
  dueAt: string | null;
  budget: string | null;
  spent: { workingHours: number; workingDays: number } | null;
  punctuality: Punctuality | null;
  outcome: string | null;
  comment: string | null;
  documents: Array<{ id: string; name: string }>;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  by: string | null;
  /** The actor's and the unit's names for people, where the source knows them. */
  byName?: string | null;
  unitId: string | null;
  unitName?: string | null;
  stepKey?: string | null;
  stepName?: string | null;
  outcome?: string | null;
  comment?: string | null;
  targetUser?: string | null;
  documents?: Array<{ id: string; name: string }>;
}

export interface Timeline {
  instanceId: string;
  /** The dossier this instance runs (null for instances started outside reception). */
  dossierId: string | null;
  code: string | null;
  unitId: string | null;
  state: string;
  handOvers: HandOver[];
  entries: TimelineEntry[];
  /** Activity ids finished / waiting now, and the sequence of activities taken (for the diagram). */
  path: { finished: string[]; current: string[]; overdue: string[]; taken: string[] };
  definitionId: string;
}

const round = (n: number) => Math.round(n * 10) / 10;
/** The documents a step cited: jsonb (parsed by the driver, or text on an older row). */
const documentsOf = (v: TaskEventRow['documents'] | string | undefined): HandOver['documents'] | undefined =>
  (v ? (typeof v === 'string' ? JSON.parse(v) as HandOver['documents'] : v) : undefined);
const dayOf = (d: Date) => formatLocal(d).slice(0, 10);

/** Early: handed over on a day before the due day; on time: by the due instant; late: after it. */
export function punctuality(handedOver: Date, due: Date | null): Punctuality | null {
  if (!due) return null;
  if (handedOver.getTime() > due.getTime()) return 'late';
  return dayOf(handedOver) < dayOf(due) ? 'early' : 'on-time';
}

/**
 * A dossier's timeline from the engine's history (tasks created and completed, activities) and the
 * tasklist's own records (claims, assignments with reasons, outcomes, comments, documents) and SOS.
 * `extra` lets other capabilities add their entries (status changes, consultations) without this
 * module knowing them.
 */
export function createTimeline(deps: {
  knex: Knex;
  calendar: WorkingCalendar;
  units: { visibleUnitIds(p: Pick<Principal, 'roles'>): Promise<string[] | 'all'> };
  extra?: Array<(instanceId: string) => Promise<TimelineEntry[]>>;
}) {
  const { knex, calendar } = deps;

  /** A dossier id (as the dossier capability records it) or a process instance id. */
  async function resolveInstance(id: string): Promise<InstanceHead> {
    const uuid = /^[0-9a-f-]{36}$/i.test(id);
    // A dossier id or code (the dossier capability's row), else a process instance id.
    const byDossier = await knex('dossier').where('code', id).modify((b) => { if (uuid) b.orWhere('id', id); }).first<{ instance_id: string | null } | undefined>('instance_id');
    const instanceId = byDossier?.instance_id ?? (uuid ? id : null);
    const i = instanceId ? await knex('engine_instance').where('id', instanceId).first<InstanceHead | undefined>('id', 'unit_id', 'business_key', 'state', 'definition_id') : null;
    if (!i) throw taskError(404, 'NotFound', 'tasks.dossierNotFound', { id });
    return i;
  }

  async function mayRead(p: Principal, i: InstanceHead): Promise<boolean> {
    const visible = await deps.units.visibleUnitIds(p);
    if (visible === 'all' || (i.unit_id && visible.includes(i.unit_id))) return true;
    return !!(await knex<TaskEventRow>('task_event').where({ instance_id: i.id, actor: p.username }).first('id'));
  }

  async function build(i: InstanceHead): Promise<Timeline> {
    const [hist, events, sos, open, facts] = await Promise.all([
      knex('engine_history').where('instance_id', i.id).whereIn('kind', ['task-created', 'task-completed', 'activity-start', 'activity-end']).orderBy('at').orderBy('id')
        .select<HistoryRow[]>('kind', 'activity_id', 'activity_type', 'activity_name', 'task_id', 'user_id', 'at'),
      knex<TaskEventRow>('task_event').where('instance_id', i.id).orderBy('at').orderBy('id'),
      knex<SosRow>('sos').where('instance_id', i.id).orderBy('raised_at'),
      knex<EngineTaskRow>('engine_task').where('instance_id', i.id).select('id', 'task_definition_key', 'name', 'created', 'due', 'unit_id', 'assignee'),
      knex('task_dossier').where('instance_id', i.id).first<{ code: string | null; dossier_id: string | null } | undefined>('code', 'dossier_id'),
    ]);
    const completedBy = new Map<string, TaskEventRow>();
    for (const e of events) if (e.kind === 'completed') completedBy.set(e.task_id, e);
    const handOvers: HandOver[] = [];
    const now = new Date();
    const hand = (taskId: string, key: string, name: string | null, created: Date, due: Date | null, budget: string | null, done: Completion | undefined, unitId: string | null): HandOver => {
      const end = done ? new Date(done.at) : null;
      const spent = calendar.workingTimeBetween(created, end ?? now, unitId ?? undefined);
      const docs = documentsOf(done?.documents) ?? [];
      return {
        taskId, stepKey: key, stepName: name, receivedAt: created.toISOString(), handedOverAt: end?.toISOString() ?? null,
        by: done?.actor ?? null, byName: done?.actor_name ?? null, unitId: done?.actor_unit ?? unitId, unitName: null, assignee: null, dueAt: due?.toISOString() ?? null, budget,
        spent: { workingHours: round(spent.workingHours), workingDays: round(spent.workingDays) },
        punctuality: end ? punctuality(end, due) : (due && now > due ? 'late' : null), outcome: done?.outcome ?? null, comment: done?.comment ?? null, documents: docs,
      };
    };
    for (const e of events.filter((x) => x.kind === 'completed')) {
      handOvers.push(hand(e.task_id, e.step_key, e.step_name, new Date(e.task_created ?? e.at), e.task_due ? new Date(e.task_due) : null, e.budget, e, e.unit_id));
    }
    // Completions through /engine-rest (no tasklist record) still count as hand-overs.
    const created = new Map(hist.filter((h) => h.kind === 'task-created').map((h) => [h.task_id, h]));
    for (const h of hist.filter((x) => x.kind === 'task-completed' && !completedBy.has(x.task_id ?? ''))) {
      const c = created.get(h.task_id);
      handOvers.push(hand(h.task_id ?? '', h.activity_id ?? '', h.activity_name ?? null, new Date(c?.at ?? h.at), null, null, { at: h.at, actor: h.user_id ?? '' }, i.unit_id));
    }
    for (const t of open) handOvers.push({ ...hand(t.id, t.task_definition_key, t.name, new Date(t.created), t.due ? new Date(t.due) : null, null, undefined, t.unit_id), assignee: t.assignee ?? null });
    handOvers.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    const unitIds = [...new Set(handOvers.map((x) => x.unitId).filter((x): x is string => !!x))];
    const unitNames = new Map<string, string>(unitIds.length ? (await knex('org_unit').whereIn('id', unitIds).select<Array<{ id: string; name: string }>>('id', 'name')).map((u) => [u.id, u.name]) : []);
    for (const x of handOvers) x.unitName = x.unitId ? unitNames.get(x.unitId) ?? null : null;

    const entries: TimelineEntry[] = [
      ...events.map((e): TimelineEntry => ({
        at: new Date(e.at).toISOString(), kind: e.kind, by: e.actor, unitId: e.actor_unit, stepKey: e.step_key, stepName: e.step_name,
        outcome: e.outcome, comment: e.comment, targetUser: e.target_user,
        documents: documentsOf(e.documents),
      })),
      ...hist.filter((h) => h.kind === 'task-created').map((h) => ({ at: new Date(h.at).toISOString(), kind: 'task-created', by: null, unitId: i.unit_id, stepKey: h.activity_id })),
      ...sos.flatMap((s): TimelineEntry[] => [
        { at: new Date(s.raised_at).toISOString(), kind: 'sos-raised', by: s.raised_by, unitId: s.unit_id, comment: s.reason },
        ...(s.resolved_at ? [{ at: new Date(s.resolved_at).toISOString(), kind: 'sos-resolved', by: s.resolved_by, unitId: s.unit_id, comment: s.action }] : []),
      ]),
    ];
    for (const source of deps.extra ?? []) entries.push(...(await source(i.id)));
    entries.sort((a, b) => a.at.localeCompare(b.at));

    const present = (x: string | null): x is string => Boolean(x);
    const finished = [...new Set(hist.filter((h) => h.kind === 'activity-end' || h.kind === 'task-completed').map((h) => h.activity_id).filter(present))];
    const taken = hist.filter((h) => h.kind === 'activity-start' || h.kind === 'task-created').map((h) => h.activity_id).filter(present);
    const current = open.map((t) => t.task_definition_key);
    const overdue = [
      ...open.filter((t) => t.due && now > new Date(t.due)).map((t) => t.task_definition_key),
      ...handOvers.filter((h) => h.punctuality === 'late').map((h) => h.stepKey),
    ];
    return {
      instanceId: i.id, dossierId: facts?.dossier_id ?? null, code: facts?.code ?? i.business_key ?? null, unitId: i.unit_id, state: i.state, handOvers, entries,
      path: { finished, current, overdue: [...new Set(overdue)], taken }, definitionId: i.definition_id,
    };
  }

  return {
    resolveInstance,
    /** The timeline, for a caller who may read the dossier (its unit or above, or someone who worked on it). */
    async forReader(p: Principal, id: string): Promise<Timeline> {
      const i = await resolveInstance(id);
      if (!(await mayRead(p, i))) throw taskError(404, 'NotFound', 'tasks.dossierNotFound', { id });
      return build(i);
    },
    build,
    budgetOf: (text: string | null) => (text ? parseBudget(text) ?? null : null),
  };
}
export type TimelineService = ReturnType<typeof createTimeline>;
