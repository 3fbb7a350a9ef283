import type { Knex } from 'knex';
import { dueState, parseBudget, type WorkingCalendar } from '../calendar/index.js';
import { isEngineError, type EngineService } from '../engine/index.js';
import { taskScopeOf } from '../engine-rest/index.js';
import { ApiError, onField } from '../http/errors.js';
import type { Principal } from '../http/policy.js';
import { foldText } from '../text/fold.js';
import { projectFromEngine } from './dossier-facts.js';
import type { Outcome, StepCatalog } from './outcomes.js';
import * as tasksStore from './store.js';
import type { DoneLine, EngineTaskRow, NewTaskEvent, OpenLine, StepRef, TaskFilter, Tab, Viewer } from './store.js';
import { taskError } from './messages.js';

/** A line of any tab (open task or completion), merged with its dossier facts once projected. */
type TaskLine = Partial<OpenLine & DoneLine> & Pick<OpenLine, 'instance_id'>;
/** What decides whether a viewer may act on a task. */
type Offer = Partial<Pick<EngineTaskRow, 'assignee' | 'unit_id' | 'candidate_users' | 'candidate_groups'>>;

interface NearDue {
  /** Near due with at most this many working days left (default 1)… */
  workingDays: number;
  /** …or at most this share of the step's budget left (default 0.2). */
  ratio: number;
}

export interface TasksDeps {
  knex: Knex;
  engine: EngineService;
  calendar: WorkingCalendar;
  steps: StepCatalog;
  units: {
    visibleUnitIds(p: Pick<Principal, 'roles'>): Promise<string[] | 'all'>;
    candidateUsers(group: string, unitId: string): Promise<string[]>;
  };
  nearDue?: Partial<NearDue>;
  /** Display names of users, for the hand-over records. */
  displayName?: (username: string) => Promise<string | null>;
}

export type DueColour = 'on-time' | 'near-due' | 'overdue' | 'paused' | 'none';

export interface TaskView {
  id: string;
  dossierId: string | null;
  instanceId: string;
  code: string | null;
  procedure: { code: string | null; name: string | null };
  step: { key: string; name: string | null; budget: string | null };
  applicant: string | null;
  unitId: string | null;
  assignee: string | null;
  receivedAt: string | null;
  createdAt: string;
  stepDueAt: string | null;
  dossierDueAt: string | null;
  timeLeft: { workingHours: number; workingDays: number } | null;
  state: DueColour;
  dossierState: DueColour;
  paused: boolean;
  readOnly: boolean;
  completedAt?: string;
  outcome?: string | null;
}

export interface ListResult {
  tab: Tab;
  items: TaskView[];
  total: number;
  page: number;
  pageSize: number;
  counts: Record<Tab, number>;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const actsOnAll = (p: Principal) => p.kind === 'service' || p.roles.some((r) => r.role === 'system-admin' || r.role === 'service');
const round = (n: number) => Math.round(n * 10) / 10;

export function createTasksService(deps: TasksDeps) {
  const { knex, engine, calendar, steps } = deps;
  const near: NearDue = { workingDays: deps.nearDue?.workingDays ?? 1, ratio: deps.nearDue?.ratio ?? 0.2 };

  /** The steps of open tasks in the viewer's units (indexed by unit: a unit's tasks, not every task) and of their completions. */
  function stepsOfViewer(viewer: Viewer): Promise<StepRef[]> {
    const units = viewer.all || viewer.overseeAll ? 'all' as const : [...new Set([...viewer.unitRoles.map((r) => r.unitId), ...viewer.overseenUnitIds])];
    return tasksStore.stepNames(knex, viewer.username, units);
  }

  async function viewerOf(p: Principal): Promise<Viewer> {
    const all = actsOnAll(p);
    const visible = await deps.units.visibleUnitIds(p);
    const oversees = p.roles.some((r) => r.role === 'leader' || r.role === 'inspector');
    return {
      username: p.username,
      unitRoles: p.roles.map((r) => ({ role: r.role, unitId: r.unitId })),
      overseeAll: oversees && visible === 'all',
      overseenUnitIds: oversees && visible !== 'all' ? visible : [],
      all,
    };
  }

  function colour(due: Date | null, budget: string | null, unitId: string | null, paused: boolean, now: Date): { state: DueColour; remainingMs: number | null } {
    if (!due) return { state: paused ? 'paused' : 'none', remainingMs: null };
    const limit = parseBudget(budget ?? '') ?? { workingHours: 0 };
    const r = dueState(calendar, { dueAt: due, limit, unitId: unitId ?? undefined, pausedAt: paused ? now : undefined }, now, near);
    return { state: r.state, remainingMs: r.remainingMs };
  }

  async function toView(r: TaskLine, now: Date, readOnly: boolean): Promise<TaskView> {
    const stepKey = r.task_definition_key ?? r.step_key ?? '';
    const none: { budget?: string; outcomes: Outcome[] } = { outcomes: [] };
    const info = r.definition_id ? await steps.step(r.definition_id, stepKey).catch(() => none) : none;
    const budget = info.budget ?? r.budget ?? null;
    // The dossier's own row is the live clock (paused, extended); the projection is the fallback.
    if (r.dos_id) { r.due_at = r.dos_due_at; r.paused = !!r.dos_paused_at; r.dossier_id = r.dos_id; }
    const paused = !!r.paused;
    const unit = r.unit_id ?? null;
    const stepDue = r.due ?? r.task_due ?? null;
    const step = colour(stepDue ? new Date(stepDue) : null, budget, unit, paused, now);
    const dossier = colour(r.due_at ? new Date(r.due_at) : null, null, unit, paused, now);
    const day = calendar.limitMs({ workingDays: 1 }, unit ?? undefined);
    return {
      id: r.id ?? r.task_id ?? '',
      dossierId: r.dossier_id ?? null,
      instanceId: r.instance_id,
      code: r.code ?? r.business_key ?? null,
      procedure: { code: r.procedure_code ?? null, name: r.procedure_name ?? null },
      step: { key: stepKey, name: r.name ?? r.step_name ?? null, budget },
      applicant: r.applicant_masked ?? null,
      unitId: unit,
      assignee: r.assignee ?? null,
      receivedAt: iso(r.received_at),
      createdAt: iso(r.created ?? r.task_created)!,
      stepDueAt: iso(stepDue),
      dossierDueAt: iso(r.due_at),
      timeLeft: step.remainingMs === null ? null : { workingHours: round(step.remainingMs / 3_600_000), workingDays: round(step.remainingMs / day) },
      state: step.state,
      dossierState: dossier.state,
      paused,
      readOnly,
    };
  }

  async function fillFacts(rows: TaskLine[]): Promise<void> {
    const missing = [...new Set(rows.filter((r) => !r.d_instance).map((r) => r.instance_id))];
    if (!missing.length) return;
    const facts = await projectFromEngine(knex, missing);
    for (const r of rows) {
      const f = facts.get(r.instance_id);
      if (f && !r.d_instance) Object.assign(r, { ...f, d_instance: r.instance_id, unit_id: r.unit_id ?? f.unit_id });
    }
  }

  function isActionable(v: Viewer, t: Offer): boolean {
    if (v.all) return true;
    if (t.assignee === v.username) return true;
    if (t.assignee) return false;
    if (t.candidate_users?.includes(v.username)) return true;
    return v.unitRoles.some((ur) => ur.unitId === t.unit_id && !!t.candidate_groups?.includes(ur.role));
  }

  const holds = (p: Principal, roles: string[], unitId: string | null) => p.roles.some((r) => roles.includes(r.role) && r.unitId === unitId);

  /** The open task, or 409 if someone already completed it, or 404 if it never was (or is not the caller's to see). */
  async function openTask(id: string): Promise<EngineTaskRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw taskError(404, 'NotFound', 'tasks.notFound', { id });
    const t = await tasksStore.taskById(knex, id);
    if (t) return t;
    throw await goneOrMissing(id);
  }

  async function goneOrMissing(id: string): Promise<ApiError> {
    const done = await knex('engine_history').where({ task_id: id, kind: 'task-completed' }).first<{ user_id: string | null; at: Date } | undefined>('user_id', 'at');
    if (done) {
      const details = { completedBy: done.user_id, at: iso(done.at) };
      return done.user_id ? taskError(409, 'Conflict', 'tasks.alreadyCompleted', { by: done.user_id }, details) : taskError(409, 'Conflict', 'tasks.alreadyCompletedByOther', {}, details);
    }
    return taskError(404, 'NotFound', 'tasks.notFound', { id });
  }

  async function record(p: Principal, t: EngineTaskRow, kind: string, extra: Partial<NewTaskEvent> = {}): Promise<void> {
    const unit = p.roles.find((r) => r.unitId === t.unit_id)?.unitId ?? p.roles[0]?.unitId ?? null;
    const step = await steps.step(t.definition_id, t.task_definition_key).catch(() => ({ budget: undefined }));
    await tasksStore.insertEvent(knex, {
      task_id: t.id, instance_id: t.instance_id, business_key: t.business_key, unit_id: t.unit_id, step_key: t.task_definition_key,
      step_name: t.name, kind, actor: p.username, actor_name: p.displayName ?? null, actor_unit: unit,
      task_created: t.created, task_due: t.due, budget: (step as { budget?: string }).budget ?? null, at: new Date(), ...extra,
    });
  }

  const engineError = async (err: unknown, id: string): Promise<never> => {
    if (isEngineError(err)) {
      if (err.kind === 'NotFound') throw await goneOrMissing(id);
      if (err.kind === 'HeldByOther') {
        const t = await tasksStore.taskById(knex, id);
        throw t?.assignee ? taskError(409, 'Conflict', 'tasks.alreadyClaimed', { by: t.assignee }, { assignee: t.assignee }) : taskError(409, 'Conflict', 'tasks.alreadyClaimedByOther', {}, { assignee: null });
      }
      if (err.kind === 'NotWaiting') throw await goneOrMissing(id).then((e) => (e.status === 404 ? taskError(409, 'Conflict', 'tasks.noLongerOpen') : e));
    }
    throw err;
  };

  return {
    near,
    viewerOf,

    /** The step names the step filter offers: of open tasks in the caller's units, and of the steps they completed. */
    async stepNames(p: Principal): Promise<StepRef[]> {
      const rows = await stepsOfViewer(await viewerOf(p));
      return rows.sort((a, b) => (a.name ?? a.key).localeCompare(b.name ?? b.key, 'vi'));
    },

    /** `filter.step`: a step's id, or part of its name with or without accents ("tham dinh" finds "Thẩm định hồ sơ"). */
    async list(p: Principal, tab: Tab, filter: Omit<TaskFilter, 'steps'> & { step?: string }, page: number, pageSize: number): Promise<ListResult> {
      const viewer = await viewerOf(p);
      const now = new Date();
      const nearCutoff = calendar.add(now, { workingDays: near.workingDays });
      const { step, ...rest } = filter;
      const f: TaskFilter = { ...rest, applicant: filter.applicant ? foldText(filter.applicant) : undefined };
      if (step?.trim()) {
        const folded = foldText(step);
        const known = await stepsOfViewer(viewer);
        f.steps = known.filter((s) => s.key === step.trim() || (!!folded && foldText(s.name ?? '').includes(folded)));
      }
      // Filters read the projected dossier facts: project what is still missing in the caller's units first.
      if (f.applicant || f.code || f.receivedFrom || f.receivedTo || f.procedure) {
        const units = viewer.all || viewer.overseeAll ? 'all' as const : [...new Set([...viewer.unitRoles.map((r) => r.unitId), ...viewer.overseenUnitIds])];
        const missing = await tasksStore.unprojected(knex, units);
        if (missing.length) await projectFromEngine(knex, missing);
      }
      const args = { viewer, filter: f, now, nearCutoff, offset: (page - 1) * pageSize, limit: pageSize };
      const [open, done, doneCount] = await Promise.all([
        tasksStore.countOpen(knex, args),
        tab === 'done' ? tasksStore.listDone(knex, args) : tasksStore.listOpen(knex, { ...args, tab }),
        tasksStore.countDone(knex, viewer.username),
      ]);
      const lines: TaskLine[] = done.rows;
      if (tab !== 'done') await fillFacts(lines);
      const items: TaskView[] = [];
      for (const r of lines) {
        const v = await toView(r, now, tab === 'done' || !isActionable(viewer, r));
        if (tab === 'done') { v.completedAt = iso(r.at)!; v.outcome = r.outcome ?? null; v.state = 'none'; v.timeLeft = null; }
        items.push(v);
      }
      return { tab, items, total: done.total, page, pageSize, counts: { ...open, done: doneCount } };
    },

    /** One open task with what the caller may do on it and the outcomes its step declares. */
    async get(p: Principal, id: string): Promise<{ task: TaskView; outcomes: Outcome[]; actions: string[]; candidates: string[]; people: Array<{ username: string; displayName: string }> }> {
      const t = await openTask(id);
      const viewer = await viewerOf(p);
      const visible = await deps.units.visibleUnitIds(p);
      const canSee = isActionable(viewer, t) || t.assignee === p.username || visible === 'all' || (t.unit_id && visible.includes(t.unit_id))
        || holds(p, ['division-head'], t.unit_id);
      if (!canSee) throw taskError(404, 'NotFound', 'tasks.notFound', { id });
      const facts = (await tasksStore.dossierFacts(knex, [t.instance_id]))[0];
      const rows: TaskLine[] = [{ ...t, ...(facts ?? {}), d_instance: facts ? t.instance_id : undefined, unit_id: t.unit_id }];
      await fillFacts(rows);
      const acts = isActionable(viewer, t) && p.permissions.has('engine:task');
      const view = await toView(rows[0]!, new Date(), !acts);
      const step = await steps.step(t.definition_id, t.task_definition_key);
      const actions: string[] = [];
      if (acts && !t.assignee) actions.push('claim');
      if (acts) actions.push('complete');
      if (t.assignee && (t.assignee === p.username || holds(p, ['division-head', 'leader'], t.unit_id) || viewer.all)) actions.push('unclaim');
      const assigns = viewer.all || holds(p, ['division-head'], t.unit_id);
      if (assigns) actions.push('assign');
      const candidates = assigns ? await this.candidates(t) : [];
      const names = await tasksStore.displayNames(knex, candidates);
      return { task: view, outcomes: step.outcomes, actions, candidates, people: candidates.map((u) => ({ username: u, displayName: names[u] ?? u })) };
    },

    async candidates(t: Pick<EngineTaskRow, 'unit_id' | 'candidate_users' | 'candidate_groups'>): Promise<string[]> {
      const out = new Set<string>();
      // Groups are offered within the task's unit: a task without a unit has no group candidates.
      if (t.unit_id) for (const g of t.candidate_groups) for (const u of await deps.units.candidateUsers(g, t.unit_id)) out.add(u);
      for (const u of t.candidate_users) out.add(u);
      return [...out].sort();
    },

    async claim(p: Principal, id: string): Promise<void> {
      const t = await openTask(id);
      const viewer = await viewerOf(p);
      if (!isActionable(viewer, { ...t, assignee: null })) throw taskError(404, 'NotFound', 'tasks.notFound', { id });
      if (t.assignee && t.assignee !== p.username) throw taskError(409, 'Conflict', 'tasks.alreadyClaimed', { by: t.assignee }, { assignee: t.assignee });
      if (t.assignee === p.username) return;
      await engine.claimTask(id, p.username, taskScopeOf(p)).catch((e) => engineError(e, id));
      await record(p, t, 'claimed', { target_user: p.username });
    },

    async unclaim(p: Principal, id: string): Promise<void> {
      const t = await openTask(id);
      if (!t.assignee) return;
      if (t.assignee !== p.username && !holds(p, ['division-head', 'leader'], t.unit_id) && !actsOnAll(p)) {
        throw taskError(403, 'Forbidden', 'tasks.mayNotRelease');
      }
      await engine.setAssignee(id, null, p.username, { all: true }).catch((e) => engineError(e, id));
      await record(p, t, 'unclaimed', { target_user: t.assignee });
    },

    /** "Phân công": a division head of the task's unit assigns it to a person of that unit holding the role; reassigning needs a reason. */
    async assign(p: Principal, id: string, input: { username: string; reason?: string; expectedAssignee?: string | null }): Promise<void> {
      const t = await openTask(id);
      if (!actsOnAll(p) && !holds(p, ['division-head'], t.unit_id)) {
        const visible = await deps.units.visibleUnitIds(p);
        if (visible !== 'all' && !(t.unit_id && visible.includes(t.unit_id))) throw taskError(404, 'NotFound', 'tasks.notFound', { id });
        throw taskError(403, 'Forbidden', 'tasks.mayNotAssign');
      }
      if (input.expectedAssignee !== undefined && (input.expectedAssignee ?? null) !== (t.assignee ?? null)) {
        throw t.assignee ? taskError(409, 'Conflict', 'tasks.justReassigned', { to: t.assignee }, { assignee: t.assignee }) : taskError(409, 'Conflict', 'tasks.justReleased', {}, { assignee: null });
      }
      const candidates = await this.candidates(t);
      if (!candidates.includes(input.username)) {
        throw taskError(400, 'NotACandidate', 'tasks.notACandidate', { username: input.username, roles: t.candidate_groups.join(', '), unit: t.unit_id ?? '' });
      }
      const reassign = !!t.assignee && t.assignee !== input.username;
      if (reassign && !input.reason?.trim()) throw onField(taskError(400, 'InvalidRequestException', 'tasks.reassignReason'), 'body.reason');
      if (t.assignee === input.username) return;
      await engine.setAssignee(id, input.username, p.username, { all: true }).catch((e) => engineError(e, id));
      await record(p, t, reassign ? 'reassigned' : 'assigned', { target_user: input.username, comment: input.reason?.trim() || null });
    },

    /**
     * Completes the step with an outcome it declares: the process receives `outcome` (and `outcomeComment`) as variables.
     * `extra` are variables a capability has already validated for this step (the signed apology of form 04).
     */
    async complete(p: Principal, id: string, input: { outcome?: string; comment?: string; documents?: Array<{ id: string; name: string }> }, extra: Record<string, { value: unknown; type: string }> = {}): Promise<{ outcome: string | null }> {
      const t = await openTask(id);
      const viewer = await viewerOf(p);
      // Someone outside the task's unit and roles learns nothing about it, not even who holds it.
      if (!isActionable(viewer, t) && !isActionable(viewer, { ...t, assignee: null })) throw taskError(404, 'NotFound', 'tasks.notFound', { id });
      if (t.assignee && t.assignee !== p.username && !viewer.all) {
        throw taskError(409, 'Conflict', 'tasks.assignedToOther', { by: t.assignee }, { assignee: t.assignee });
      }
      const step = await steps.step(t.definition_id, t.task_definition_key);
      const comment = input.comment?.trim() || null;
      let outcome: Outcome | null = null;
      if (step.outcomes.length) {
        if (!input.outcome) throw onField(taskError(400, 'InvalidRequestException', 'tasks.outcomeRequired', { outcomes: step.outcomes.map((o) => o.key).join(', ') }), 'body.outcome');
        outcome = step.outcomes.find((o) => o.key === input.outcome) ?? null;
      }
      if (input.outcome && !outcome) {
        const named = { step: t.name ?? t.task_definition_key, outcome: input.outcome, allowed: step.outcomes.map((o) => o.key).join(', ') };
        throw taskError(400, 'UnknownOutcome', step.outcomes.length ? 'tasks.unknownOutcome' : 'tasks.noOutcomes', named);
      }
      if (outcome?.reasonRequired && !comment) throw onField(taskError(400, 'InvalidRequestException', 'tasks.outcomeNeedsReason', { outcome: outcome.label }), 'body.comment');
      // Documents are cited by id after they were attached to the dossier (POST /api/dossiers/:id/files).
      const wanted = [...new Set((input.documents ?? []).map((d) => d.id))];
      const documents = wanted.length ? await tasksStore.dossierFiles(knex, t.instance_id, wanted.filter((x) => /^[0-9a-f-]{36}$/i.test(x))) : [];
      const unknown = wanted.filter((x) => !documents.some((d) => d.id === x));
      if (unknown.length) throw onField(taskError(400, 'InvalidRequestException', 'tasks.unknownDocuments', { ids: unknown.join(', ') }), 'body.documents');
      const variables: Record<string, { value: unknown; type: string }> = { ...extra };
      if (outcome) variables.outcome = { value: outcome.key, type: 'String' };
      if (comment) variables.outcomeComment = { value: comment, type: 'String' };
      await engine.completeTask(id, { variables, userId: p.username }, viewer.all ? { all: true } : taskScopeOf(p)).catch((e) => engineError(e, id));
      await record(p, t, 'completed', { outcome: outcome?.key ?? null, comment, documents: documents.length ? JSON.stringify(documents) : null });
      return { outcome: outcome?.key ?? null };
    },
  };
}

export type TasksService = ReturnType<typeof createTasksService>;
