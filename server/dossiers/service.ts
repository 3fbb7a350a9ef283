import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import {
  dueState as calendarDueState, extendClock, localDate, pauseClock, resumeClock, startClock, ClockRuleError,
  type DossierClock, type DueState, type Limit, type WorkingCalendar,
} from '../calendar/index.js';
import { formatDate, isEngineError, type TypedValue } from '../engine/index.js';
import type { Procedure } from '../catalog/index.js';
import { ApiError } from '../http/errors.js';
import { isUniqueViolation } from '../http/idempotency.js';
import type { Principal } from '../http/policy.js';
import { foldText, likeContains } from '../text/fold.js';
import { assertTransition, FINAL_STATUSES, STATUS, STATUS_NAMES, type Status } from './states.js';
import * as store from './store.js';
import {
  PartySchema, ReceivedComponentSchema, type Actor, type Dossier, type DossierEvent, type DossierQuery, type DossierSummary,
  type Page, type Party, type PublicDossierView, type ReceivedComponent,
} from './types.js';
import { dossierError, dossierKey } from './messages.js';

/** What the dossier service needs from the rest of the platform (wired in platform.ts). */
export interface DossierDeps {
  knex: Knex;
  /** The calendar's synchronous calculator (`calendarService.calendar`). */
  calendar: () => WorkingCalendar;
  catalog: { get(id: string, db?: Knex | Knex.Transaction): Promise<Procedure> };
  lifecycle: { activeDefinition(procedureId: string, level?: string): Promise<{ versionId: string; definitionId: string } | undefined> };
  engine: {
    startProcess(input: { definitionId: string; businessKey: string; variables: Record<string, TypedValue>; startUser?: string | null; idempotencyKey?: string | null }): Promise<{ id: string; ended: boolean }>;
    deleteInstance(id: string, reason: string | null, userId: string | null): Promise<void>;
    listTasks(q: { processInstanceId?: string }, scope: { all: true }): Promise<Array<{ name: string | null }>>;
  };
  access: { visibleUnitIds(p: Pick<Principal, 'roles'>): Promise<string[] | 'all'> };
  /** Clock source (tests move it). */
  now?: () => Date;
}

export const ReceiveSchema = z.object({
  procedureId: z.uuid(dossierKey('dossiers.notAProcedureId')),
  /** Receiving unit; defaults to the officer's one-stop unit. */
  unitId: z.string().min(1).max(64).optional(),
  channel: z.enum(['in-person', 'post']).default('in-person'),
  applicant: PartySchema,
  proxy: PartySchema.optional().nullable(),
  components: z.array(ReceivedComponentSchema).max(100).default([]),
  content: z.string().trim().max(5000).default(''),
  notes: z.string().trim().max(5000).default(''),
  /** When the papers were handed in (defaults to now); never in the future. */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
  decision: z.enum(['accept', 'supplement', 'refuse']).default('accept'),
  supplement: z.object({ items: z.array(z.string().trim().min(1).max(500)).min(1).max(50), reason: z.string().trim().max(2000).default('') }).strict().optional(),
  refusal: z.object({ reasons: z.array(z.string().trim().min(1).max(1000)).min(1).max(20) }).strict().optional(),
}).strict();
export type ReceiveInput = z.infer<typeof ReceiveSchema>;

export const OnlineFilingSchema = z.object({
  procedureId: z.uuid(dossierKey('dossiers.notAProcedureId')),
  unitId: z.string().min(1).max(64).optional(),
  applicant: PartySchema,
  proxy: PartySchema.optional().nullable(),
  components: z.array(ReceivedComponentSchema).max(100).default([]),
  content: z.string().trim().max(5000).default(''),
}).strict();
export type OnlineFilingInput = z.infer<typeof OnlineFilingSchema>;

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());
const num = (v: unknown): number | null => (v == null ? null : Number(v));

function limitOf(l: { value: number; unit: 'days' | 'hours' }): Limit {
  return l.unit === 'days' ? { workingDays: Number(l.value) } : { workingHours: Number(l.value) };
}

function toDossier(r: store.DossierRow): Dossier {
  return {
    id: r.id, code: r.code, seq: Number(r.seq), unitId: r.unit_id, unitName: (r.unit_name as string) ?? undefined, competentUnitId: r.competent_unit_id,
    procedureId: r.procedure_id, procedureCode: (r.procedure_code as string) ?? undefined, procedureName: (r.procedure_name as string) ?? undefined,
    level: r.level as string, processVersionId: (r.process_version_id as string) ?? null, definitionId: (r.definition_id as string) ?? null,
    instanceId: (r.instance_id as string) ?? null, status: Number(r.status) as Status, channel: r.channel as Dossier['channel'],
    applicant: r.applicant as Party, proxy: (r.proxy as Party) ?? null, components: (r.components as ReceivedComponent[]) ?? [],
    fees: (r.fees as Dossier['fees']) ?? [], content: (r.content as string) ?? '', notes: (r.notes as string) ?? '',
    filedAt: iso(r.filed_at)!, receivedAt: iso(r.received_at), limit: { value: Number(r.limit_value), unit: r.limit_unit as 'days' | 'hours' },
    startsAt: iso(r.starts_at), dueAt: iso(r.due_at), pausedAt: iso(r.paused_at), remainingMs: num(r.remaining_ms),
    pausedTotalMs: Number(r.paused_total_ms ?? 0), originalDueAt: iso(r.original_due_at), extendedAt: iso(r.extended_at),
    extensionReason: (r.extension_reason as string) ?? null, supplement: (r.supplement as Dossier['supplement']) ?? null,
    refusal: (r.refusal as Dossier['refusal']) ?? null, stop: (r.stop as Dossier['stop']) ?? null, resolvedAt: iso(r.resolved_at),
    returnedAt: iso(r.returned_at), collectionMethod: (r.collection_method as Dossier['collectionMethod']) ?? null,
    rating: num(r.rating), ratedAt: iso(r.rated_at), createdBy: (r.created_by as string) ?? null, revision: Number(r.revision),
    createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
  };
}

/** "0912345678" → "******5678"; the list never shows a whole ID number or phone. */
const maskTail = (s: string | undefined | null): string | null => (s ? `${'*'.repeat(Math.max(0, s.length - 4))}${s.slice(-4)}` : null);

function clockOf(d: Pick<Dossier, 'unitId' | 'limit' | 'receivedAt' | 'startsAt' | 'dueAt' | 'pausedAt' | 'remainingMs' | 'originalDueAt' | 'extendedAt'> & { pauses?: number }): DossierClock | undefined {
  if (!d.receivedAt || !d.startsAt || !d.dueAt) return undefined;
  return {
    unitId: d.unitId, limit: limitOf(d.limit), receivedAt: new Date(d.receivedAt), startsAt: new Date(d.startsAt), dueAt: new Date(d.dueAt),
    pausedAt: d.pausedAt ? new Date(d.pausedAt) : undefined, remainingMs: d.remainingMs ?? undefined, pauses: d.pauses ?? 0,
    originalDueAt: d.originalDueAt ? new Date(d.originalDueAt) : undefined, extendedAt: d.extendedAt ? new Date(d.extendedAt) : undefined,
  };
}

const actorOf = (p: Principal | Actor): Actor => ('username' in p ? { id: p.userId, name: p.displayName || p.username } : p);

const SYSTEM_ACTOR: Actor = { id: null, name: 'system' };

export function createDossierService(deps: DossierDeps) {
  const { knex } = deps;
  const now = deps.now ?? (() => new Date());
  const cal = () => deps.calendar();

  // ------------------------------------------------------------------ scope

  async function unitsOf(p: Principal): Promise<string[] | 'all'> {
    return deps.access.visibleUnitIds(p);
  }

  function inScope(units: string[] | 'all', r: { unit_id: string; competent_unit_id: string }): boolean {
    return units === 'all' || units.includes(r.unit_id) || units.includes(r.competent_unit_id);
  }

  /** Reads a dossier the principal may see; another unit's dossier answers the same 404 as an unknown one. */
  /**
   * `units` is the caller's scope (from `unitsOf`, computed before any transaction: the identity
   * service reads on its own connection), or null for trusted background code.
   */
  async function load(db: Knex | Knex.Transaction, id: string, units: string[] | 'all' | null, lock = false): Promise<store.DossierRow> {
    const r = z.uuid().safeParse(id).success ? await store.byId(db, id, lock) : undefined;
    if (!r || (units && !inScope(units, r))) throw dossierError(404, 'NotFound', 'dossiers.noDossier', { id });
    return r;
  }

  /** Writes need the receiving unit (one-stop office) among the principal's units. */
  function requireReceivingUnit(units: string[] | 'all', unitId: string): void {
    if (units !== 'all' && !units.includes(unitId)) throw dossierError(404, 'NotFound', 'dossiers.unitOutOfScope', { unit: unitId });
  }

  const scopeOf = async (p: Principal | null) => (p ? unitsOf(p) : null);

  function defaultUnit(p: Principal): string {
    const r = p.roles.find((x) => x.role === 'one-stop-officer') ?? p.roles[0];
    if (!r) throw dossierError(400, 'InvalidRequestException', 'dossiers.giveUnit');
    return r.unitId;
  }

  // ------------------------------------------------------------------ validation

  async function requireProcedure(db: Knex | Knex.Transaction, id: string): Promise<Procedure> {
    let p: Procedure;
    try {
      p = await deps.catalog.get(id, db);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw dossierError(400, 'InvalidRequestException', 'dossiers.unknownProcedure', { id });
      throw err;
    }
    if (p.status !== 'active') throw dossierError(400, 'InvalidRequestException', 'dossiers.procedureWithdrawn', { code: p.code });
    return p;
  }

  /** Only what the procedure publishes may be recorded (no extra documents). */
  function checkComponents(p: Procedure, received: ReceivedComponent[]): ReceivedComponent[] {
    const byName = new Map(p.components.map((c) => [foldText(c.name), c]));
    const seen = new Set<string>();
    return received.map((c, i) => {
      const k = foldText(c.name);
      const pub = byName.get(k);
      if (!pub) {
        throw dossierError(400, 'InvalidRequestException', 'dossiers.componentNotListed', { field: `components.${i}.name`, name: c.name, code: p.code });
      }
      if (seen.has(k)) throw dossierError(400, 'InvalidRequestException', 'dossiers.componentTwice', { field: `components.${i}.name`, name: c.name });
      seen.add(k);
      return { name: pub.name, copyType: c.copyType ?? pub.copyType, quantity: c.quantity ?? 1, ...(c.fileIds ? { fileIds: c.fileIds } : {}) };
    });
  }

  function parseReceivedAt(text: string | undefined): Date {
    const t = now();
    if (!text) return t;
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) throw dossierError(400, 'InvalidRequestException', 'dossiers.receivedNotInstant');
    if (d.getTime() > t.getTime() + 60_000) throw dossierError(400, 'InvalidRequestException', 'dossiers.receivedFuture');
    if (d.getTime() < t.getTime() - 30 * 86_400_000) throw dossierError(400, 'InvalidRequestException', 'dossiers.receivedTooOld');
    return d;
  }

  /**
   * The reception's procedure and its active process: one small read (the procedure's row version and
   * the active version's definition); the procedure itself comes from a cache keyed by that row version
   * (any edit of the procedure, its withdrawal included, changes it), read in full only when it changed.
   */
  const procedures = new LRUCache<string, Procedure>({ max: 500 });
  async function receptionProcedure(id: string, needProcess: boolean): Promise<{ proc: Procedure; active?: { versionId: string; definitionId: string } }> {
    const facts = await store.receptionFacts(knex, id);
    if (!facts) throw dossierError(400, 'InvalidRequestException', 'dossiers.unknownProcedure', { id });
    const key = `${id}:${facts.rowVersion}`;
    let proc = procedures.get(key);
    if (!proc) {
      proc = await deps.catalog.get(id);
      procedures.set(key, proc);
    }
    if (proc.status !== 'active') throw dossierError(400, 'InvalidRequestException', 'dossiers.procedureWithdrawn', { code: proc.code });
    if (!needProcess) return { proc };
    if (!facts.versionId || !facts.definitionId) throw noActiveProcess(proc);
    return { proc, active: { versionId: facts.versionId, definitionId: facts.definitionId } };
  }

  const noActiveProcess = (p: Procedure) => dossierError(409, 'Conflict', 'dossiers.noActiveProcess', { code: p.code, level: p.level });

  async function activeProcess(p: Procedure): Promise<{ versionId: string; definitionId: string }> {
    const a = await deps.lifecycle.activeDefinition(p.id, p.level);
    if (!a) throw noActiveProcess(p);
    return a;
  }

  // ------------------------------------------------------------------ writes

  /** A unit without an agency code numbers its dossiers under its id, upper-cased. */
  const fallbackAgency = (unitId: string) => unitId.toUpperCase().replace(/[^A-Z0-9]/g, '');

  async function newCode(trx: Knex.Transaction, unitId: string, at: Date): Promise<{ code: string; seq: number; unitName: string }> {
    const day = localDate(at);
    const parts = await store.nextCodeParts(trx, unitId, day);
    if (!parts) throw dossierError(400, 'InvalidRequestException', 'dossiers.unknownUnit', { unit: unitId });
    const agency = parts.agencyCode ?? fallbackAgency(unitId);
    const yymmdd = day.slice(2).replace(/-/g, '');
    return { code: `${agency}-${yymmdd}-${String(parts.seq).padStart(4, '0')}`, seq: parts.seq, unitName: parts.unitName };
  }

  async function transition(trx: Knex.Transaction, r: store.DossierRow, to: Status, actor: Actor, patch: Record<string, unknown>, reason?: string | null, data?: unknown): Promise<void> {
    const from = Number(r.status);
    assertTransition(from, to);
    await store.update(trx, r.id, { ...patch, status: to });
    await store.appendEvent(trx, { dossierId: r.id, kind: 'status', from, to, actorId: actor.id, actorName: actor.name, reason: reason ?? null, data });
    r.status = to;
  }

  function clockFields(c: DossierClock): Record<string, unknown> {
    return {
      received_at: c.receivedAt, starts_at: c.startsAt, due_at: c.dueAt, paused_at: c.pausedAt ?? null, remaining_ms: c.remainingMs ?? null,
      original_due_at: c.originalDueAt ?? null, extended_at: c.extendedAt ?? null, pauses: c.pauses,
    };
  }

  /**
   * Accepted (2) → the process starts on the active approved version → processing (4).
   * The start is its own engine command (one statement), so it runs after the accepted row
   * is committed; a start that fails leaves the dossier at 2 with an event saying why.
   *
   * `known`: what the reception has just written and read (the row's fields, the procedure, its
   * active process, the unit's name): no read again, and 2 → 4 with its event is one statement
   * whose result is the dossier answered (the hot path of accepting in person). Returns the
   * dossier when it moved it to 4 that way.
   */
  async function startProcess(id: string, actor: Actor, known?: {
    proc: Procedure; active: { versionId: string; definitionId: string }; row: Pick<store.DossierRow, 'id' | 'code' | 'unit_id' | 'competent_unit_id' | 'status'> & { due_at: Date }; unitName: string;
  }): Promise<Dossier | undefined> {
    const r = known?.row ?? await store.byId(knex, id);
    if (!r || Number(r.status) !== STATUS.ACCEPTED) return undefined;
    const p = known?.proc ?? await deps.catalog.get((r as store.DossierRow).procedure_id);
    const active = known?.active ?? await activeProcess(p);
    let inst: { id: string; ended: boolean };
    try {
      inst = await deps.engine.startProcess({
        // One dossier, one instance: a start repeated (a retried request, two nodes) answers the first.
        definitionId: active.definitionId, businessKey: r.code, startUser: actor.id, idempotencyKey: `dossier:${r.id}`,
        variables: {
          dossierId: { value: r.id, type: 'String' },
          dossierCode: { value: r.code, type: 'String' },
          unitId: { value: r.unit_id, type: 'String' },
          competentUnitId: { value: r.competent_unit_id, type: 'String' },
          procedureCode: { value: p.code, type: 'String' },
          dueAt: { value: formatDate(new Date(r.due_at as string)), type: 'Date' },
          // The one-stop office already decided to accept this dossier; the seed processes' reception
          // gateway routes on `decision`, so completing the reception step hands it on without asking again.
          decision: { value: 'accept', type: 'String' },
        },
      });
    } catch (err) {
      await store.appendEvent(knex, { dossierId: id, kind: 'process-start-failed', actorId: actor.id, actorName: actor.name, reason: (err as Error).message });
      throw err;
    }
    const patch = { instance_id: inst.id, process_version_id: active.versionId, definition_id: active.definitionId };
    if (known) {
      assertTransition(STATUS.ACCEPTED, STATUS.PROCESSING);
      const moved = await store.transitionIf(knex, id, STATUS.ACCEPTED, STATUS.PROCESSING, patch, { kind: 'status', actorId: actor.id, actorName: actor.name, data: { instanceId: inst.id } });
      // A concurrent start of the same dossier (a retried request) got the same instance and attached it first.
      return moved ? toDossier({ ...moved, procedure_name: p.name, procedure_code: p.code, unit_name: known.unitName }) : undefined;
    }
    await knex.transaction(async (trx) => {
      const row = (await store.byId(trx, id, true))!;
      if (Number(row.status) !== STATUS.ACCEPTED) return;
      await transition(trx, row, STATUS.PROCESSING, actor, patch, null, { instanceId: inst.id });
    });
    return undefined;
  }

  async function endInstance(r: store.DossierRow, reason: string, actor: Actor): Promise<void> {
    if (!r.instance_id) return;
    try {
      await deps.engine.deleteInstance(r.instance_id as string, reason, actor.id);
    } catch (err) {
      if (!isEngineError(err)) throw err; // already ended: nothing to stop
    }
  }

  function startClockAt(p: Procedure, unitId: string, at: Date): DossierClock {
    return startClock(cal(), { receivedAt: at, limit: limitOf(p.limit), afterCutoffNextDay: p.afterCutoffNextDay, unitId });
  }

  /** The dossier behind a code if the second factor (last 4 digits of the phone or ID number) matches. */
  async function byCodeAndFactor(code: string, factor: string): Promise<store.DossierRow | undefined> {
    const id = /^[A-Z0-9.]{1,20}-\d{6}-\d{1,6}$/.test(code) ? await store.idByCode(knex, code) : undefined;
    const r = id ? await store.byId(knex, id) : undefined;
    const same = (a: unknown) => typeof a === 'string' && a.length === 4 && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(factor.padEnd(4).slice(0, 4)));
    if (!r || !/^\d{4}$/.test(factor) || !(same(r.phone_last4) || same(r.id_last4))) return undefined;
    return r;
  }

  const service = {
    // ---------------------------------------------------------------- citizen

    /**
     * Citizen lookup: status in words, procedure, received and due dates, the current step's name,
     * the supplement awaited. No personal data, no staff names. Unknown code and wrong factor are the same `undefined`.
     */
    async lookup(code: string, factor: string): Promise<PublicDossierView | undefined> {
      const r = await byCodeAndFactor(code, factor);
      if (!r) return undefined;
      const d = toDossier(r);
      const tasks = d.instanceId && d.status === STATUS.PROCESSING ? await deps.engine.listTasks({ processInstanceId: d.instanceId }, { all: true }) : [];
      return {
        code: d.code, status: d.status, statusName: STATUS_NAMES[d.status], procedure: d.procedureName ?? '', unit: d.unitName ?? '',
        filedAt: d.filedAt, receivedAt: d.receivedAt, dueAt: d.dueAt, currentStep: tasks.map((t) => t.name).filter(Boolean).join(', ') || null,
        supplement: d.status === STATUS.SUPPLEMENT && d.supplement ? { items: d.supplement.items, reason: d.supplement.reason } : null,
        refusalReasons: d.refusal?.reasons ?? null, returnedAt: d.returnedAt, canRate: d.status === STATUS.RETURNED && d.rating === null, rated: d.rating !== null,
      };
    },

    /** Satisfaction rating, once, after the result was returned (10). */
    async rate(code: string, factor: string, body: { rating: 'satisfied' | 'normal' | 'dissatisfied'; comment?: string }): Promise<boolean> {
      const r = await byCodeAndFactor(code, factor);
      if (!r) return false;
      await knex.transaction(async (trx) => {
        const row = (await store.byId(trx, r.id, true))!;
        if (Number(row.status) !== STATUS.RETURNED) throw dossierError(409, 'Conflict', 'dossiers.rateAfterReturn');
        if (row.rating !== null && row.rating !== undefined) throw dossierError(409, 'Conflict', 'dossiers.alreadyRated');
        const value = { satisfied: 1, normal: 2, dissatisfied: 3 }[body.rating];
        await store.update(trx, r.id, { rating: value, rating_comment: body.comment ?? null, rated_at: now() });
        await store.appendEvent(trx, { dossierId: r.id, kind: 'rating', actorName: 'citizen', data: { rating: body.rating } });
      });
      return true;
    },

    // ---------------------------------------------------------------- reads

    async get(id: string, p: Principal | null): Promise<Dossier> {
      return toDossier(await load(knex, id, await scopeOf(p)));
    },

    async getByCode(code: string, p: Principal | null): Promise<Dossier> {
      const id = await store.idByCode(knex, code);
      if (!id) throw dossierError(404, 'NotFound', 'dossiers.noDossier', { id: code });
      return toDossier(await load(knex, id, await scopeOf(p)));
    },

    async timeline(id: string, p: Principal | null): Promise<DossierEvent[]> {
      await load(knex, id, await scopeOf(p));
      return store.events(knex, id);
    },

    /** On time / near due / overdue / paused, from the stored due date (never recomputed). */
    dueState(d: Pick<Dossier, 'unitId' | 'limit' | 'receivedAt' | 'startsAt' | 'dueAt' | 'pausedAt' | 'remainingMs' | 'originalDueAt' | 'extendedAt' | 'status'>, at: Date = now()): { state: DueState; remainingMs: number } | null {
      const c = clockOf(d);
      if (!c || FINAL_STATUSES.has(d.status) || d.status === STATUS.RESOLVED) return null;
      return calendarDueState(cal(), c, at);
    },

    async list(q: DossierQuery, p: Principal): Promise<Page<DossierSummary> & { totalCapped: boolean }> {
      const units = await unitsOf(p);
      const t = now();
      const f: store.ListFilter = {
        units, status: q.status, procedureId: q.procedureId, unitId: q.unitId, receivedFrom: q.receivedFrom, receivedTo: q.receivedTo,
        code: q.code, channel: q.channel, applicantLike: q.applicant ? likeContains(foldText(q.applicant)) : undefined,
        limit: q.pageSize, offset: (q.page - 1) * q.pageSize,
      };
      if (q.dueState) {
        // Due-state filters read the stored due date: overdue = due before now; near-due = due within a working day.
        f.status = (q.status?.length ? q.status : [1, 2, 4, 5, 6]).filter((s) => [2, 4, 5, 6].includes(s));
        if (q.dueState === 'paused') f.paused = true;
        else {
          f.paused = false;
          const soon = cal().add(t, { workingDays: 1 }, q.unitId);
          if (q.dueState === 'overdue') f.dueBefore = t;
          if (q.dueState === 'near-due') { f.dueAfter = t; f.dueBefore = soon; }
          if (q.dueState === 'on-time') f.dueAfter = t;
        }
      }
      const { rows, total, capped } = await store.list(knex, f);
      const items = rows.map((r): DossierSummary => {
        const a = r.applicant as Party;
        const d = { unitId: r.unit_id, limit: { value: Number(r.limit_value), unit: r.limit_unit as 'days' | 'hours' }, receivedAt: iso(r.received_at), startsAt: iso(r.received_at), dueAt: iso(r.due_at), pausedAt: iso(r.paused_at), remainingMs: null, originalDueAt: null, extendedAt: null, status: Number(r.status) as Status };
        return {
          id: r.id, code: r.code, unitId: r.unit_id, procedureId: r.procedure_id, procedureName: (r.procedure_name as string) ?? undefined,
          status: Number(r.status) as Status, channel: r.channel as DossierSummary['channel'], applicantName: a.fullName,
          applicantIdMasked: maskTail(a.idNumber), applicantPhoneMasked: maskTail(a.phone), filedAt: iso(r.filed_at)!,
          receivedAt: iso(r.received_at), dueAt: iso(r.due_at), dueState: service.dueState(d, t)?.state ?? null,
        };
      });
      return { items, total, totalCapped: capped, page: q.page, pageSize: q.pageSize };
    },

    // ---------------------------------------------------------------- reception

    /** In person (or by post): accept (2 → 4, form 01), request a supplement (5, form 02) or refuse (3, form 03). */
    /**
     * `opts.idempotencyKey`: a retried request (its answer lost) answers the dossier the first one
     * created — and starts its process if that had not happened — instead of receiving it twice.
     */
    async receive(input: ReceiveInput, p: Principal, opts: { idempotencyKey?: string; onReplay?: () => void } = {}): Promise<Dossier> {
      const unitId = input.unitId ?? defaultUnit(p);
      requireReceivingUnit(await unitsOf(p), unitId);
      const key = opts.idempotencyKey;
      const replay = async (): Promise<Dossier | undefined> => {
        const prior = key ? await store.byIdempotencyKey(knex, p.userId, key) : undefined;
        if (!prior) return undefined;
        if (prior.procedure_id !== input.procedureId) throw dossierError(409, 'IdempotencyKeyReused', 'dossiers.idempotencyReused');
        if (Number(prior.status) === STATUS.ACCEPTED) await startProcess(prior.id, actorOf(p));
        opts.onReplay?.();
        return service.get(prior.id, null);
      };
      const again = await replay();
      if (again) return again;
      const receivedAt = parseReceivedAt(input.receivedAt);
      const { proc, active } = await receptionProcedure(input.procedureId, input.decision === 'accept');
      const components = checkComponents(proc, input.components);
      if (input.decision === 'supplement' && !input.supplement) throw dossierError(400, 'InvalidRequestException', 'dossiers.listSupplement');
      if (input.decision === 'refuse' && !input.refusal) throw dossierError(400, 'InvalidRequestException', 'dossiers.giveRefusalReasons');
      if (input.decision === 'supplement') checkSupplementItems(proc, input.supplement!.items);
      const actor = actorOf(p);
      const clock = input.decision === 'accept' ? startClockAt(proc, unitId, receivedAt) : undefined;
      const to: Status = input.decision === 'accept' ? STATUS.ACCEPTED : input.decision === 'supplement' ? STATUS.SUPPLEMENT : STATUS.REFUSED;
      assertTransition(0, to);
      // The code, the dossier and its first event: one statement, atomic without a transaction around it.
      const created = await (async () => {
        const row = {
          unit_id: unitId, competent_unit_id: proc.agencyId, procedure_id: proc.id, level: proc.level, status: to,
          channel: input.channel, applicant: JSON.stringify(input.applicant), proxy: input.proxy ? JSON.stringify(input.proxy) : null,
          applicant_folded: foldText(input.applicant.fullName), phone_last4: last4(input.applicant.phone), id_last4: last4(input.applicant.idNumber),
          components: JSON.stringify(components), fees: JSON.stringify(proc.fees), content: input.content, notes: input.notes,
          filed_at: receivedAt, limit_value: proc.limit.value, limit_unit: proc.limit.unit, created_by: p.userId, idempotency_key: key ?? null,
          ...(clock ? clockFields(clock) : { received_at: receivedAt }),
          supplement: input.decision === 'supplement' ? JSON.stringify(supplementOf(input.supplement!, actor, 0, receivedAt)) : null,
          refusal: input.decision === 'refuse' ? JSON.stringify({ reasons: input.refusal!.reasons, at: receivedAt.toISOString(), by: actor.name }) : null,
        };
        const inserted = await store.insertReceived(knex, { unitId, day: localDate(receivedAt), fallbackAgency: fallbackAgency(unitId), row, event: {
          kind: 'status', from: null, to, actorId: actor.id, actorName: actor.name, at: receivedAt,
          reason: input.decision === 'refuse' ? input.refusal!.reasons.join('; ') : input.decision === 'supplement' ? input.supplement!.reason : null,
        } });
        if (!inserted) throw dossierError(400, 'InvalidRequestException', 'dossiers.unknownUnit', { unit: unitId });
        return { id: inserted.id, code: inserted.code, unitName: inserted.unitName, dueAt: clock?.dueAt, to };
      })().catch(async (err) => {
        // A concurrent retry with the same key won the insert: answer its dossier.
        if (key && isUniqueViolation(err, 'dossier_idempotency_key')) return null;
        throw err;
      });
      if (created === null) return (await replay())!;
      const { id } = created;
      if (active && created.dueAt) {
        const row = { id, code: created.code, unit_id: unitId, competent_unit_id: proc.agencyId, status: created.to, due_at: created.dueAt };
        const moved = await startProcess(id, actor, { proc, active, row, unitName: created.unitName });
        if (moved) return moved;
      }
      return service.get(id, null);
    },

    /** Online filing by a citizen (status 1): no login; the clock starts when an officer accepts it. */
    async fileOnline(input: OnlineFilingInput, files?: (trx: Knex.Transaction, dossierId: string, components: ReceivedComponent[]) => Promise<ReceivedComponent[]>): Promise<Dossier> {
      const proc = await requireProcedure(knex, input.procedureId);
      const unitId = input.unitId ?? proc.agencyId;
      if (!(await store.unitInfo(knex, unitId))) throw dossierError(400, 'InvalidRequestException', 'dossiers.unknownUnit', { unit: unitId });
      let components = checkComponents(proc, input.components);
      const at = now();
      const id = await knex.transaction(async (trx) => {
        const { code, seq } = await newCode(trx, unitId, at);
        const id = await store.insertDossier(trx, {
          code, seq, unit_id: unitId, competent_unit_id: proc.agencyId, procedure_id: proc.id, level: proc.level, status: STATUS.NEW,
          channel: 'online', applicant: JSON.stringify(input.applicant), proxy: input.proxy ? JSON.stringify(input.proxy) : null,
          applicant_folded: foldText(input.applicant.fullName), phone_last4: last4(input.applicant.phone), id_last4: last4(input.applicant.idNumber),
          components: JSON.stringify(components), fees: JSON.stringify(proc.fees), content: input.content, filed_at: at,
          limit_value: proc.limit.value, limit_unit: proc.limit.unit,
        });
        if (files) {
          components = await files(trx, id, components);
          await store.update(trx, id, { components: JSON.stringify(components) });
        }
        await store.appendEvent(trx, { dossierId: id, kind: 'status', from: null, to: STATUS.NEW, actorName: 'citizen', at });
        return id;
      });
      return service.get(id, null);
    },

    /** Accept an online dossier (1 → 2 → 4); the clock starts now. */
    /**
     * `opts.idempotencyKey`: a retried acceptance (its answer lost, or racing the first) of a dossier
     * already accepted answers it again — starting its process if that had not happened — instead of 409.
     */
    async accept(id: string, p: Principal, opts: { idempotencyKey?: string; onReplay?: () => void } = {}): Promise<Dossier> {
      const actor = actorOf(p);
      const units = await unitsOf(p);
      const r0 = await load(knex, id, units);
      requireReceivingUnit(units, r0.unit_id);
      const accepted = (status: unknown) => Number(status) === STATUS.ACCEPTED || Number(status) === STATUS.PROCESSING;
      const replay = async () => {
        await startProcess(id, actor); // keyed by the dossier: starts nothing when it already runs
        opts.onReplay?.();
        return service.get(id, null);
      };
      if (opts.idempotencyKey && accepted(r0.status)) return replay();
      const proc = await deps.catalog.get(r0.procedure_id);
      assertTransition(Number(r0.status), STATUS.ACCEPTED);
      await activeProcess(proc);
      const won = await knex.transaction(async (trx) => {
        const r = await load(trx, id, units, true);
        if (opts.idempotencyKey && accepted(r.status)) return false;
        const t = now();
        await transition(trx, r, STATUS.ACCEPTED, actor, clockFields(startClockAt(proc, r.unit_id, t)));
        return true;
      });
      if (!won) return replay();
      await startProcess(id, actor);
      return service.get(id, null);
    },

    /** One request listing every missing item (form 02); a second request is refused. Pauses a running clock. */
    async requestSupplement(id: string, body: { items: string[]; reason?: string }, p: Principal): Promise<Dossier> {
      const actor = actorOf(p);
      const units = await unitsOf(p);
      await knex.transaction(async (trx) => {
        const r = await load(trx, id, units, true);
        requireReceivingUnit(units, r.unit_id);
        if (r.supplement) throw dossierError(409, 'Conflict', 'dossiers.supplementOnce');
        assertTransition(Number(r.status), STATUS.SUPPLEMENT);
        const proc = await deps.catalog.get(r.procedure_id, trx);
        checkSupplementItems(proc, body.items);
        const t = now();
        const c = clockOf(toDossier(r));
        const patch: Record<string, unknown> = { supplement: JSON.stringify(supplementOf({ items: body.items, reason: body.reason ?? '' }, actor, Number(r.status), t)) };
        if (c && proc.pauseOnSupplement !== false) Object.assign(patch, clockFields(pauseClock(cal(), { ...c, pauses: Number(r.pauses ?? 0) }, t)));
        await transition(trx, r, STATUS.SUPPLEMENT, actor, patch, body.reason ?? null, { items: body.items });
      });
      return service.get(id, null);
    },

    /**
     * The citizen brought the missing items: recorded, and the dossier goes on. Before acceptance it is
     * accepted (→ 2 → 4, the clock starts now); during processing the clock resumes with the time left
     * (procedure pauses on supplement) or restarts with the full limit (it does not).
     */
    async receiveSupplement(id: string, body: { components?: Array<{ name: string; copyType?: 'original' | 'copy' | 'either'; quantity?: number }> }, p: Principal): Promise<Dossier> {
      const actor = actorOf(p);
      let start = false;
      const units = await unitsOf(p);
      const r0 = await load(knex, id, units);
      requireReceivingUnit(units, r0.unit_id);
      if (Number(r0.status) !== STATUS.SUPPLEMENT) assertTransition(Number(r0.status), STATUS.PROCESSING);
      const proc0 = await deps.catalog.get(r0.procedure_id);
      if (!r0.instance_id) await activeProcess(proc0);
      await knex.transaction(async (trx) => {
        const r = await load(trx, id, units, true);
        if (Number(r.status) !== STATUS.SUPPLEMENT) assertTransition(Number(r.status), STATUS.PROCESSING);
        const proc = await deps.catalog.get(r.procedure_id, trx);
        const d = toDossier(r);
        const added = checkComponents(proc, (body.components ?? []).map((c) => ({ name: c.name, copyType: c.copyType, quantity: c.quantity ?? 1 })));
        const merged = [...d.components.filter((c) => !added.some((a) => foldText(a.name) === foldText(c.name))), ...added];
        const t = now();
        const sup = { ...d.supplement!, receivedAt: t.toISOString() };
        const patch: Record<string, unknown> = { components: JSON.stringify(merged), supplement: JSON.stringify(sup) };
        if (!r.instance_id) {
          Object.assign(patch, clockFields(startClockAt(proc, r.unit_id, t)));
          await transition(trx, r, STATUS.ACCEPTED, actor, patch, 'Đã bổ sung đủ hồ sơ');
          start = true;
        } else {
          const c = clockOf(d);
          if (c?.pausedAt) {
            const resumed = resumeClock(cal(), { ...c, pauses: Number(r.pauses ?? 0) }, t, { mode: proc.pauseOnSupplement === false ? 'restart' : 'resume', afterCutoffNextDay: proc.afterCutoffNextDay });
            Object.assign(patch, clockFields(resumed), { paused_total_ms: Number(r.paused_total_ms ?? 0) + (t.getTime() - c.pausedAt.getTime()) });
          } else if (c && proc.pauseOnSupplement === false) {
            Object.assign(patch, clockFields(startClockAt(proc, r.unit_id, t)));
          }
          await transition(trx, r, STATUS.PROCESSING, actor, patch, 'Đã bổ sung đủ hồ sơ');
        }
      });
      if (start) await startProcess(id, actor);
      return service.get(id, null);
    },

    /** Refused (3) with specific reasons (form 03). */
    async refuse(id: string, body: { reasons: string[] }, p: Principal): Promise<Dossier> {
      const actor = actorOf(p);
      const units = await unitsOf(p);
      await knex.transaction(async (trx) => {
        const r = await load(trx, id, units, true);
        requireReceivingUnit(units, r.unit_id);
        const t = now();
        await transition(trx, r, STATUS.REFUSED, actor, { refusal: JSON.stringify({ reasons: body.reasons, at: t.toISOString(), by: actor.name }) }, body.reasons.join('; '));
      });
      return service.get(id, null);
    },

    /** Withdrawn at the citizen's request (7) while no result has been issued; the process ends. */
    async withdraw(id: string, body: { reason: string }, p: Principal): Promise<Dossier> {
      return finish(id, STATUS.WITHDRAWN, body.reason, p, {});
    },

    /** Stopped (8, form 05 stop notice); the process ends. */
    async stop(id: string, body: { reason: string }, p: Principal): Promise<Dossier> {
      const t = now();
      return finish(id, STATUS.STOPPED, body.reason, p, { stop: JSON.stringify({ reason: body.reason, at: t.toISOString(), by: actorOf(p).name }) });
    },

    /** Result returned (10) with how it was collected. */
    async returnResult(id: string, body: { collectionMethod: 'in-person' | 'post' | 'online' }, p: Principal): Promise<Dossier> {
      const actor = actorOf(p);
      const units = await unitsOf(p);
      await knex.transaction(async (trx) => {
        const r = await load(trx, id, units, true);
        requireReceivingUnit(units, r.unit_id);
        await transition(trx, r, STATUS.RETURNED, actor, { returned_at: now(), collection_method: body.collectionMethod }, null, { collectionMethod: body.collectionMethod });
      });
      return service.get(id, null);
    },

    /**
     * Resolved (9): the process reached an end event meaning "result ready" (or a caller with the
     * right says so). Idempotent for a dossier already resolved.
     */
    async markResolved(id: string, actor: Actor = SYSTEM_ACTOR, db?: Knex.Transaction, strict = false): Promise<Dossier> {
      const run = async (trx: Knex.Transaction) => {
        const r = await load(trx, id, null, true);
        if (Number(r.status) === STATUS.RESOLVED && !strict) return;
        await transition(trx, r, STATUS.RESOLVED, actor, { resolved_at: now() });
      };
      if (db) await run(db);
      else await knex.transaction(run);
      return service.get(id, null);
    },

    /** The one extension (form 04 flow): new due date with a reason; a second one is refused. */
    async setExtension(id: string, body: { newDueAt: Date; reason: string }, actor: Actor, db?: Knex.Transaction): Promise<Dossier> {
      if (!body.reason?.trim()) throw dossierError(400, 'InvalidRequestException', 'dossiers.extensionReason');
      const run = async (trx: Knex.Transaction) => {
        const r = await load(trx, id, null, true);
        const c = clockOf(toDossier(r));
        if (!c || FINAL_STATUSES.has(Number(r.status)) || Number(r.status) === STATUS.RESOLVED) throw dossierError(409, 'Conflict', 'dossiers.notProcessing', { code: r.code });
        let ext: DossierClock;
        try {
          ext = extendClock(c, body.newDueAt, now());
        } catch (err) {
          if (err instanceof ClockRuleError) throw dossierError(409, 'Conflict', `dossiers.clock.${err.code}`);
          throw err;
        }
        await store.update(trx, id, { ...clockFields(ext), extension_reason: body.reason });
        await store.appendEvent(trx, { dossierId: id, kind: 'extension', actorId: actor.id, actorName: actor.name, reason: body.reason, data: { from: c.dueAt.toISOString(), to: body.newDueAt.toISOString() } });
      };
      // Inside the caller's transaction, read back through it: on the embedded database the pool has
      // one connection, and a read on the root knex would wait for the open transaction forever.
      if (db) {
        await run(db);
        return toDossier(await load(db, id, null));
      }
      await knex.transaction(run);
      return service.get(id, null);
    },

    /** Timeline hook for other capabilities (tasks, consultations, notifications…): one row on the dossier. */
    async recordEvent(id: string, e: { kind: string; reason?: string; data?: unknown }, actor: Actor, db?: Knex | Knex.Transaction): Promise<void> {
      // A caller's bug, not a person's input: no capability records a status change by hand.
      if (e.kind === 'status') throw new Error('recordEvent: kind "status" is reserved for transitions');
      await store.appendEvent(db ?? knex, { dossierId: id, kind: e.kind, reason: e.reason ?? null, data: e.data, actorId: actor.id, actorName: actor.name });
    },

    /** Names for the forms' title block and signatures. */
    async formContext(unitId: string, createdBy: string | null): Promise<{ unitName: string; parentUnitName?: string; place?: string; officerName?: string }> {
      const n = await store.formNames(knex, unitId, createdBy);
      const place = n.unitName.replace(/^(UBND|Ủy ban nhân dân)\s+(tỉnh|thành phố|xã|phường|đặc khu|huyện|thị trấn)\s+/i, '');
      return { unitName: n.unitName, parentUnitName: n.parentName, place: place !== n.unitName ? place : undefined, officerName: n.officerName };
    },

    /** Administrator sets a unit's agency code (the first part of dossier codes). */
    async setAgencyCode(unitId: string, code: string | null): Promise<void> {
      if (code !== null && !/^[A-Z0-9.]{2,20}$/.test(code)) throw dossierError(400, 'InvalidRequestException', 'dossiers.badAgencyCode');
      try {
        if (!(await store.setAgencyCode(knex, unitId, code))) throw dossierError(404, 'NotFound', 'dossiers.noUnit', { unit: unitId });
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw dossierError(409, 'Conflict', 'dossiers.agencyCodeTaken', { code: code ?? '' });
        throw err;
      }
    },

    /** Resolution poller: dossiers whose process completed at a "result ready" end event become resolved (9). */
    async resolveCompleted(isResultReady: (definitionId: string, instanceId: string) => Promise<boolean>, batch = 100): Promise<number> {
      const rows = await store.completedInstances(knex, batch);
      let n = 0;
      for (const r of rows) {
        if (await isResultReady(r.definition_id, r.instance_id)) {
          await service.markResolved(r.id, SYSTEM_ACTOR);
          n++;
        }
      }
      return n;
    },
  };

  async function finish(id: string, to: Status, reason: string, p: Principal, patch: Record<string, unknown>): Promise<Dossier> {
    if (!reason?.trim()) throw dossierError(400, 'InvalidRequestException', 'dossiers.reasonRequired');
    const actor = actorOf(p);
    const units = await unitsOf(p);
    const r0 = await load(knex, id, units);
    requireReceivingUnit(units, r0.unit_id);
    await knex.transaction(async (trx) => {
      const r = await load(trx, id, units, true);
      await transition(trx, r, to, actor, { ...patch, paused_at: null }, reason);
    });
    await endInstance(r0, reason, actor);
    return service.get(id, null);
  }

  return service;
}

function checkSupplementItems(p: Procedure, items: string[]): void {
  const published = new Set(p.components.map((c) => foldText(c.name)));
  items.forEach((it, i) => {
    // An item may add detail after the published name ("Giấy chứng sinh — bản rõ nét"), never a new document.
    const f = foldText(it);
    if (![...published].some((n) => f === n || f.startsWith(`${n} `))) {
      throw dossierError(400, 'InvalidRequestException', 'dossiers.supplementNotListed', { i, name: it });
    }
  });
}

function supplementOf(s: { items: string[]; reason: string }, actor: Actor, fromStatus: number, at: Date) {
  return { items: s.items, reason: s.reason, requestedAt: at.toISOString(), requestedBy: actor.name, fromStatus };
}

function last4(s: string | undefined): string | null {
  const digits = (s ?? '').replace(/\D/g, '');
  return digits.length >= 4 ? digits.slice(-4) : null;
}


export type DossierService = ReturnType<typeof createDossierService>;
