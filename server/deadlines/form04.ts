import type { AdminDocument, Block } from '../documents/index.js';
import { formDocument, vnDate, vnDateTime, type Dossier, type FormContext } from '../dossiers/index.js';
import { deadlineError } from './messages.js';

/** What form 04 prints of the recorded apology (`dossier_extension`, or the dossier's own extension fields). */
export interface ApologyRecord {
  originalDueAt: string;
  newDueAt: string;
  reason: string;
  /** The head of agency who signed; empty when the extension was set without a signed apology. */
  signedBy: string;
  issuedAt: string;
}

/** The apology on record for a dossier: the signed one first, else the dossier's one extension; none → 409. */
export function apologyRecordOf(d: Dossier, signed: ApologyRecord | undefined): ApologyRecord {
  if (signed) return signed;
  if (d.originalDueAt && d.dueAt && d.extendedAt) {
    return { originalDueAt: d.originalDueAt, newDueAt: d.dueAt, reason: d.extensionReason ?? '', signedBy: '', issuedAt: d.extendedAt };
  }
  throw deadlineError(409, 'Conflict', 'deadlines.noApology', { code: d.code });
}

/**
 * Mẫu 04 (TT 01/2018/TT-VPCP, kept by TT 03/2025/TT-VPCP Phụ lục I): Phiếu xin lỗi và hẹn lại ngày
 * trả kết quả — addressee, received date, procedure, receipt number, original due date and hour, the
 * reason for the delay, the apology, the new date, signed by the head of the agency. Every date is
 * the stored one.
 */
export function buildForm04(d: Dossier, a: ApologyRecord, ctx: FormContext): AdminDocument {
  const who = d.applicant.kind === 'organisation' ? 'Tổ chức' : 'Ông/Bà';
  const body: Block[] = [
    { kind: 'paragraph', align: 'center', text: [{ text: 'Kính gửi: ' }, { text: d.applicant.fullName, bold: true }] },
    { kind: 'paragraph', indent: true, text: `${d.receivedAt ? `N${vnDate(d.receivedAt).slice(1)}, ` : ''}${ctx.unitName} tiếp nhận giải quyết hồ sơ đề nghị giải quyết thủ tục hành chính của ${who}:` },
    { kind: 'fields', rows: [
      { label: 'Thủ tục hành chính', value: `${d.procedureCode ? `${d.procedureCode} — ` : ''}${d.procedureName ?? ''}` },
      { label: 'Số Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mã hồ sơ)', value: d.code },
      ...(d.receivedAt ? [{ label: 'Thời gian tiếp nhận', value: vnDateTime(d.receivedAt), plain: true }] : []),
      { label: 'Thời hạn trả kết quả giải quyết hồ sơ', value: vnDateTime(a.originalDueAt) },
    ] },
    { kind: 'paragraph', indent: true, text: `Tuy nhiên đến nay, ${ctx.unitName} chưa trả kết quả giải quyết hồ sơ của ${who} đúng thời hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.` },
    { kind: 'fields', rows: [{ label: 'Lý do', value: a.reason || '—' }] },
    { kind: 'paragraph', indent: true, text: [
      { text: `Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của ${who}. ${ctx.unitName} xin lỗi ${who} và sẽ trả kết quả giải quyết hồ sơ cho ${who} vào ` },
      { text: vnDateTime(a.newDueAt), bold: true }, { text: '.' },
    ] },
    { kind: 'paragraph', indent: true, text: `Xin trân trọng cảm ơn sự hợp tác của ${who}./.` },
    { kind: 'signatures', blocks: [
      { title: '' },
      { title: 'Thủ trưởng cơ quan', note: '(Ký, ghi rõ họ tên và đóng dấu)', name: a.signedBy || undefined },
    ] },
  ];
  return formDocument(d, ctx, 'Phiếu xin lỗi và hẹn lại ngày trả kết quả', `Số: ${d.seq}/XL`, a.issuedAt, body);
}
