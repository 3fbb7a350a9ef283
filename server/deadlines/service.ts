import type { Knex } from 'knex';
import type { WorkingTimeCalculator } from '../calendar/index.js';
import { formatLocal, parseInstant } from '../calendar/index.js';
import type { NotificationService } from '../notifications/index.js';
import { sendReminders, type ReminderItem } from './remind.js';
import { deadlineError } from './messages.js';

type Limit = Parameters<WorkingTimeCalculator['add']>[1];

export interface DeadlinesDeps {
  knex: Knex;
  calendar: WorkingTimeCalculator;
  notifications: NotificationService;
  /** The latest new date an apology may set, counted from the original due date (statutory maximum). */
  maxExtension?: Limit;
  /** The unit whose inspectors oversee every dossier (province oversight role). */
  oversightUnitId?: string;
  /** The dossier record (server/dossiers/): its single extension, its timeline, its status. */
  dossiers?: DossierPort;
  /** Raises the automatic SOS on the dossier's process instance (server/sos/). */
  sos?: { raiseAutomatic(instanceId: string, reason: string, by?: string): Promise<string | null> };
  now?: () => Date;
}

/** What the deadlines need of a dossier; a code without a dossier (a watch started by hand) is fine. */
interface DossierPort {
  getByCode(code: string, p: null): Promise<{ id: string; status: number; instanceId: string | null }>;
  setExtension(id: string, body: { newDueAt: Date; reason: string }, actor: { id: string | null; name: string }, db?: Knex.Transaction): Promise<unknown>;
  recordEvent(id: string, e: { kind: string; reason?: string; data?: unknown }, actor: { id: string | null; name: string }, db?: Knex | Knex.Transaction): Promise<void>;
}

const RESOLVED = 9;

export interface ApologyInput {
  dossierCode: string;
  unitId: string;
  originalDueAt: string;
  newDueAt: string;
  reason: string;
  signedBy: string;
  procedureName?: string;
  agency?: string;
  contact: { email?: string; phone?: string };
}

export interface Extension {
  dossierCode: string;
  originalDueAt: string;
  newDueAt: string;
  reason: string;
  signedBy: string;
  issuedAt: string;
  late: boolean;
}

/** Rows as PostgreSQL returns them (migrations/0701_deadlines.ts). */
interface ExtensionRow { dossier_code: string; unit_id: string; original_due_at: Date; new_due_at: Date; reason: string; signed_by: string; issued_at: Date; late: boolean }
interface LateRow { dossier_code: string; unit_id: string; due_at: Date; counted_at: Date; without_apology: boolean }

function toExtension(r: ExtensionRow): Extension {
  return {
    dossierCode: r.dossier_code,
    originalDueAt: formatLocal(r.original_due_at),
    newDueAt: formatLocal(r.new_due_at),
    reason: r.reason,
    signedBy: r.signed_by,
    issuedAt: formatLocal(r.issued_at),
    late: r.late,
  };
}

function instant(text: string, field: string): Date {
  const d = parseInstant(text);
  if (!d) throw deadlineError(400, 'InvalidRequestException', 'deadlines.notInstant', { field });
  return d;
}

/**
 * Deadlines of dossiers: the single extension granted by an apology (form 04) and the lateness
 * record written when a dossier passes its (extended) due date unresolved.
 */
export function createDeadlinesService(deps: DeadlinesDeps) {
  const { knex } = deps;
  const now = deps.now ?? (() => new Date());
  const maxExtension = deps.maxExtension ?? { workingDays: 15 };
  const oversight = deps.oversightUnitId ?? 'tinh';
  const dossierOf = async (code: string) => (deps.dossiers ? deps.dossiers.getByCode(code, null).catch(() => undefined) : undefined);
  const WORKER_ACTOR = { id: null, name: 'workers' };

  /** The rules an apology's dates must meet (400 otherwise): after the original due date, within the statutory maximum. */
  function checkDates(input: Pick<ApologyInput, 'originalDueAt' | 'newDueAt' | 'reason' | 'signedBy' | 'unitId'>): { original: Date; next: Date } {
    const original = instant(input.originalDueAt, 'originalDueAt');
    const next = instant(input.newDueAt, 'newDueAt');
    if (!input.reason.trim()) throw deadlineError(400, 'InvalidRequestException', 'deadlines.reasonRequired');
    if (!input.signedBy.trim()) throw deadlineError(400, 'InvalidRequestException', 'deadlines.signerRequired');
    if (next <= original) throw deadlineError(400, 'InvalidRequestException', 'deadlines.notAfterOriginal', { original: formatLocal(original) });
    const latest = deps.calendar.add(original, maxExtension, input.unitId || undefined);
    if (next > latest) throw deadlineError(400, 'InvalidRequestException', 'deadlines.beyondMaximum', { latest: formatLocal(latest) });
    return { original, next };
  }

  return {
    /** `tthc.remind-before-due` for a batch of dossiers (server/deadlines/remind.ts). */
    remind: (items: ReminderItem[]) => sendReminders(deps, items),

    /**
     * What the leader signs, checked before the "write the apology" task completes, so a bad date or a
     * second apology is refused at once (4xx) and nothing is written: the same rules as `issueApology`.
     */
    async checkApology(input: Pick<ApologyInput, 'dossierCode' | 'originalDueAt' | 'newDueAt' | 'reason' | 'signedBy' | 'unitId'>): Promise<void> {
      checkDates(input);
      const existing = await knex<ExtensionRow>('dossier_extension').where({ dossier_code: input.dossierCode }).first('new_due_at');
      if (existing) throw deadlineError(409, 'Conflict', 'deadlines.alreadyExtended', { code: input.dossierCode, until: formatLocal(existing.new_due_at) });
    },

    /**
     * Sets the dossier's one extension and tells the citizen. The same apology sent again (same new
     * date) answers the stored one; any other second apology is a 409. The date must be after the
     * original due date and no later than the statutory maximum.
     */
    async issueApology(input: ApologyInput): Promise<{ created: boolean; extension: Extension }> {
      const { original, next } = checkDates(input);
      const issuedAt = now();
      // Read before the transaction: on the embedded database the pool has one connection, so a read
      // outside `trx` while it is open would wait for itself.
      const d = await dossierOf(input.dossierCode);
      const { created, row } = await knex.transaction(async (trx) => {
        const inserted = await trx<ExtensionRow>('dossier_extension').insert({
          dossier_code: input.dossierCode, unit_id: input.unitId, original_due_at: original, new_due_at: next,
          reason: input.reason.trim(), signed_by: input.signedBy.trim(), issued_at: issuedAt, late: issuedAt > original,
        }).onConflict('dossier_code').ignore().returning('*');
        if (inserted.length) {
          // The dossier's own clock takes the extension in the same transaction (its second one is refused there too).
          if (d) {
            await deps.dossiers!.setExtension(d.id, { newDueAt: next, reason: input.reason.trim() }, { id: null, name: input.signedBy.trim() }, trx);
            await deps.dossiers!.recordEvent(d.id, { kind: 'apology', reason: input.reason.trim(), data: { newDueAt: formatLocal(next), late: issuedAt > original, form: '04' } }, { id: null, name: input.signedBy.trim() }, trx);
          }
          return { created: true, row: inserted[0]! };
        }
        // The insert was ignored on conflict, so the row exists.
        const existing = (await trx<ExtensionRow>('dossier_extension').where({ dossier_code: input.dossierCode }).first())!;
        if (existing.new_due_at.getTime() !== next.getTime()) {
          throw deadlineError(409, 'Conflict', 'deadlines.alreadyExtended', { code: input.dossierCode, until: formatLocal(existing.new_due_at) });
        }
        return { created: false, row: existing };
      });
      const extension = toExtension(row);
      // Keyed on the dossier: a repeated call sends nothing already sent.
      await deps.notifications.notifyCitizen({
        key: `${input.dossierCode}:citizen:apology`, template: 'apology', dossierCode: input.dossierCode, contact: input.contact,
        params: { dossierCode: input.dossierCode, reason: extension.reason, originalDueAt: extension.originalDueAt, newDueAt: extension.newDueAt, agency: input.agency ?? 'Cơ quan giải quyết' },
      });
      return { created, extension };
    },

    async extensionOf(dossierCode: string): Promise<Extension | undefined> {
      const r = await knex<ExtensionRow>('dossier_extension').where({ dossier_code: dossierCode }).first();
      return r ? toExtension(r) : undefined;
    },

    /**
     * At the (extended) due date: counts the dossier late once, tells the unit's leaders and the
     * province's inspectors, and raises the SOS. Idempotent on the dossier.
     */
    async markOverdue(input: { dossierCode: string; unitId: string; dueAt: string }): Promise<{ created: boolean; apologised: boolean; resolved?: boolean }> {
      const due = instant(input.dueAt, 'dueAt');
      const dossier = await dossierOf(input.dossierCode);
      if (dossier && dossier.status >= RESOLVED) return { created: false, apologised: false, resolved: true };
      const apology = await knex<ExtensionRow>('dossier_extension').where({ dossier_code: input.dossierCode }).first('dossier_code');
      const apologised = Boolean(apology);
      const rows = await knex<LateRow>('dossier_late').insert({
        dossier_code: input.dossierCode, unit_id: input.unitId, due_at: due, without_apology: !apologised,
      }).onConflict('dossier_code').ignore().returning('dossier_code');
      await deps.notifications.notifyStaff({
        key: `${input.dossierCode}:overdue:${formatLocal(due)}`, template: 'overdue', dossierCode: input.dossierCode,
        params: { dossierCode: input.dossierCode, dueAt: formatLocal(due), apologised },
        roles: [{ role: 'leader', unitId: input.unitId }, { role: 'inspector', unitId: oversight }],
      });
      if (dossier?.instanceId && deps.sos) {
        await deps.sos.raiseAutomatic(dossier.instanceId, apologised
          ? `Quá hạn giải quyết (${formatLocal(due)})`
          : `Quá hạn giải quyết (${formatLocal(due)}), chưa có thư xin lỗi`, 'workers');
      }
      if (dossier && rows.length === 1) {
        await deps.dossiers!.recordEvent(dossier.id, { kind: 'overdue', data: { dueAt: formatLocal(due), withoutApology: !apologised } }, WORKER_ACTOR);
      }
      return { created: rows.length === 1, apologised };
    },

    /** Late dossiers of a period, and how many of them had no apology (the scorecard's input). */
    async lateCounts(from: Date, to: Date): Promise<{ late: number; withoutApology: number }> {
      const r = await knex('dossier_late').where('counted_at', '>=', from).andWhere('counted_at', '<', to)
        .first<{ late: number; withoutApology: number } | undefined>(knex.raw('count(*)::int as late'), knex.raw('count(*) filter (where without_apology)::int as "withoutApology"'));
      return { late: r?.late ?? 0, withoutApology: r?.withoutApology ?? 0 };
    },
  };
}

export type DeadlinesService = ReturnType<typeof createDeadlinesService>;
