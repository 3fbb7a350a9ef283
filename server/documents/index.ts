/**
 * The one generator of administrative documents (văn bản hành chính) for print: forms 01–07
 * (TT 03/2025/TT-VPCP), notices, registers. Every capability describes its document as an
 * `AdminDocument` value and renders it here; nobody lays out a PDF or DOCX by hand.
 *
 * ```ts
 * import { renderPdf, renderDocx, sendDocument, type AdminDocument } from '../documents/index.js';
 *
 * const doc: AdminDocument = {
 *   pageSize: 'A5',                      // 'A4' (default) | 'A5'; orientation: 'portrait' (default) | 'landscape'
 *   header: {                            // NĐ 30/2020 title block; the national motto is always printed on the right
 *     parentAgency: 'UBND tỉnh Bình Thuận', agency: 'UBND xã Phú Long',
 *     number: 'Số: 12/GTN', placeDate: 'Phú Long, ngày 30 tháng 11 năm 2026',
 *   },
 *   title: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',   // printed bold, upper case, centred
 *   subtitle: ['Mã hồ sơ: XPL-261130-0001'],
 *   body: [
 *     { kind: 'fields', rows: [{ label: 'Họ và tên', value: 'Nguyễn Văn A' }] },          // "Label: value" lines
 *     { kind: 'paragraph', text: 'Nội dung…', align: 'justify' },                         // text or [{text, bold, italic}]
 *     { kind: 'heading', text: '1. Thành phần hồ sơ' },
 *     { kind: 'table', columns: [{ title: 'STT', width: 24, align: 'center' }, { title: 'Tên giấy tờ' }], rows: [['1', 'Tờ khai']] },
 *     { kind: 'list', items: ['…'], ordered: true },
 *     { kind: 'signatures', blocks: [{ title: 'Người nộp', note: '(Ký, ghi rõ họ tên)' }, { title: 'Người tiếp nhận', name: 'Trần B' }] },
 *     { kind: 'spacer', height: 8 },
 *   ],
 * };
 * const pdf: Buffer = await renderPdf(doc);   // pdfmake on the server, Tinos (Times New Roman metrics)
 * const docx: Buffer = await renderDocx(doc); // docx, Times New Roman
 * sendDocument(res, doc, 'pdf', 'mau-01-XPL-261130-0001');  // sets type + Content-Disposition
 * ```
 *
 * Fonts: `@fontsource/tinos` ships one WOFF per Unicode subset; each is converted to TrueType once
 * and registered as its own pdfmake family, and text is split into runs by the subset covering
 * each code point (input normalised to NFC, so NFD text renders too). Sizes: 13 pt on A4, 12 on A5.
 * Dates in words: `vietnameseDateWords('2026-11-30')` → "ngày 30 tháng 11 năm 2026".
 */
import type { Response } from 'express';
import { renderDocx } from './docx.js';
import type { AdminDocument } from './model.js';
import { renderPdf } from './pdf.js';

export type { AdminDocument, Block } from './model.js';
export { vietnameseDateWords } from './model.js';

export type DocumentFormat = 'pdf' | 'docx';

const CONTENT_TYPES: Record<DocumentFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

async function renderDocument(doc: AdminDocument, format: DocumentFormat): Promise<Buffer> {
  return format === 'pdf' ? renderPdf(doc) : renderDocx(doc);
}

/** Renders and sends the document as a download named `<baseName>.<format>` (ASCII name plus UTF-8 filename*). */
export async function sendDocument(res: Response, doc: AdminDocument, format: DocumentFormat, baseName: string): Promise<void> {
  const body = await renderDocument(doc, format);
  const ascii = baseName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').replace(/[^A-Za-z0-9._-]+/g, '-');
  res.status(200).setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('Content-Disposition', `inline; filename="${ascii}.${format}"; filename*=UTF-8''${encodeURIComponent(baseName)}.${format}`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}
