import type { HandlerContext, TopicHandler } from '../runner.js';

/** The citizen's contact from `applicantEmail`/`applicantPhone` or an `applicant` Json variable. */
export function contactOf(vars: Record<string, unknown>): { email?: string; phone?: string } {
  const a = (vars.applicant && typeof vars.applicant === 'object' ? vars.applicant : {}) as Record<string, unknown>;
  const email = (vars.applicantEmail ?? a.email) as string | undefined;
  const phone = (vars.applicantPhone ?? a.phone) as string | undefined;
  return { ...(email ? { email: String(email) } : {}), ...(phone ? { phone: String(phone) } : {}) };
}

function paramsFor(template: string, ctx: HandlerContext): Record<string, unknown> {
  const v = ctx.vars;
  switch (template) {
    case 'accepted': return { dossierCode: ctx.dossier, procedureName: String(v.procedureName ?? ''), dueAt: String(v.dueAt ?? '') };
    case 'supplement': return { dossierCode: ctx.dossier, reason: String(v.supplementReason ?? ''), ...(v.supplementDeadline ? { deadline: String(v.supplementDeadline) } : {}) };
    case 'result-ready': return { dossierCode: ctx.dossier, where: String(v.resultWhere ?? 'Bộ phận Một cửa') };
    default: return {};
  }
}

/**
 * `tthc.notify-citizen`: `notifyTemplate` = accepted | supplement | result-ready. The effect key is
 * the dossier and the template (plus `notifyRound` when a step can repeat), so a redelivered task
 * finds the message already sent.
 */
export const notifyCitizen: TopicHandler = async (ctx) => {
  const template = String(ctx.vars.notifyTemplate ?? '');
  const round = ctx.vars.notifyRound ? `:${String(ctx.vars.notifyRound)}` : '';
  const key = `${ctx.dossier}:citizen:${template}${round}`;
  const { body } = await ctx.api.post<{ created: boolean; deliveries: Array<{ channel: string; status: string }> }>('/notifications/citizen', {
    key, template, params: paramsFor(template, ctx), dossierCode: ctx.dossier, contact: contactOf(ctx.vars),
  });
  ctx.log.info({ created: body.created, channels: body.deliveries.map((d) => d.channel) }, 'citizen notified');
  return { [`notified_${template}`]: true };
};
