import type { HandlerContext, TopicHandler } from '../runner.js';
import { contactOf } from './notify.js';

interface EngineTask { id: string; name: string | null; assignee: string | null; processInstanceId: string; taskDefinitionKey: string }

/** A return step ("trả kết quả") needs no reminder: the result is ready. */
const RETURN_STEP = /(^|[^a-z])return|tra[ _-]?ket[ _-]?qua|trả kết quả/i;

/** Open user tasks of the dossier's own process (not the watch process this task belongs to). */
async function dossierTasks(ctx: HandlerContext): Promise<EngineTask[]> {
  const tasks = await ctx.engine.get<EngineTask[]>(`/task?processInstanceBusinessKey=${encodeURIComponent(ctx.dossier)}`);
  return tasks.filter((t) => t.processInstanceId !== ctx.task.processInstanceId);
}

/**
 * `tthc.remind-before-due`: the current assignees, the division head and the leader of the dossier's
 * unit are told in the platform; the leader is asked to write the apology (form 04). The watch process
 * then puts the "write the apology" task in the leader's tasklist unless `reminderSkipped`.
 */
export const remindBeforeDue: TopicHandler = async (ctx) => {
  const dueAt = String(ctx.vars.dueAt ?? '');
  const unitId = String(ctx.vars.unitId ?? '');
  if (Number(ctx.vars.dossierStatus ?? 0) >= 9) return { reminderSkipped: true };
  const tasks = await dossierTasks(ctx);
  if (tasks.length && tasks.every((t) => RETURN_STEP.test(`${t.taskDefinitionKey} ${t.name ?? ''}`))) return { reminderSkipped: true };
  const step = tasks[0]?.name ?? undefined;
  const assignees = [...new Set(tasks.map((t) => t.assignee).filter((a): a is string => Boolean(a)))];
  await ctx.api.post('/notifications/staff', {
    key: `${ctx.dossier}:remind:${dueAt}`, template: 'remind-before-due', dossierCode: ctx.dossier,
    params: { dossierCode: ctx.dossier, dueAt, ...(step ? { step } : {}) },
    usernames: assignees, roles: [{ role: 'division-head', unitId }, { role: 'leader', unitId }],
  });
  await ctx.api.post('/notifications/staff', {
    key: `${ctx.dossier}:write-apology:${dueAt}`, template: 'write-apology', dossierCode: ctx.dossier, link: '#/tasks',
    params: { dossierCode: ctx.dossier, dueAt }, roles: [{ role: 'leader', unitId }],
  });
  return { reminderSkipped: false };
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
