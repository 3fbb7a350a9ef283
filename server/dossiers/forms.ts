import { localDate, localDateTime } from '../calendar/index.js';
import type { AdminDocument, Block } from '../documents/index.js';
import { vietnameseDateWords } from '../documents/index.js';
import type { Dossier } from './types.js';
import { dossierError } from './messages.js';

/**
 * Forms of TT 03/2025/TT-VPCP (Phụ lục I) built from the stored dossier: 01 receipt and appointment,
 * 02 supplement request, 03 refusal, 05 stop notice. Every date printed is the stored one.
 */
export type FormNo = '01' | '02' | '03' | '05';

export interface FormContext {
  unitName: string;
  parentUnitName?: string;
  /** Short place name for the date line ("Phú Long"). */
  place?: string;
  officerName?: string;
}

const COPY: Record<string, string> = { original: 'Bản chính', copy: 'Bản sao', either: 'Bản chính hoặc bản sao' };

/** "14 giờ 30 phút, ngày 02/12/2026" in Vietnamese time. */
export function vnDateTime(isoText: string): string {
  const [date, time] = localDateTime(new Date(isoText)).split(' ') as [string, string];
  return `${time.slice(0, 2)} giờ ${time.slice(3, 5)} phút, ngày ${date.split('-').reverse().join('/')}`;
}

export const vnDate = (isoText: string) => vietnameseDateWords(localDate(new Date(isoText)));

function limitText(d: Dossier): string {
  return d.limit.unit === 'days' ? `${d.limit.value} ngày làm việc` : `${d.limit.value} giờ làm việc`;
}

function applicantRows(d: Dossier): Array<{ label: string; value: string; plain?: boolean }> {
  const a = d.applicant;
  const rows = [
    { label: a.kind === 'organisation' ? 'Tên tổ chức' : 'Họ và tên người nộp', value: a.fullName },
    { label: a.kind === 'organisation' ? 'Mã số thuế' : 'Số định danh cá nhân', value: a.idNumber || '—', plain: true },
    { label: 'Địa chỉ', value: a.address || '—', plain: true },
    { label: 'Số điện thoại', value: a.phone || '—', plain: true },
    { label: 'Email', value: a.email || '—', plain: true },
  ];
  if (d.proxy) rows.push({ label: 'Người được ủy quyền', value: `${d.proxy.fullName}${d.proxy.idNumber ? ` (${d.proxy.idNumber})` : ''}`, plain: true });
  return rows;
}

/** The common frame of a dossier form: title block (agency, number, place and date), title, the dossier code. */
export function formDocument(d: Dossier, ctx: FormContext, title: string, number: string, at: string, body: Block[]): AdminDocument {
  return {
    pageSize: 'A4',
    header: {
      parentAgency: ctx.parentUnitName, agency: ctx.unitName, number,
      placeDate: `${ctx.place ?? ''}${ctx.place ? ', ' : ''}${vnDate(at)}`,
    },
    title,
    subtitle: [`Mã hồ sơ: ${d.code}`],
    body,
    meta: { title: `${title} — ${d.code}`, author: ctx.unitName },
  };
}

function form01(d: Dossier, ctx: FormContext): AdminDocument {
  if (!d.receivedAt || !d.dueAt) throw dossierError(409, 'Conflict', 'dossiers.notAccepted', { code: d.code });
  const body: Block[] = [
    { kind: 'paragraph', text: `${ctx.unitName} tiếp nhận hồ sơ của:` },
    { kind: 'fields', rows: applicantRows(d) },
    { kind: 'fields', rows: [{ label: 'Nội dung yêu cầu giải quyết', value: `${d.procedureName ?? ''}${d.content ? ` — ${d.content}` : ''}` }] },
    { kind: 'heading', text: '1. Thành phần hồ sơ và số lượng mỗi loại giấy tờ gồm:' },
    {
      kind: 'table',
      columns: [{ title: 'STT', width: 28, align: 'center' }, { title: 'Tên loại giấy tờ' }, { title: 'Bản chính / bản sao', width: 110 }, { title: 'Số lượng', width: 50, align: 'center' }],
      rows: d.components.map((c, i) => [String(i + 1), c.name, COPY[c.copyType ?? 'either'] ?? '', String(c.quantity)]),
    },
    { kind: 'fields', rows: [
      { label: '2. Số lượng hồ sơ', value: '01 bộ', plain: true },
      { label: '3. Thời gian giải quyết hồ sơ theo quy định', value: limitText(d) },
      { label: '4. Thời gian nhận hồ sơ', value: vnDateTime(d.receivedAt) },
      { label: '5. Thời gian trả kết quả giải quyết hồ sơ', value: vnDateTime(d.dueAt) },
      ...(d.originalDueAt ? [{ label: '   (hẹn lại từ', value: `${vnDateTime(d.originalDueAt)})`, plain: true }] : []),
      { label: '6. Nhận kết quả tại', value: `Bộ phận Một cửa — ${ctx.unitName}`, plain: true },
      { label: '7. Vào Sổ theo dõi hồ sơ', value: `Quyển số ${localDate(new Date(d.receivedAt)).slice(0, 4)}, số thứ tự ${d.seq}`, plain: true },
    ] },
    { kind: 'signatures', blocks: [
      { title: 'Người nộp hồ sơ', note: '(Ký và ghi rõ họ tên)', name: d.applicant.fullName },
      { title: 'Người tiếp nhận hồ sơ', note: '(Ký và ghi rõ họ tên)', name: ctx.officerName },
    ] },
  ];
  return formDocument(d, ctx, 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả', `Số: ${d.code}`, d.receivedAt, body);
}

function form02(d: Dossier, ctx: FormContext): AdminDocument {
  const s = d.supplement;
  if (!s) throw dossierError(409, 'Conflict', 'dossiers.noSupplementRequest', { code: d.code });
  const body: Block[] = [
    { kind: 'paragraph', text: `${ctx.unitName} đã nhận hồ sơ đề nghị giải quyết thủ tục hành chính của:` },
    { kind: 'fields', rows: applicantRows(d).slice(0, 3) },
    { kind: 'fields', rows: [{ label: 'Nội dung yêu cầu giải quyết', value: d.procedureName ?? '' }] },
    { kind: 'paragraph', text: 'Sau khi xem xét, hồ sơ đề nghị giải quyết chưa đầy đủ, chưa hợp lệ. Đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:' },
    { kind: 'list', ordered: true, items: s.items },
    ...(s.reason ? [{ kind: 'fields', rows: [{ label: 'Lý do', value: s.reason, plain: true }] } as Block] : []),
    { kind: 'paragraph', text: 'Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ người tiếp nhận hồ sơ để được hướng dẫn. Thời gian chờ bổ sung không tính vào thời hạn giải quyết.', italic: true },
    { kind: 'signatures', blocks: [{ title: 'Người tiếp nhận hồ sơ', note: '(Ký và ghi rõ họ tên)', name: s.requestedBy }] },
  ];
  return formDocument(d, ctx, 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ', `Số: ${d.code}/BS`, s.requestedAt, body);
}

function form03(d: Dossier, ctx: FormContext): AdminDocument {
  const r = d.refusal;
  if (!r) throw dossierError(409, 'Conflict', 'dossiers.notRefused', { code: d.code });
  const body: Block[] = [
    { kind: 'paragraph', text: `${ctx.unitName} tiếp nhận hồ sơ đề nghị giải quyết thủ tục hành chính của:` },
    { kind: 'fields', rows: applicantRows(d).slice(0, 3) },
    { kind: 'fields', rows: [{ label: 'Nội dung yêu cầu giải quyết', value: d.procedureName ?? '' }] },
    { kind: 'paragraph', text: 'Sau khi xem xét, đối chiếu với quy định, cơ quan không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:' },
    { kind: 'list', ordered: true, items: r.reasons },
    { kind: 'paragraph', text: 'Xin thông báo để Ông/Bà được biết.', italic: true },
    { kind: 'signatures', blocks: [{ title: 'Người tiếp nhận hồ sơ', note: '(Ký và ghi rõ họ tên)', name: r.by }] },
  ];
  return formDocument(d, ctx, 'Phiếu từ chối tiếp nhận giải quyết hồ sơ', `Số: ${d.code}/TC`, r.at, body);
}

function form05(d: Dossier, ctx: FormContext): AdminDocument {
  const s = d.stop;
  if (!s) throw dossierError(409, 'Conflict', 'dossiers.notStopped', { code: d.code });
  const body: Block[] = [
    { kind: 'fields', rows: [
      { label: 'Hồ sơ', value: d.code },
      { label: 'Thủ tục', value: d.procedureName ?? '' },
      { label: 'Người nộp', value: d.applicant.fullName },
      ...(d.receivedAt ? [{ label: 'Ngày tiếp nhận', value: vnDateTime(d.receivedAt), plain: true }] : []),
    ] },
    { kind: 'paragraph', text: `${ctx.unitName} thông báo dừng giải quyết hồ sơ nêu trên.` },
    { kind: 'fields', rows: [{ label: 'Lý do', value: s.reason }, { label: 'Ngày dừng', value: vnDateTime(s.at), plain: true }] },
    { kind: 'signatures', blocks: [{ title: `Thủ trưởng cơ quan`, note: '(Ký, ghi rõ họ tên và đóng dấu)' }] },
  ];
  return formDocument(d, ctx, 'Thông báo dừng giải quyết hồ sơ', `Số: ${d.code}/DXL`, s.at, body);
}

export function buildForm(no: FormNo, d: Dossier, ctx: FormContext): AdminDocument {
  switch (no) {
    case '01': return form01(d, ctx);
    case '02': return form02(d, ctx);
    case '03': return form03(d, ctx);
    case '05': return form05(d, ctx);
  }
}
