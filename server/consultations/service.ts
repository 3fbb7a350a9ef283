import type { Knex } from 'knex';
import { onField } from '../http/errors.js';
import { LRUCache } from 'lru-cache';
import { formatLocal, parseBudget, type WorkingCalendar } from '../calendar/index.js';
import { formatDate, type TypedValue } from '../engine/index.js';
import { checkUploads, type FileStore } from '../files/index.js';
import type { Principal } from '../http/policy.js';
import type { Logger } from '../log.js';
import { vnDateTime, type NotificationService } from '../notifications/index.js';
import { parseBpmn } from '../validation/index.js';
import { processesOf, replyMessageAfter } from './rules.js';
import * as store from './store.js';
import { ANSWERED_MESSAGE, CONSULTATION_WATCH_KEY, REPLY_MESSAGE } from './watch.js';
import { consultationError } from './messages.js';

type Row = store.ConsultationRow;
type DocRef = store.DocRef;

export const OPINIONS = ['agree', 'agree_with_conditions', 'disagree'] as const;
type Opinion = (typeof OPINIONS)[number];
/** Roles that answer for their unit, and that record a reply received by email or on paper. */
const STAFF_ROLES = new Set(['specialist', 'division-head', 'leader', 'clerical', 'one-stop-officer']);
/** Roles told of a consultation, in the consulted unit and its divisions; a division's holders also answer for the department. */
const TOLD_ROLES = ['specialist', 'division-head', 'leader'];

interface ConsultationEngine {
  startProcess(input: { key: string; businessKey?: string | null; variables?: Record<string, TypedValue> }): Promise<{ id: string; ended: boolean }>;
  correlateMessage(input: { messageName: string; processInstanceId?: string | null; processVariables?: Record<string, TypedValue> }): Promise<unknown>;
  getDefinitionXml(id: string): Promise<{ bpmn20Xml: string }>;
}

/** What consultations need of the dossier record: its id and unit, and one row on its timeline. */
interface ConsultationDossiers {
  getByCode(code: string, p: null): Promise<{ id: string; unitId: string; instanceId: string | null }>;
  recordEvent(id: string, e: { kind: string; reason?: string; data?: unknown }, actor: { id: string | null; name: string }, db?: Knex | Knex.Transaction): Promise<void>;
}

export interface ConsultationDeps {
  knex: Knex;
  calendar: WorkingCalendar;
  notifications: Pick<NotificationService, 'notifyStaff' | 'notifyAgency' | 'channels'>;
  engine: ConsultationEngine;
  units: { visibleUnitIds(p: Pick<Principal, 'roles'>): Promise<string[] | 'all'> };
  dossiers?: ConsultationDossiers;
  files?: FileStore;
  log: Logger;
  now?: () => Date;
}

export interface OpenInput {
  dossierCode: string;
  stepKey: string;
  processInstanceId?: string;
  processDefinitionId?: string;
  consultAgency?: string;
  replyDeadline?: string;
  question?: string;
  documents?: DocRef[];
  requestingUnitId?: string;
  requestedBy?: string;
}

export interface ReplyInput { opinion: Opinion; text: string; explanation?: string; documents?: DocRef[] }
export interface HandReplyInput extends ReplyInput { receivedAt?: string; receivedVia: 'email' | 'paper' }
export interface Upload { name: string; buffer: Buffer }

export type DueColour = 'on-time' | 'near-due' | 'overdue' | 'answered' | 'answered-late';

const iso = (d: unknown) => (d ? formatLocal(new Date(d as string)) : null);
const json = <T>(v: unknown, fallback: T): T => (v == null ? fallback : typeof v === 'string' ? JSON.parse(v) as T : v as T);
const WORKERS = { id: null, name: 'workers' };

export function createConsultationService(deps: ConsultationDeps) {
  const { knex, calendar, log } = deps;
  const now = deps.now ?? (() => new Date());
  type DrawnStep = { name?: string; agency?: string; deadline?: string; replyMessage?: string };
  const stepCache = new LRUCache<string, Promise<Map<string, DrawnStep>>>({ max: 200 });

  /** `tthc:consultAgency` / `tthc:replyDeadline` of every step of a deployed definition, and the reply message its next event waits for. */
  async function stepsOf(definitionId: string) {
    let hit = stepCache.get(definitionId);
    if (!hit) {
      hit = deps.engine.getDefinitionXml(definitionId).then(async ({ bpmn20Xml }) => {
        const out = new Map<string, DrawnStep>();
        for (const { elements, flows } of processesOf((await parseBpmn(bpmn20Xml)).definitions)) {
          for (const el of elements) {
            if (!el.id || !el.get) continue;
            out.set(el.id, {
              name: el.name, agency: el.get('tthc:consultAgency') as string | undefined, deadline: el.get('tthc:replyDeadline') as string | undefined,
              replyMessage: replyMessageAfter(el, flows) || undefined,
            });
          }
        }
        return out;
      });
      hit.catch(() => stepCache.delete(definitionId));
      stepCache.set(definitionId, hit);
    }
    return hit;
  }

  function colour(c: Row, at = now()): DueColour {
    if (c.status === 'answered') return c.late ? 'answered-late' : 'answered';
    const due = new Date(c.reply_due_at);
    if (at > due) return 'overdue';
    const unit = c.consulted_unit_id ?? c.requesting_unit_id;
    return calendar.workingTimeBetween(at, due, unit).workingDays < 1 ? 'near-due' : 'on-time';
  }

  function view(c: Row) {
    return {
      id: c.id, dossierCode: c.dossier_code, dossierId: c.dossier_id ?? null, instanceId: c.instance_id ?? null,
      stepKey: c.step_key, stepName: c.step_name ?? null,
      requestingUnitId: c.requesting_unit_id, consultedUnitId: c.consulted_unit_id ?? null,
      agencyId: c.agency_id ?? null, agencyName: c.agency_name, external: !c.consulted_unit_id,
      question: c.question, documents: json<DocRef[]>(c.documents, []), replyDeadline: c.reply_deadline,
      sentAt: iso(c.sent_at)!, replyDueAt: iso(c.reply_due_at)!, status: c.status, dueState: colour(c),
      opinion: (c.opinion as Opinion | null) ?? null, replyText: c.reply_text ?? null, replyDocuments: json<DocRef[]>(c.reply_documents, []),
      repliedAt: iso(c.replied_at), repliedBy: c.replied_by_name ?? c.replied_by ?? null, recordedByHand: Boolean(c.recorded_by_hand),
      late: Boolean(c.late), delayExplanation: c.delay_explanation ?? null, remindersSent: Number(c.reminders_sent ?? 0),
    };
  }
  type View = ReturnType<typeof view>;

  /** The consulted unit's roles to tell: in the unit itself and in its divisions (who work its consultations). */
  async function toldRoles(unitId: string) {
    const units = await store.withDivisions(knex, unitId);
    return units.flatMap((u) => TOLD_ROLES.map((role) => ({ role, unitId: u })));
  }

  /** The units whose consultations `p` answers: where they hold a staff role, and the department above a division where they work. */
  async function answeringUnits(p: Principal): Promise<string[]> {
    const own = [...new Set(p.roles.filter((r) => STAFF_ROLES.has(r.role)).map((r) => r.unitId))];
    const inDivisions = [...new Set(p.roles.filter((r) => TOLD_ROLES.includes(r.role)).map((r) => r.unitId))];
    return [...new Set([...own, ...(await store.answeredFrom(knex, inDivisions))])];
  }

  /** The requesting unit's name for people (ids are for machines). */
  async function named<T extends { requestingUnitId: string }>(views: T[]): Promise<Array<T & { requestingUnitName: string }>> {
    const ids = [...new Set(views.map((v) => v.requestingUnitId))];
    const names = new Map((ids.length ? await knex('org_unit').whereIn('id', ids).select<Array<{ id: string; name: string }>>('id', 'name') : []).map((u) => [u.id, u.name]));
    return views.map((v) => ({ ...v, requestingUnitName: names.get(v.requestingUnitId) ?? v.requestingUnitId }));
  }

  async function dossierEvent(db: Knex | Knex.Transaction, c: Row, kind: string, reason: string | undefined, data: unknown, actor: { id: string | null; name: string }) {
    if (c.dossier_id && deps.dossiers) await deps.dossiers.recordEvent(c.dossier_id, { kind: `consultation-${kind}`, reason, data: { consultationId: c.id, agency: c.agency_name, ...(data as object) } }, actor, db);
  }

  /** The effects of an opened consultation, each idempotent: tell the consulted unit (or email the agency), start the reminders. */
  async function afterOpen(c: Row): Promise<void> {
    const replyBy = formatLocal(new Date(c.reply_due_at));
    if (c.consulted_unit_id) {
      await deps.notifications.notifyStaff({
        key: `${c.request_key}:consult-sent`, template: 'consultation-request', dossierCode: c.dossier_code, link: `#/consultations/${c.id}`,
        params: { dossierCode: c.dossier_code, question: c.question.slice(0, 2000), replyBy },
        roles: await toldRoles(c.consulted_unit_id),
      });
    } else {
      const agency = await store.agencyContact(knex, c.agency_id);
      if (agency?.email && deps.notifications.channels().includes('email')) {
        const requester = await store.unitName(knex, c.requesting_unit_id) ?? c.requesting_unit_id;
        const sent = await deps.notifications.notifyAgency({
          key: `${c.request_key}:consult-email`, template: 'consultation-request', dossierCode: c.dossier_code, email: agency.email,
          params: { dossierCode: c.dossier_code, question: c.question.slice(0, 2000), replyBy, requester, agency: agency.name },
        });
        if (sent.created) await store.addEvent(knex, { consultationId: c.id, kind: 'email-sent', actor: 'workers', data: { channel: 'email' } });
      }
    }
    // One watch per consultation: claim the slot first, so two workers never start two.
    const claimed = await knex('consultation').where({ id: c.id }).whereNull('watch_instance_id').update({ watch_instance_id: 'starting' }).returning('id');
    if (claimed.length && c.status === 'open') {
      try {
        const w = await deps.engine.startProcess({ key: CONSULTATION_WATCH_KEY, businessKey: c.dossier_code, variables: {
          consultationId: { value: c.id, type: 'String' }, dossierCode: { value: c.dossier_code, type: 'String' },
          unitId: { value: c.consulted_unit_id ?? c.requesting_unit_id, type: 'String' }, dueAt: { value: formatDate(new Date(c.reply_due_at)), type: 'Date' },
        } });
        await knex('consultation').where({ id: c.id }).update({ watch_instance_id: w.id });
      } catch (err) {
        await knex('consultation').where({ id: c.id }).update({ watch_instance_id: null });
        throw err;
      }
    }
  }

  /** The reply reaches the process (and ends the reminders). Not waiting yet → the relay tries again later. */
  async function correlate(c: Row): Promise<boolean> {
    if (c.watch_instance_id && c.watch_instance_id !== 'starting') {
      await deps.engine.correlateMessage({ messageName: ANSWERED_MESSAGE, processInstanceId: c.watch_instance_id }).catch(() => undefined);
    }
    if (!c.instance_id) return true;
    try {
      // The message the step's own catch event waits for: per step (`tthc.consultation.reply.<step>`), two
      // consultations waiting in parallel in one instance each get their own reply; `<step>_opinion` keeps both.
      await deps.engine.correlateMessage({ messageName: c.reply_message ?? REPLY_MESSAGE, processInstanceId: c.instance_id, processVariables: {
        consultationId: { value: c.id, type: 'String' }, consultationStep: { value: c.step_key, type: 'String' },
        consultationOpinion: { value: c.opinion, type: 'String' }, consultationLate: { value: Boolean(c.late), type: 'Boolean' },
        [`${c.step_key}_opinion`]: { value: c.opinion, type: 'String' },
      } });
    } catch (err) {
      log.debug({ consultationId: c.id, err: (err as Error).message }, 'consultation reply not correlated yet');
      await knex('consultation').where({ id: c.id }).increment('correlation_attempts', 1);
      return false;
    }
    await knex('consultation').where({ id: c.id }).update({ correlated_at: now() });
    return true;
  }

  async function mayReply(p: Principal, c: Row): Promise<boolean> {
    return !!c.consulted_unit_id && (await answeringUnits(p)).includes(c.consulted_unit_id);
  }
  function mayRecordByHand(p: Principal, c: Row): boolean {
    return p.roles.some((r) => STAFF_ROLES.has(r.role) && r.unitId === c.requesting_unit_id);
  }
  async function mayRead(p: Principal, c: Row): Promise<boolean> {
    const units = await deps.units.visibleUnitIds(p);
    return units === 'all' || units.includes(c.requesting_unit_id) || (!!c.consulted_unit_id && (units.includes(c.consulted_unit_id) || await mayReply(p, c)));
  }

  /** Writes the answer (shared by the consulted unit's reply and the officer's record by hand). */
  async function answer(p: Principal, id: string, input: ReplyInput, uploads: Upload[], opts: { byHand: boolean; receivedAt?: Date; check: (c: Row) => boolean | Promise<boolean> }): Promise<View> {
    const text = input.text.trim();
    if (!text) throw consultationError(400, 'InvalidRequestException', 'consultations.textRequired');
    const kinds = uploads.length ? checkUploads(uploads) : [];
    if (uploads.length && !deps.files) throw consultationError(503, 'FilesUnavailable', 'consultations.noFileStore');
    const at = now();
    const answeredAt = opts.receivedAt ?? at;
    if (answeredAt > at) throw consultationError(400, 'InvalidRequestException', 'consultations.receivedFuture');
    const pre = await store.byId(knex, id);
    if (!pre) throw consultationError(404, 'NotFound', 'consultations.notFound', { id });
    // Anyone but the consulted unit's staff (or, by hand, the requesting unit's) is refused, whatever they may read.
    if (!(await opts.check(pre))) {
      throw consultationError(403, 'Forbidden', opts.byHand ? 'consultations.onlyRequesterByHand' : 'consultations.onlyConsulted');
    }
    const row = await knex.transaction(async (trx) => {
      const c = (await store.byId(trx, id, true))!;
      if (c.status !== 'open') throw consultationError(409, 'Conflict', 'consultations.alreadyAnswered', { at: vnDateTime(iso(c.replied_at)!) });
      const late = answeredAt > new Date(c.reply_due_at);
      const explanation = input.explanation?.trim() || null;
      if (late && !explanation) {
        throw onField(consultationError(400, 'InvalidRequestException', 'consultations.lateNeedsExplanation', { due: vnDateTime(iso(c.reply_due_at)!) }), 'body.explanation');
      }
      const saved: DocRef[] = [...(input.documents ?? [])];
      for (const [i, f] of uploads.entries()) {
        const s = await deps.files!.save(trx, { type: 'consultation', id }, { name: f.name, buffer: f.buffer, mime: kinds[i]! });
        saved.push({ id: s.id, name: s.fileName });
      }
      const [updated] = await trx('consultation').where({ id }).update({
        status: 'answered', opinion: input.opinion, reply_text: text, reply_documents: JSON.stringify(saved), replied_at: answeredAt,
        replied_by: p.username, replied_by_name: p.displayName, recorded_by_hand: opts.byHand, late, delay_explanation: late ? explanation : null,
      }).returning<Row[]>('*');
      const actor = { id: p.userId, name: p.displayName };
      const data = { opinion: input.opinion, late, byHand: opts.byHand, documents: saved.length };
      await store.addEvent(trx, { consultationId: id, kind: 'answered', actor: p.username, data, at });
      await dossierEvent(trx, updated!, 'answered', text.slice(0, 500), data, actor);
      if (late) {
        await store.addEvent(trx, { consultationId: id, kind: 'late', actor: p.username, data: { replyDueAt: iso(c.reply_due_at) }, at });
        await store.addEvent(trx, { consultationId: id, kind: 'explanation', actor: p.username, data: { text: explanation }, at });
        await dossierEvent(trx, updated!, 'late', `Hạn trả lời ${vnDateTime(iso(c.reply_due_at)!)}`, { replyDueAt: iso(c.reply_due_at) }, actor);
        await dossierEvent(trx, updated!, 'explanation', explanation!, {}, actor);
      }
      return updated!;
    });
    await correlate(row).catch((err: Error) => log.warn({ consultationId: id, err: err.message }, 'consultation correlation failed; the relay retries'));
    // The requesting unit learns the answer (the officer recording it by hand already knows).
    if (!opts.byHand) {
      await deps.notifications.notifyStaff({
        key: `${row.request_key}:consult-answered`, template: 'consultation-answered', dossierCode: row.dossier_code, link: `#/consultations/${id}`,
        params: { dossierCode: row.dossier_code, agency: row.agency_name, opinion: row.opinion, late: Boolean(row.late) },
        roles: ['specialist', 'division-head'].map((role) => ({ role, unitId: row.requesting_unit_id })),
      }).catch((err: Error) => log.warn({ consultationId: id, err: err.message }, 'consultation answer notice failed'));
    }
    return view((await store.byId(knex, id))!);
  }

  const service = {
    view,

    /**
     * The worker's call at a `tthc.consultation.request` step. Idempotent on dossier + step: a task
     * delivered twice (two workers, an expired lock) finds the consultation open and only finishes
     * what is unfinished (notification, email, reminder watch), each itself keyed.
     */
    async open(input: OpenInput, internal: { sentAt?: Date; detached?: boolean; stepName?: string } = {}): Promise<{ created: boolean; consultation: View }> {
      const key = `${input.dossierCode}:${input.stepKey}`;
      const existing = await store.byKey(knex, key);
      if (existing) {
        await afterOpen(existing);
        return { created: false, consultation: view((await store.byId(knex, existing.id))!) };
      }
      const instance = input.processInstanceId
        ? await knex('engine_instance').where({ id: input.processInstanceId }).first<{ unit_id: string | null; definition_id: string } | undefined>('unit_id', 'definition_id') : undefined;
      const definitionId = input.processDefinitionId ?? instance?.definition_id;
      const drawn = definitionId ? (await stepsOf(definitionId)).get(input.stepKey) : undefined;
      const agencyText = input.consultAgency ?? drawn?.agency;
      const deadline = input.replyDeadline ?? drawn?.deadline;
      if (!agencyText?.trim()) throw consultationError(400, 'InvalidRequestException', 'consultations.noAgency', { step: input.stepKey });
      const target = await store.resolveTarget(knex, agencyText);
      if (!target) throw consultationError(400, 'InvalidRequestException', 'consultations.unknownAgency', { agency: agencyText });
      const budget = deadline ? parseBudget(deadline) : undefined;
      if (!budget) throw consultationError(400, 'InvalidRequestException', 'consultations.badDeadline', { deadline: deadline ?? '' });
      const dossier = deps.dossiers ? await deps.dossiers.getByCode(input.dossierCode, null).catch(() => undefined) : undefined;
      const requestingUnitId = instance?.unit_id ?? dossier?.unitId ?? input.requestingUnitId;
      if (!requestingUnitId) throw consultationError(400, 'InvalidRequestException', 'consultations.noRequestingUnit');
      if (target.kind === 'unit' && target.unitId === requestingUnitId) throw consultationError(400, 'InvalidRequestException', 'consultations.notItself');
      const sentAt = internal.sentAt ?? now();
      const dueAt = calendar.add(sentAt, budget, target.kind === 'unit' ? target.unitId : requestingUnitId);
      const stepName = drawn?.name ?? internal.stepName ?? null;
      const question = input.question?.trim() || `${stepName ?? input.stepKey} — hồ sơ ${input.dossierCode}`;
      // Without a list from the process, the dossier's own files go with the request (readable through the consultation).
      const documents = input.documents ?? (dossier && deps.files
        ? (await deps.files.list(knex, { type: 'dossier', id: dossier.id })).map((f) => ({ id: f.id, name: f.label ? `${f.label} — ${f.fileName}` : f.fileName }))
        : []);
      const { created, row } = await knex.transaction(async (trx) => {
        const r = await store.insertOnce(trx, {
          request_key: key, dossier_code: input.dossierCode, dossier_id: dossier?.id ?? null, instance_id: internal.detached ? null : input.processInstanceId ?? dossier?.instanceId ?? null,
          step_key: input.stepKey, step_name: stepName, reply_message: drawn?.replyMessage ?? null, requesting_unit_id: requestingUnitId,
          consulted_unit_id: target.kind === 'unit' ? target.unitId : null, agency_id: target.kind === 'external' ? target.agencyId : null, agency_name: target.name,
          question: question.slice(0, 4000), documents: JSON.stringify(documents), reply_deadline: deadline!.trim(), sent_at: sentAt, reply_due_at: dueAt,
        });
        if (r.created) {
          const data = { replyDueAt: formatLocal(dueAt), external: target.kind === 'external', stepKey: input.stepKey };
          await store.addEvent(trx, { consultationId: r.row.id, kind: 'sent', actor: input.requestedBy ?? 'workers', data, at: sentAt });
          await dossierEvent(trx, r.row, 'sent', question.slice(0, 500), data, WORKERS);
        }
        return r;
      });
      await afterOpen(row);
      return { created, consultation: view((await store.byId(knex, row.id))!) };
    },

    /**
     * The watch's timer fell due (`dueAt`): one reminder for that working day to the consulted unit
     * (or the outside agency by email) and the requester's division head. Returns when to remind next.
     */
    async remind(id: string, dueAtText: string): Promise<{ answered: boolean; reminded: boolean; nextAt: string | null }> {
      const c = await store.byId(knex, id);
      if (!c) throw consultationError(404, 'NotFound', 'consultations.notFound', { id });
      if (c.status !== 'open') return { answered: true, reminded: false, nextAt: null };
      const due = new Date(dueAtText);
      if (Number.isNaN(due.getTime())) throw consultationError(400, 'InvalidRequestException', 'consultations.dueNotInstant');
      const unit = c.consulted_unit_id ?? c.requesting_unit_id;
      const fired = due < new Date(c.reply_due_at) ? new Date(c.reply_due_at) : due;
      const day = formatLocal(fired).slice(0, 10);
      const lateDays = Math.floor(calendar.workingTimeBetween(new Date(c.reply_due_at), fired, unit).workingDays + 1e-9);
      const replyBy = formatLocal(new Date(c.reply_due_at));
      const reminded = await knex.transaction(async (trx) => {
        const fresh = await store.addReminder(trx, { consultationId: id, day, data: { day, lateDays }, at: now() });
        if (fresh) {
          await trx('consultation').where({ id }).increment('reminders_sent', 1);
          await dossierEvent(trx, c, 'reminded', undefined, { day, lateDays }, WORKERS);
        }
        return fresh;
      });
      const roles = [{ role: 'division-head', unitId: c.requesting_unit_id }];
      if (c.consulted_unit_id) roles.push(...await toldRoles(c.consulted_unit_id));
      await deps.notifications.notifyStaff({
        key: `${c.request_key}:consult-overdue:${day}`, template: 'consultation-overdue', dossierCode: c.dossier_code, link: `#/consultations/${c.id}`,
        params: { dossierCode: c.dossier_code, replyBy, days: lateDays }, roles,
      });
      if (!c.consulted_unit_id) {
        const agency = await store.agencyContact(knex, c.agency_id);
        if (agency?.email && deps.notifications.channels().includes('email')) {
          const requester = await store.unitName(knex, c.requesting_unit_id) ?? c.requesting_unit_id;
          await deps.notifications.notifyAgency({
            key: `${c.request_key}:consult-email-overdue:${day}`, template: 'consultation-overdue', dossierCode: c.dossier_code, email: agency.email,
            params: { dossierCode: c.dossier_code, replyBy, requester, agency: agency.name },
          });
        }
      }
      // The next working day, same hour: computed from the day just reminded, so a late timer never skips a day's reminder.
      let next = calendar.add(fired, { workingDays: 1 }, unit);
      for (let i = 0; next <= now() && i < 400; i++) next = calendar.add(next, { workingDays: 1 }, unit);
      return { answered: false, reminded, nextAt: formatLocal(next) };
    },

    async list(p: Principal, q: { side: 'incoming' | 'outgoing'; status?: 'open' | 'answered'; dossierCode?: string; page: number; pageSize: number }) {
      const visible = await deps.units.visibleUnitIds(p);
      // Incoming: also the departments whose consultations reach the caller's division.
      const units = visible === 'all' || q.side === 'outgoing' ? visible : [...new Set([...visible, ...await answeringUnits(p)])];
      const { rows, total } = await store.list(knex, { side: q.side, units, status: q.status, dossierCode: q.dossierCode, limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
      return { items: await named(rows.map(view)), total, page: q.page, pageSize: q.pageSize };
    },

    async get(p: Principal, id: string): Promise<View & { requestingUnitName: string; events: Array<{ kind: string; at: string; actor: string | null; actorName: string | null; data: unknown }>; may: { reply: boolean; recordByHand: boolean } }> {
      const c = await store.byId(knex, id);
      if (!c || !(await mayRead(p, c))) throw consultationError(404, 'NotFound', 'consultations.notFound', { id });
      const evs = await store.events(knex, id);
      return {
        ...(await named([view(c)]))[0]!,
        events: evs.map((e) => ({ kind: e.kind, at: iso(e.at)!, actor: e.actor ?? null, actorName: e.actor_name ?? null, data: json(e.data, null) })),
        may: { reply: c.status === 'open' && await mayReply(p, c), recordByHand: c.status === 'open' && !c.consulted_unit_id && mayRecordByHand(p, c) },
      };
    },

    /** The consulted unit's answer: opinion, text, documents; after the deadline only with an explanation. */
    reply: (p: Principal, id: string, input: ReplyInput, uploads: Upload[] = []) =>
      answer(p, id, input, uploads, { byHand: false, check: (c) => mayReply(p, c) }),

    /** An agency outside the platform answered by email or on paper: an officer of the requesting unit records it. */
    async recordByHand(p: Principal, id: string, input: HandReplyInput, uploads: Upload[] = []): Promise<View> {
      const pre = await store.byId(knex, id);
      if (pre?.consulted_unit_id && (await mayRead(p, pre))) {
        throw consultationError(409, 'Conflict', 'consultations.answersItself');
      }
      const receivedAt = input.receivedAt ? new Date(input.receivedAt) : undefined;
      if (receivedAt && Number.isNaN(receivedAt.getTime())) throw consultationError(400, 'InvalidRequestException', 'consultations.receivedNotInstant');
      return answer(p, id, input, uploads, { byHand: true, receivedAt, check: (c) => mayRecordByHand(p, c) });
    },

    /** Files attached to a reply, for those who may read the consultation. */
    async file(p: Principal, id: string, fileId: string) {
      const c = await store.byId(knex, id);
      if (!c || !(await mayRead(p, c)) || !deps.files) throw consultationError(404, 'NotFound', 'consultations.fileNotFound');
      // A reply's own file, or one of the dossier's files sent with the request.
      const sentWith = c.dossier_id && json<DocRef[]>(c.documents, []).some((d) => d.id === fileId);
      const f = await deps.files.read(knex, { type: 'consultation', id }, fileId)
        ?? (sentWith && c.dossier_id ? await deps.files.read(knex, { type: 'dossier', id: c.dossier_id }, fileId) : undefined);
      if (!f) throw consultationError(404, 'NotFound', 'consultations.fileNotFound');
      return f;
    },

    /** Timeline entries of a process instance's consultations (for the tasks timeline's `extra`). */
    async timelineEntries(instanceId: string) {
      const rows = await store.eventsOfInstance(knex, instanceId);
      return rows.map((e) => {
        const consulted = e.kind === 'answered' || e.kind === 'late' || e.kind === 'explanation';
        return {
          at: new Date(e.at).toISOString(), kind: `consultation-${e.kind}`, by: e.actor ?? null, byName: e.actor_name ?? null,
          unitId: consulted ? (e.consulted_unit_id ?? null) : e.requesting_unit_id,
          unitName: (consulted ? (e.consulted_unit_name ?? (e.consulted_unit_id ? null : e.agency_name)) : e.requesting_unit_name) ?? null,
          stepKey: e.step_key, stepName: e.step_name, comment: e.kind === 'explanation' ? (json<{ text?: string }>(e.data, {}).text ?? null) : e.agency_name,
        };
      });
    },

    /** Replies whose message has not reached the process yet: tried again (the relay calls this every 3 s, about an hour at most). */
    async relay(): Promise<number> {
      let done = 0;
      for (const c of await store.uncorrelated(knex, 50, 1200)) if (await correlate(c)) done++;
      return done;
    },

    agencies: () => store.listAgencies(knex),
    async saveAgency(a: { id: string; name: string; email: string | null }) {
      if (await knex('org_unit').where({ id: a.id }).first('id')) throw consultationError(409, 'Conflict', 'consultations.agencyIsUnit', { id: a.id });
      await store.upsertAgency(knex, a);
      return (await store.listAgencies(knex)).find((x) => x.id === a.id)!;
    },
    resolveTarget: (text: string) => store.resolveTarget(knex, text),
  };
  return service;
}

export type ConsultationService = ReturnType<typeof createConsultationService>;
