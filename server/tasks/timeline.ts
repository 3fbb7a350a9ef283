import type { Knex } from 'knex';
import { formatLocal, parseBudget, type WorkingCalendar } from '../calendar/index.js';
import type { Principal } from '../http/policy.js';
import { taskError } from './messages.js';

type Row = Record<string, any>;

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
  async function resolveInstance(id: string): Promise<Row> {
    const uuid = /^[0-9a-f-]{36}$/i.test(id);
    // A dossier id or code (the dossier capability's row), else a process instance id.
    const byDossier = await knex('dossier').where('code', id).modify((b) => { if (uuid) b.orWhere('id', id); }).first('instance_id');
    const instanceId = byDossier?.instance_id ?? (uuid ? id : null);
    const i = instanceId ? await knex('engine_instance').where('id', instanceId).first('id', 'unit_id', 'business_key', 'state', 'definition_id') : null;
    if (!i) throw taskError(404, 'NotFound', 'tasks.dossierNotFound', { id });
    return i;
  }

  async function mayRead(p: Principal, i: Row): Promise<boolean> {
    const visible = await deps.units.visibleUnitIds(p);
    if (visible === 'all' || (i.unit_id && visible.includes(i.unit_id))) return true;
    return !!(await knex('task_event').where({ instance_id: i.id, actor: p.username }).first('id'));
  }

  async function build(i: Row): Promise<Timeline> {
    const [hist, events, sos, open, facts] = await Promise.all([
      knex('engine_history').where('instance_id', i.id).whereIn('kind', ['task-created', 'task-completed', 'activity-start', 'activity-end']).orderBy('at').orderBy('id')
        .select('kind', 'activity_id', 'activity_type', 'activity_name', 'task_id', 'user_id', 'at'),
      knex('task_event').where('instance_id', i.id).orderBy('at').orderBy('id'),
      knex('sos').where('instance_id', i.id).orderBy('raised_at'),
      knex('engine_task').where('instance_id', i.id).select('id', 'task_definition_key', 'name', 'created', 'due', 'unit_id', 'assignee'),
      knex('task_dossier').where('instance_id', i.id).first('code', 'dossier_id'),
    ]);
    const completedBy = new Map<string, Row>();
    for (const e of events) if (e.kind === 'completed') completedBy.set(e.task_id, e);
    const handOvers: HandOver[] = [];
    const now = new Date();
    const hand = (taskId: string, key: string, name: string | null, created: Date, due: Date | null, budget: string | null, done: Row | undefined, unitId: string | null): HandOver => {
      const end = done ? new Date(done.at) : null;
      const spent = calendar.workingTimeBetween(created, end ?? now, unitId ?? undefined);
      const docs = done?.documents ? (typeof done.documents === 'string' ? JSON.parse(done.documents) : done.documents) : [];
      return {
        taskId, stepKey: key, stepName: name, receivedAt: created.toISOString(), handedOverAt: end?.toISOString() ?? null,
        by: done?.actor ?? null, byName: done?.actor_name ?? null, unitId: done?.actor_unit ?? unitId, unitName: null, assignee: null, dueAt: due?.toISOString() ?? null, budget,
        spent: { workingHours: round(spent.workingHours), workingDays: round(spent.workingDays) },
        punctuality: end ? punctuality(end, due) : (due && now > due ? 'late' : null), outcome: done?.outcome ?? null, comment: done?.comment ?? null, documents: docs,
      };
    };
    for (const e of events.filter((x: Row) => x.kind === 'completed')) {
      handOvers.push(hand(e.task_id, e.step_key, e.step_name, new Date(e.task_created), e.task_due ? new Date(e.task_due) : null, e.budget, e, e.unit_id));
    }
    // Completions through /engine-rest (no tasklist record) still count as hand-overs.
    const created = new Map<string, Row>(hist.filter((h: Row) => h.kind === 'task-created').map((h: Row) => [h.task_id, h]));
    for (const h of hist.filter((x: Row) => x.kind === 'task-completed' && !completedBy.has(x.task_id))) {
      const c = created.get(h.task_id);
      handOvers.push(hand(h.task_id, h.activity_id, h.activity_name ?? null, new Date(c?.at ?? h.at), null, null, { at: h.at, actor: h.user_id }, i.unit_id));
    }
    for (const t of open) handOvers.push({ ...hand(t.id, t.task_definition_key, t.name, new Date(t.created), t.due ? new Date(t.due) : null, null, undefined, t.unit_id), assignee: t.assignee ?? null });
    handOvers.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    const unitIds = [...new Set(handOvers.map((x) => x.unitId).filter((x): x is string => !!x))];
    const unitNames = new Map<string, string>(unitIds.length ? (await knex('org_unit').whereIn('id', unitIds).select('id', 'name')).map((u: Row) => [u.id as string, u.name as string]) : []);
    for (const x of handOvers) x.unitName = x.unitId ? unitNames.get(x.unitId) ?? null : null;

    const entries: TimelineEntry[] = [
      ...events.map((e: Row) => ({
        at: new Date(e.at).toISOString(), kind: e.kind, by: e.actor, unitId: e.actor_unit, stepKey: e.step_key, stepName: e.step_name,
        outcome: e.outcome, comment: e.comment, targetUser: e.target_user,
        documents: e.documents ? (typeof e.documents === 'string' ? JSON.parse(e.documents) : e.documents) : undefined,
      })),
      ...hist.filter((h: Row) => h.kind === 'task-created').map((h: Row) => ({ at: new Date(h.at).toISOString(), kind: 'task-created', by: null, unitId: i.unit_id, stepKey: h.activity_id })),
      ...sos.flatMap((s: Row) => [
        { at: new Date(s.raised_at).toISOString(), kind: 'sos-raised', by: s.raised_by, unitId: s.unit_id, comment: s.reason },
        ...(s.resolved_at ? [{ at: new Date(s.resolved_at).toISOString(), kind: 'sos-resolved', by: s.resolved_by, unitId: s.unit_id, comment: s.action }] : []),
      ]),
    ];
    for (const source of deps.extra ?? []) entries.push(...(await source(i.id)));
    entries.sort((a, b) => a.at.localeCompare(b.at));

    const finished = [...new Set(hist.filter((h: Row) => h.kind === 'activity-end' || h.kind === 'task-completed').map((h: Row) => h.activity_id as string).filter(Boolean))];
    const taken = hist.filter((h: Row) => h.kind === 'activity-start' || h.kind === 'task-created').map((h: Row) => h.activity_id as string).filter(Boolean);
    const current = open.map((t: Row) => t.task_definition_key as string);
    const overdue = [
      ...open.filter((t: Row) => t.due && now > new Date(t.due)).map((t: Row) => t.task_definition_key as string),
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
