import type { TopicHandler } from '../runner.js';

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * `tthc.consultation.request`: opens the consultation through the platform API. The platform reads
 * the step's `tthc:consultAgency` / `tthc:replyDeadline` from the deployed drawing; variables of the
 * same names (e.g. Camunda 7 input mappings) take precedence. Idempotent on dossier + step: a task
 * delivered twice finds the consultation open. The process then waits at its message catch event
 * (`tthc.consultation.reply`), which the platform correlates when the reply is recorded.
 */
export const requestConsultation: TopicHandler = async (ctx) => {
  const v = ctx.vars;
  const documents = Array.isArray(v.consultDocuments) ? v.consultDocuments : undefined;
  const { body } = await ctx.api.post<{ id: string; replyDueAt: string; created: boolean }>('/consultations', {
    dossierCode: ctx.dossier,
    stepKey: ctx.task.activityId,
    processInstanceId: ctx.task.processInstanceId,
    processDefinitionId: ctx.task.processDefinitionId,
    ...(text(v.consultAgency) ? { consultAgency: text(v.consultAgency) } : {}),
    ...(text(v.replyDeadline) ? { replyDeadline: text(v.replyDeadline) } : {}),
    ...(text(v.consultQuestion) ? { question: text(v.consultQuestion) } : {}),
    ...(documents ? { documents } : {}),
  });
  ctx.log.info({ consultationId: body.id, created: body.created }, 'consultation open');
  return { consultationId: body.id, consultationReplyBy: body.replyDueAt };
};

/**
 * `tthc.consultation.overdue` (the consultation watch process): at the reply deadline and then each
 * working day, one reminder per working day (the platform keys it on consultation + day). Returns
 * `answered`, or the next reminder's `dueAt` for the watch's timer.
 */
export const remindConsultation: TopicHandler = async (ctx) => {
  const id = text(ctx.vars.consultationId);
  const dueAt = text(ctx.vars.dueAt);
  if (!id || !dueAt) throw new Error('consultationId and dueAt variables are required');
  const { body } = await ctx.api.post<{ answered: boolean; reminded: boolean; nextAt: string | null }>(`/consultations/${encodeURIComponent(id)}/remind`, { dueAt });
  return body.answered || !body.nextAt ? { answered: true } : { answered: false, dueAt: body.nextAt };
};
