import crypto from 'node:crypto';
import { onField } from '../http/errors.js';
import type { Knex } from 'knex';
import { dueState, type WorkingCalendar } from '../calendar/index.js';
import type { Principal } from '../http/policy.js';
import { sosError } from './messages.js';

/** An `sos` row as PostgreSQL returns it (migrations/0650_tasks.ts). */
export interface SosRow {
  id: string; instance_id: string; business_key: string | null; unit_id: string | null; reason: string; cause: string | null; raised_by: string;
  automatic: boolean; raised_at: Date; status: 'open' | 'resolved'; resolved_by: string | null; action: string | null; resolved_at: Date | null;
}
/** The process instance an SOS is raised on. */
interface InstanceHead { id: string; unit_id: string | null; business_key: string | null; state: string }

/** Roles that see the SOS board and resolve: the unit's leaders (and their sub-units), and the province's oversight role. */
const SOS_BOARD_ROLES = ['leader', 'inspector', 'system-admin'] as const;
export const SOS_CAUSES = ['other-agency', 'missing-document', 'system-fault', 'other'] as const;
export type SosCause = (typeof SOS_CAUSES)[number];

export interface SosView {
  id: string;
  instanceId: string;
  code: string | null;
  unitId: string | null;
  reason: string;
  cause: string | null;
  raisedBy: string;
  automatic: boolean;
  raisedAt: string;
  ageHours: number;
  status: 'open' | 'resolved';
  resolvedBy: string | null;
  action: string | null;
  resolvedAt: string | null;
  dossierDueAt: string | null;
  dossierState: string;
}

export interface SosDeps {
  knex: Knex;
  calendar: WorkingCalendar;
  units: { visibleUnitIds(p: Pick<Principal, 'roles'>): Promise<string[] | 'all'> };
  /** Audit of every raise, board read and resolution. */
  audit: (p: Principal | null, action: string, target: { type: string; id: string }) => void;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/**
 * SOS (Công văn 2121 item 10): anyone working on a dossier raises one with a reason when it is at
 * risk for a cause outside their control; the unit's leaders and the province's inspectors see the
 * board and resolve each with a recorded action.
 */
export function createSosService(deps: SosDeps) {
  const { knex, calendar } = deps;

  async function instanceOf(db: Knex | Knex.Transaction, instanceId: string): Promise<InstanceHead> {
    if (!/^[0-9a-f-]{36}$/i.test(instanceId)) throw sosError(404, 'NotFound', 'sos.dossierNotFound');
    const i = await db('engine_instance').where('id', instanceId).first<InstanceHead | undefined>('id', 'unit_id', 'business_key', 'state');
    if (!i) throw sosError(404, 'NotFound', 'sos.dossierNotFound');
    return i;
  }

  /** Someone works on the dossier: holds, is offered or completed one of its tasks, or holds a role in its unit. */
  async function worksOn(db: Knex | Knex.Transaction, p: Principal, i: InstanceHead): Promise<boolean> {
    if (p.roles.some((r) => r.role === 'system-admin')) return true;
    if (p.roles.some((r) => r.unitId === i.unit_id && r.role !== 'inspector')) return true;
    // Inside the caller's transaction: on the embedded database the pool has one connection.
    const did = await db('task_event').where({ instance_id: i.id, actor: p.username }).first<{ id: string } | undefined>('id');
    return !!did;
  }

  async function boardScope(p: Principal): Promise<string[] | 'all'> {
    if (!p.roles.some((r) => (SOS_BOARD_ROLES as readonly string[]).includes(r.role))) throw sosError(403, 'Forbidden', 'sos.boardOnly');
    return deps.units.visibleUnitIds({ roles: p.roles.filter((r) => (SOS_BOARD_ROLES as readonly string[]).includes(r.role)) });
  }

  async function toView(r: SosRow, now: Date): Promise<SosView> {
    const d = await knex('task_dossier').where('instance_id', r.instance_id).first<{ due_at: Date | null; paused: boolean; code: string | null } | undefined>('due_at', 'paused', 'code');
    const due = d?.due_at ? new Date(d.due_at) : null;
    const state = due ? dueState(calendar, { dueAt: due, limit: { workingHours: 0 }, unitId: r.unit_id ?? undefined, pausedAt: d?.paused ? now : undefined }, now).state : 'none';
    return {
      id: r.id, instanceId: r.instance_id, code: r.business_key ?? d?.code ?? null, unitId: r.unit_id, reason: r.reason, cause: r.cause,
      raisedBy: r.raised_by, automatic: r.automatic, raisedAt: iso(r.raised_at)!, ageHours: Math.round((now.getTime() - new Date(r.raised_at).getTime()) / 360_000) / 10,
      status: r.status, resolvedBy: r.resolved_by, action: r.action, resolvedAt: iso(r.resolved_at), dossierDueAt: iso(due), dossierState: state,
    };
  }

  async function insert(db: Knex | Knex.Transaction, i: InstanceHead, input: { reason: string; cause?: string | null; raisedBy: string; automatic: boolean }): Promise<SosRow> {
    const open = await db<SosRow>('sos').where({ instance_id: i.id, status: 'open' }).forUpdate().first('id');
    if (open) throw sosError(409, 'Conflict', 'sos.alreadyOpen', {}, { id: open.id });
    const row: SosRow = {
      id: crypto.randomUUID(), instance_id: i.id, business_key: i.business_key, unit_id: i.unit_id, reason: input.reason, cause: input.cause ?? null,
      raised_by: input.raisedBy, automatic: input.automatic, raised_at: new Date(), status: 'open', resolved_by: null, action: null, resolved_at: null,
    };
    await db('sos').insert(row);
    return row;
  }

  return {
    async raise(p: Principal, instanceId: string, input: { reason: string; cause?: SosCause }): Promise<SosView> {
      const reason = input.reason.trim();
      if (reason.length < 5) throw onField(sosError(400, 'InvalidRequestException', 'sos.reasonRequired'), 'body.reason');
      const row = await knex.transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`sos:${instanceId}`]);
        const i = await instanceOf(trx, instanceId);
        if (!(await worksOn(trx, p, i))) throw sosError(404, 'NotFound', 'sos.dossierNotFound');
        if (i.state !== 'ACTIVE') throw sosError(409, 'DossierClosed', 'sos.dossierClosed');
        return insert(trx, i, { reason, cause: input.cause, raisedBy: p.username, automatic: false });
      });
      deps.audit(p, 'sos:raise', { type: 'sos', id: row.id });
      return toView(row, new Date());
    },

    /** For the overdue worker: raises an automatic SOS unless one is open already; returns its id, or null. */
    async raiseAutomatic(instanceId: string, reason: string, by = 'system'): Promise<string | null> {
      const row = await knex.transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`sos:${instanceId}`]);
        const i = await instanceOf(trx, instanceId);
        if (i.state !== 'ACTIVE') return null;
        if (await trx<SosRow>('sos').where({ instance_id: instanceId, status: 'open' }).first('id')) return null;
        return insert(trx, i, { reason, cause: 'overdue', raisedBy: by, automatic: true });
      });
      if (row) deps.audit(null, 'sos:raise-automatic', { type: 'sos', id: row.id });
      return row?.id ?? null;
    },

    async board(p: Principal, q: { status?: 'open' | 'resolved'; unitId?: string }): Promise<SosView[]> {
      const scope = await boardScope(p);
      const b = knex<SosRow>('sos').orderBy('raised_at', 'asc').limit(500);
      if (q.status) b.where('status', q.status);
      if (q.unitId) b.where('unit_id', q.unitId);
      if (scope !== 'all') b.whereIn('unit_id', scope);
      const rows = await b;
      deps.audit(p, 'sos:board', { type: 'sos-board', id: q.unitId ?? (scope === 'all' ? 'all' : scope.join(',')).slice(0, 200) });
      const now = new Date();
      return Promise.all(rows.map((r) => toView(r, now)));
    },

    /** SOS of one dossier, for anyone who may read the dossier's tasks (the dossier page). */
    async ofDossier(instanceId: string): Promise<SosView[]> {
      const rows = await knex<SosRow>('sos').where('instance_id', instanceId).orderBy('raised_at');
      const now = new Date();
      return Promise.all(rows.map((r) => toView(r, now)));
    },

    async resolve(p: Principal, id: string, input: { action: string }): Promise<SosView> {
      const scope = await boardScope(p);
      const action = input.action.trim();
      if (action.length < 5) throw onField(sosError(400, 'InvalidRequestException', 'sos.actionRequired'), 'body.action');
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw sosError(404, 'NotFound', 'sos.notFound');
      const row = await knex.transaction(async (trx) => {
        const r = await trx<SosRow>('sos').where('id', id).forUpdate().first();
        if (!r || (scope !== 'all' && !(r.unit_id && scope.includes(r.unit_id)))) throw sosError(404, 'NotFound', 'sos.notFound');
        if (r.status !== 'open') throw sosError(409, 'Conflict', 'sos.alreadyResolved', { by: String(r.resolved_by) });
        const patch = { status: 'resolved' as const, resolved_by: p.username, action, resolved_at: new Date() };
        await trx('sos').where('id', id).update(patch);
        return { ...r, ...patch };
      });
      deps.audit(p, 'sos:resolve', { type: 'sos', id });
      return toView(row, new Date());
    },
  };
}
export type SosService = ReturnType<typeof createSosService>;
