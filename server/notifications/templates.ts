import { z } from 'zod';
import { formatLocal, parseInstant } from '../calendar/index.js';
import { notificationKey } from './messages.js';

/**
 * Vietnamese message templates. Citizens are told four things (accepted, supplement requested,
 * apology with a new date, result ready); staff get reminders and warnings in the platform.
 * Parameters are validated per template, so a worker sending a malformed request gets a 400.
 */

/** "17:00, 23/02/2026" (Vietnamese local time), for the English text of a staff notice. */
const enDateTime = (iso: string): string => vnDateTime(iso).replace(' ngày ', ', ');

/** "17:00 ngày 23/02/2026", read from the Vietnamese local time (formatLocal), never hand-shifted. */
export function vnDateTime(iso: string): string {
  const d = parseInstant(iso);
  if (!d) return iso;
  const l = formatLocal(d); // 2026-02-23T17:00:00+07:00
  return `${l.slice(11, 16)} ngày ${l.slice(8, 10)}/${l.slice(5, 7)}/${l.slice(0, 4)}`;
}

const instant = z.string().refine((s) => parseInstant(s) !== undefined, notificationKey('notifications.notInstant'));
const code = z.string().min(1).max(64);
const text = z.string().min(1).max(2000);

interface Template<S extends z.ZodType> {
  params: S;
  render(p: z.infer<S>): { subject: string; body: string };
  /** The English text of a staff notice, when the template has one (the bell shows the reader's language). */
  renderEn?(p: z.infer<S>): { subject: string; body: string };
}

function tpl<S extends z.ZodType>(params: S, render: (p: z.infer<S>) => { subject: string; body: string }, renderEn?: (p: z.infer<S>) => { subject: string; body: string }): Template<S> {
  return { params, render, ...(renderEn ? { renderEn } : {}) };
}

export const CITIZEN_TEMPLATES = {
  accepted: tpl(z.object({ dossierCode: code, procedureName: text, dueAt: instant }).strict(), (p) => ({
    subject: `Hồ sơ ${p.dossierCode} đã được tiếp nhận`,
    body: `Hồ sơ ${p.dossierCode} (${p.procedureName}) đã được tiếp nhận. Ngày hẹn trả kết quả: ${vnDateTime(p.dueAt)}. `
      + `Tra cứu tình trạng hồ sơ bằng mã ${p.dossierCode}.`,
  })),
  supplement: tpl(z.object({ dossierCode: code, reason: text, deadline: instant.optional() }).strict(), (p) => ({
    subject: `Hồ sơ ${p.dossierCode}: đề nghị bổ sung, hoàn thiện`,
    body: `Hồ sơ ${p.dossierCode} cần bổ sung, hoàn thiện: ${p.reason}.`
      + (p.deadline ? ` Đề nghị bổ sung trước ${vnDateTime(p.deadline)}.` : ''),
  })),
  apology: tpl(z.object({ dossierCode: code, reason: text, originalDueAt: instant, newDueAt: instant, agency: text }).strict(), (p) => ({
    subject: `Hồ sơ ${p.dossierCode}: thư xin lỗi và hẹn lại ngày trả kết quả`,
    body: `${p.agency} xin lỗi vì hồ sơ ${p.dossierCode} chưa thể trả kết quả đúng hẹn (${vnDateTime(p.originalDueAt)}). `
      + `Lý do: ${p.reason}. Ngày hẹn trả kết quả mới: ${vnDateTime(p.newDueAt)}.`,
  })),
  'result-ready': tpl(z.object({ dossierCode: code, where: text }).strict(), (p) => ({
    subject: `Hồ sơ ${p.dossierCode} đã có kết quả`,
    body: `Hồ sơ ${p.dossierCode} đã có kết quả. Nhận kết quả tại: ${p.where}.`,
  })),
} as const;

export const STAFF_TEMPLATES = {
  'remind-before-due': tpl(z.object({ dossierCode: code, dueAt: instant, step: text.optional() }).strict(), (p) => ({
    subject: `Hồ sơ ${p.dossierCode} sắp đến hạn`,
    body: `Hồ sơ ${p.dossierCode} đến hạn trả kết quả lúc ${vnDateTime(p.dueAt)}`
      + (p.step ? `, đang ở bước "${p.step}"` : '') + '. Đề nghị xử lý hoặc lập thư xin lỗi (mẫu 04) nếu không kịp hạn.',
  }), (p) => ({
    subject: `Dossier ${p.dossierCode} is nearly due`,
    body: `Dossier ${p.dossierCode} is due at ${enDateTime(p.dueAt)}`
      + (p.step ? `, now at step "${p.step}"` : '') + '. Please handle it, or write an apology letter (form 04) if it cannot be done in time.',
  })),
  'write-apology': tpl(z.object({ dossierCode: code, dueAt: instant }).strict(), (p) => ({
    subject: `Lập thư xin lỗi (mẫu 04) cho hồ sơ ${p.dossierCode}`,
    body: `Hồ sơ ${p.dossierCode} có nguy cơ quá hạn (${vnDateTime(p.dueAt)}). Đề nghị ký thư xin lỗi, nêu lý do và ngày hẹn mới trước hạn.`,
  }), (p) => ({
    subject: `Write the apology letter (form 04) for dossier ${p.dossierCode}`,
    body: `Dossier ${p.dossierCode} may miss its due time (${enDateTime(p.dueAt)}). Please sign an apology letter with the reason and the new date.`,
  })),
  overdue: tpl(z.object({ dossierCode: code, dueAt: instant, apologised: z.boolean() }).strict(), (p) => ({
    subject: `Hồ sơ ${p.dossierCode} đã quá hạn`,
    body: `Hồ sơ ${p.dossierCode} đã quá hạn trả kết quả (${vnDateTime(p.dueAt)})`
      + (p.apologised ? '.' : ' và chưa có thư xin lỗi.') + ' Đã phát tín hiệu SOS.',
  }), (p) => ({
    subject: `Dossier ${p.dossierCode} is overdue`,
    body: `Dossier ${p.dossierCode} missed its due time (${enDateTime(p.dueAt)})`
      + (p.apologised ? '.' : ' and has no apology letter.') + ' An SOS was raised.',
  })),
  'consultation-request': tpl(z.object({ dossierCode: code, question: text, replyBy: instant }).strict(), (p) => ({
    subject: `Đề nghị cho ý kiến về hồ sơ ${p.dossierCode}`,
    body: `Đề nghị cho ý kiến: ${p.question}. Hạn trả lời: ${vnDateTime(p.replyBy)}.`,
  }), (p) => ({
    subject: `Request for an opinion on dossier ${p.dossierCode}`,
    body: `Please give your opinion: ${p.question}. Reply by ${enDateTime(p.replyBy)}.`,
  })),
  'consultation-overdue': tpl(z.object({ dossierCode: code, replyBy: instant, days: z.number().int().min(0) }).strict(), (p) => ({
    subject: `Quá hạn trả lời ý kiến về hồ sơ ${p.dossierCode}`,
    body: `Đề nghị cho ý kiến về hồ sơ ${p.dossierCode} đã quá hạn trả lời (${vnDateTime(p.replyBy)})`
      + (p.days > 0 ? `, chậm ${p.days} ngày làm việc.` : '.') + ' Đề nghị trả lời và giải trình lý do chậm.',
  }), (p) => ({
    subject: `Opinion on dossier ${p.dossierCode} is overdue`,
    body: `The request for an opinion on dossier ${p.dossierCode} was due ${enDateTime(p.replyBy)}`
      + (p.days > 0 ? `, ${p.days} working day(s) late.` : '.') + ' Please reply and explain the delay.',
  })),
  // The author of a process version is told of the decision on it (server/lifecycle/notify.ts).
  'process-approved': tpl(z.object({ procedure: text, version: z.number().int().min(1), approver: text, decisionNumber: text, effectiveDate: text }).strict(), (p) => ({
    subject: `Quy trình "${p.procedure}" phiên bản ${p.version} đã được phê duyệt`,
    body: `${p.approver} đã phê duyệt phiên bản ${p.version} của quy trình "${p.procedure}" (Quyết định số ${p.decisionNumber}, hiệu lực từ ngày ${p.effectiveDate}).`,
  }), (p) => ({
    subject: `Process "${p.procedure}" version ${p.version} was approved`,
    body: `${p.approver} approved version ${p.version} of the process "${p.procedure}" (decision no. ${p.decisionNumber}, effective ${p.effectiveDate}).`,
  })),
  'process-rejected': tpl(z.object({ procedure: text, version: z.number().int().min(1), approver: text, comment: text }).strict(), (p) => ({
    subject: `Quy trình "${p.procedure}" phiên bản ${p.version} bị trả lại`,
    body: `${p.approver} đã trả lại phiên bản ${p.version} của quy trình "${p.procedure}". Lý do: ${p.comment}. Có thể tạo bản nháp mới từ phiên bản này để chỉnh sửa.`,
  }), (p) => ({
    subject: `Process "${p.procedure}" version ${p.version} was rejected`,
    body: `${p.approver} rejected version ${p.version} of the process "${p.procedure}". Reason: ${p.comment}. You can start a new draft from this version to rework it.`,
  })),
  'process-activated': tpl(z.object({ procedure: text, version: z.number().int().min(1), by: text }).strict(), (p) => ({
    subject: `Quy trình "${p.procedure}" phiên bản ${p.version} đã được áp dụng`,
    body: `Phiên bản ${p.version} của quy trình "${p.procedure}" được áp dụng (${p.by}): hồ sơ tiếp nhận từ nay chạy theo phiên bản này; hồ sơ đang xử lý giữ phiên bản cũ.`,
  }), (p) => ({
    subject: `Process "${p.procedure}" version ${p.version} is now active`,
    body: `Version ${p.version} of the process "${p.procedure}" was activated (${p.by}): dossiers received from now on follow it; dossiers in progress keep the earlier version.`,
  })),
  'consultation-answered': tpl(z.object({ dossierCode: code, agency: text, opinion: z.enum(['agree', 'agree_with_conditions', 'disagree']), late: z.boolean() }).strict(), (p) => ({
    subject: `${p.agency} đã trả lời ý kiến về hồ sơ ${p.dossierCode}`,
    body: `${p.agency} đã trả lời: ${{ agree: 'đồng ý', agree_with_conditions: 'đồng ý có điều kiện', disagree: 'không đồng ý' }[p.opinion]}`
      + (p.late ? ' (trả lời chậm, có giải trình lý do).' : '.') + ' Quy trình xử lý hồ sơ tiếp tục.',
  }), (p) => ({
    subject: `${p.agency} answered the request for an opinion on dossier ${p.dossierCode}`,
    body: `${p.agency} answered: ${{ agree: 'agree', agree_with_conditions: 'agree with conditions', disagree: 'disagree' }[p.opinion]}`
      + (p.late ? ' (late, with an explanation).' : '.') + ' The dossier\'s process continues.',
  })),
  'portal-unacknowledged': tpl(z.object({ dossierCode: code, since: instant }).strict(), (p) => ({
    subject: `Cổng DVC quốc gia chưa xác nhận hồ sơ ${p.dossierCode}`,
    body: `Bản ghi đồng bộ hồ sơ ${p.dossierCode} gửi từ ${vnDateTime(p.since)} chưa được Cổng Dịch vụ công quốc gia xác nhận sau 2 giờ làm việc.`,
  }), (p) => ({
    subject: `The national portal has not acknowledged dossier ${p.dossierCode}`,
    body: `The sync record of dossier ${p.dossierCode} sent ${enDateTime(p.since)} has not been acknowledged by the national public-service portal after 2 working hours.`,
  })),
  'portal-rejected': tpl(z.object({ dossierCode: code, error: text }).strict(), (p) => ({
    subject: `Cổng DVC quốc gia từ chối bản ghi của hồ sơ ${p.dossierCode}`,
    body: `Cổng Dịch vụ công quốc gia từ chối bản ghi đồng bộ hồ sơ ${p.dossierCode} vì dữ liệu không hợp lệ: ${p.error}. Đề nghị kiểm tra, sửa dữ liệu và gửi lại.`,
  }), (p) => ({
    subject: `The national portal refused the record of dossier ${p.dossierCode}`,
    body: `The national public-service portal refused the sync record of dossier ${p.dossierCode} as invalid: ${p.error}. Please check and correct the data, then send it again.`,
  })),
} as const;

/** Email to an agency outside the platform (a consultation sent by the consultation capability). */
export const AGENCY_TEMPLATES = {
  'consultation-request': tpl(z.object({ dossierCode: code, question: text, replyBy: instant, requester: text, agency: text }).strict(), (p) => ({
    subject: `${p.requester} đề nghị cho ý kiến về hồ sơ ${p.dossierCode}`,
    body: `Kính gửi: ${p.agency}.\n\n${p.requester} đề nghị Quý cơ quan cho ý kiến về hồ sơ ${p.dossierCode}: ${p.question}.\n`
      + `Hạn trả lời: ${vnDateTime(p.replyBy)}. Đề nghị trả lời bằng văn bản (thư điện tử hoặc công văn), ghi rõ ý kiến: `
      + 'đồng ý / đồng ý có điều kiện / không đồng ý. Trường hợp trả lời sau hạn, đề nghị nêu rõ lý do chậm trễ.',
  })),
  'consultation-overdue': tpl(z.object({ dossierCode: code, replyBy: instant, requester: text, agency: text }).strict(), (p) => ({
    subject: `Nhắc: quá hạn cho ý kiến về hồ sơ ${p.dossierCode}`,
    body: `Kính gửi: ${p.agency}.\n\nĐề nghị cho ý kiến của ${p.requester} về hồ sơ ${p.dossierCode} đã quá hạn trả lời (${vnDateTime(p.replyBy)}). `
      + 'Đề nghị Quý cơ quan trả lời và giải trình bằng văn bản lý do chậm trễ.',
  })),
} as const;

export type CitizenTemplate = keyof typeof CITIZEN_TEMPLATES;
export type AgencyTemplate = keyof typeof AGENCY_TEMPLATES;
export type StaffTemplate = keyof typeof STAFF_TEMPLATES;
