import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { formatLocal } from '../calendar/index.js';
import { vietnameseDateWords, type AdminDocument } from '../documents/index.js';
import { STATUS_NAMES, isStatus } from '../dossiers/index.js';


const REGISTER_COLUMNS = [
  'STT', 'Mã hồ sơ', 'Tên thủ tục', 'Tổ chức, cá nhân', 'Cơ quan chủ trì giải quyết', 'Ngày nhận', 'Ngày hẹn trả',
  'Ngày chuyển hồ sơ', 'Ngày trả kết quả', 'Hình thức nhận kết quả', 'Ghi chú',
] as const;

const COLLECT: Record<string, string> = { 'in-person': 'Trực tiếp', post: 'Bưu chính', online: 'Trực tuyến' };
const day = (d: Date | string | null | undefined) => {
  if (!d) return '';
  const l = formatLocal(new Date(d));
  return `${l.slice(8, 10)}/${l.slice(5, 7)}/${l.slice(0, 4)}`;
};

export interface RegisterQuery { unitId: string; from: Date; to: Date }

/** One line of the register as the query below returns it (dossier columns, names joined, timestamptz as Date). */
interface RegisterLine {
  id: string; code: string; applicant: { fullName?: string } | null; received_at: Date | null; due_at: Date | null; resolved_at: Date | null;
  returned_at: Date | null; collection_method: string | null; status: number; instance_id: string | null;
  procedure_name: string | null; competent_name: string | null; transferred_at: Date | null;
}

/** Form 07 (Sổ theo dõi hồ sơ): the dossiers a unit received in a period, one line each, in order of receipt. */
export async function registerRows(knex: Knex, q: RegisterQuery): Promise<string[][]> {
  const rows = await knex('dossier as d')
    .leftJoin('procedure as p', 'p.id', 'd.procedure_id')
    .leftJoin('org_unit as c', 'c.id', 'd.competent_unit_id')
    .where('d.unit_id', q.unitId).where('d.received_at', '>=', q.from).where('d.received_at', '<', q.to)
    .orderBy('d.received_at').orderBy('d.seq')
    .select<RegisterLine[]>('d.id', 'd.code', 'd.applicant', 'd.received_at', 'd.due_at', 'd.resolved_at', 'd.returned_at', 'd.collection_method', 'd.status', 'd.instance_id',
      'p.name as procedure_name', 'c.name as competent_name',
      // Transferred: the first hand-over of the one-stop office to the resolving steps.
      knex.raw('(select min(e.at) from task_event e where e.instance_id = d.instance_id and e.kind = ?) as transferred_at', ['completed']));
  return rows.map((r, i) => [
    String(i + 1), r.code, r.procedure_name ?? '', r.applicant?.fullName ?? '', r.competent_name ?? '',
    day(r.received_at), day(r.due_at), day(r.transferred_at), day(r.returned_at), r.collection_method ? COLLECT[r.collection_method] ?? r.collection_method : '',
    isStatus(r.status) ? STATUS_NAMES[r.status].vi : String(r.status),
  ]);
}

export function registerDocument(unitName: string, parentName: string | null, q: RegisterQuery, rows: string[][]): AdminDocument {
  const today = formatLocal(new Date()).slice(0, 10);
  return {
    pageSize: 'A4', orientation: 'landscape', fontSize: 10,
    header: { parentAgency: parentName ?? undefined, agency: unitName, placeDate: vietnameseDateWords(today) },
    title: 'Sổ theo dõi hồ sơ',
    subtitle: [`Từ ngày ${day(q.from)} đến ngày ${day(new Date(q.to.getTime() - 1))}`],
    body: [{ kind: 'table', columns: REGISTER_COLUMNS.map((title, i) => ({ title, width: i === 0 ? 24 : i === 2 || i === 3 ? '*' : 'auto' as const, align: i === 0 ? 'center' as const : undefined })), rows }],
    meta: { title: 'Sổ theo dõi hồ sơ', subject: 'Mẫu số 07' },
  };
}

/** The register as an .xlsx workbook (exceljs): one sheet, header row frozen, Times New Roman. */
export async function registerXlsx(unitName: string, q: RegisterQuery, rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'TTHC';
  const ws = wb.addWorksheet('Sổ theo dõi', { views: [{ state: 'frozen', ySplit: 3 }], pageSetup: { paperSize: 9, orientation: 'landscape' } });
  ws.addRow([`SỔ THEO DÕI HỒ SƠ — ${unitName}`]).font = { name: 'Times New Roman', bold: true, size: 13 };
  ws.addRow([`Từ ngày ${day(q.from)} đến ngày ${day(new Date(q.to.getTime() - 1))}`]).font = { name: 'Times New Roman', italic: true };
  const head = ws.addRow([...REGISTER_COLUMNS]);
  head.font = { name: 'Times New Roman', bold: true };
  head.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  for (const r of rows) ws.addRow([Number(r[0]), ...r.slice(1)]).font = { name: 'Times New Roman' };
  const widths = [6, 20, 40, 26, 28, 12, 12, 14, 14, 14, 22];
  widths.forEach((w, i) => { ws.getColumn(i + 1).width = w; });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
