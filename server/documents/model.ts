/**
 * A small declarative model of an administrative document (văn bản hành chính, NĐ 30/2020 layout):
 * a title block (issuing agency on the left, the national motto on the right), a title, then blocks.
 * The same value renders to PDF (`renderPdf`) and DOCX (`renderDocx`).
 */
export interface AdminDocument {
  /** A4 (default) or A5. */
  pageSize?: 'A4' | 'A5';
  orientation?: 'portrait' | 'landscape';
  /** Base font size in points (Times metrics): 13 by default; 12 fits A5 forms. */
  fontSize?: number;
  header: {
    /** The agency above the issuer, upper case in the output (e.g. "UBND tỉnh Bình Thuận"); optional. */
    parentAgency?: string;
    /** The issuing agency (bold, upper case). */
    agency: string;
    /** "Số: …" under the agency; optional. */
    number?: string;
    /** Place and date line under the motto ("Phú Long, ngày 30 tháng 11 năm 2026"); optional. */
    placeDate?: string;
  };
  title: string;
  /** Lines under the title (e.g. "Mã hồ sơ: …"), italic. */
  subtitle?: string[];
  body: Block[];
  /** Document metadata (PDF info, DOCX core properties). */
  meta?: { title?: string; subject?: string; author?: string };
}

export type Align = 'left' | 'center' | 'right' | 'justify';

/** A piece of text with its own emphasis. */
export interface Run { text: string; bold?: boolean; italic?: boolean }
export type RichText = string | Run[];

export type Block =
  | { kind: 'heading'; text: string; align?: Align }
  | { kind: 'paragraph'; text: RichText; align?: Align; italic?: boolean; bold?: boolean; indent?: boolean }
  /** "Label: value" lines; the label in normal weight, the value in bold unless `plain`. */
  | { kind: 'fields'; rows: Array<{ label: string; value: string; plain?: boolean }> }
  | { kind: 'list'; items: RichText[]; ordered?: boolean }
  | { kind: 'table'; columns: Array<{ title: string; width?: number | '*' | 'auto'; align?: Align }>; rows: string[][] }
  /** Signature blocks side by side: title (bold, upper case), note (italic), space to sign, name. */
  | { kind: 'signatures'; blocks: Array<{ title: string; note?: string; name?: string }> }
  | { kind: 'spacer'; height?: number };

/** "ngày 30 tháng 11 năm 2026" for a Vietnamese calendar date (YYYY-MM-DD). */
export function vietnameseDateWords(date: string): string {
  const [y, m, d] = date.split('-');
  return `ngày ${d} tháng ${m} năm ${y}`;
}
