import { createBatcher } from '../batch.js';
import { Refused, type Http } from '../http.js';
import type { TopicHandler } from '../runner.js';
import { contactOf } from './notify.js';

interface ReminderItem { dossierCode: string; dueAt: string; unitId: string }
type ReminderAnswer = { dossierCode: string; reminderSkipped?: boolean; error?: string };

/** One batcher per platform connection: the reminders of one fetch go in one call. */
const batchers = new WeakMap<Http, (item: ReminderItem) => Promise<ReminderAnswer>>();
function reminderBatcher(api: Http) {
  let b = batchers.get(api);
  if (!b) {
    b = createBatcher<ReminderItem, ReminderAnswer>(async (items) => (await api.post<{ items: ReminderAnswer[] }>('/apologies/reminders', { items })).body.items, { max: 200, waitMs: 5 });
    batchers.set(api, b);
  }
  return b;
}

/**
 * `tthc.remind-before-due`: the current assignees, the division head and the leader of the dossier's
 * unit are told in the platform; the leader is asked to write the apology (form 04). The platform
 * decides from its own records whether the dossier is closed or at its return step (then
 * `reminderSkipped`: no reminder, no apology task) — one call for all the reminders of a fetch
 * (`POST /api/apologies/reminders`), keyed on dossier + due date. The watch process then puts the
 * "write the apology" task in the leader's tasklist unless `reminderSkipped`.
 */
export const remindBeforeDue: TopicHandler = async (ctx) => {
  if (Number(ctx.vars.dossierStatus ?? 0) >= 9) return { reminderSkipped: true };
  const answer = await reminderBatcher(ctx.api)({ dossierCode: ctx.dossier, dueAt: String(ctx.vars.dueAt ?? ''), unitId: String(ctx.vars.unitId ?? '') });
  if (answer.error) throw new Refused(400, 'BadRequest', `POST /apologies/reminders → 400 ${answer.error}`);
  return { reminderSkipped: Boolean(answer.reminderSkipped) };
};

/**
 * `tthc.apology.issue`: the leader's signed apology (reason, new date) becomes the dossier's single
 * extension; the platform refuses a bad date or a second apology with a 4xx, which sends the
 * "write the apology" task back to the leader (`apologyIssued` false, `apologyError` says why)
 * instead of raising an incident.
 */
export const issueApology: TopicHandler = async (ctx) => {
  const v = ctx.vars;
  try {
    const { body } = await ctx.api.post<{ newDueAt: string; late: boolean }>('/apologies', {
      dossierCode: ctx.dossier,
      unitId: String(v.unitId ?? ''),
      originalDueAt: String(v.dueAt ?? ''),
      newDueAt: String(v.apologyNewDueAt ?? ''),
      reason: String(v.apologyReason ?? ''),
      signedBy: String(v.apologySignedBy ?? ''),
      procedureName: v.procedureName ? String(v.procedureName) : undefined,
      contact: contactOf(v),
    });
    return { apologyIssued: true, apologyError: null, dueAt: body.newDueAt, apologyLate: body.late };
  } catch (err) {
    const e = err as { status?: number; message: string };
    if (e.status && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403) {
      return { apologyIssued: false, apologyError: e.message.slice(0, 500) };
    }
    throw err;
  }
};

/**
 * `tthc.overdue.escalate`: fires at the due date. If the due date moved later meanwhile (an apology
 * extended it), nothing happens and the watch waits again; otherwise the platform records the
 * dossier as late (and "late without apology" when none was issued) and raises the SOS.
 */
export const escalateOverdue: TopicHandler = async (ctx) => {
  const dueAt = String(ctx.vars.dueAt ?? '');
  const due = Date.parse(dueAt);
  if (Number.isFinite(due) && due > Date.now() + 1000) return { escalated: false };
  const { body } = await ctx.api.post<{ apologised: boolean }>('/apologies/overdue', {
    dossierCode: ctx.dossier, unitId: String(ctx.vars.unitId ?? ''), dueAt,
  });
  return { escalated: true, lateWithoutApology: !body.apologised };
};
