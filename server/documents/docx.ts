import {
  AlignmentType, BorderStyle, Document, LevelFormat, Packer, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType,
  type IParagraphOptions,
} from 'docx';
import type { AdminDocument, Align, Block, RichText, Run } from './model.js';

const FONT = 'Times New Roman';
/** Page sizes in twentieths of a point (portrait). */
const PAGE = { A4: { width: 11906, height: 16838 }, A5: { width: 8391, height: 11906 } };
const MM = 56.7;

const ALIGN: Record<Align, (typeof AlignmentType)[keyof typeof AlignmentType]> = {
  left: AlignmentType.LEFT, center: AlignmentType.CENTER, right: AlignmentType.RIGHT, justify: AlignmentType.JUSTIFIED,
};

const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };

function runs(text: RichText, size: number, base: { bold?: boolean; italics?: boolean; underline?: boolean } = {}): TextRun[] {
  const parts: Run[] = typeof text === 'string' ? [{ text }] : text;
  return parts.map((p) => new TextRun({
    text: p.text.normalize('NFC'), font: FONT, size: size * 2, bold: p.bold ?? base.bold, italics: p.italic ?? base.italics,
    underline: base.underline ? {} : undefined,
  }));
}

function para(text: RichText, size: number, opts: { bold?: boolean; italics?: boolean; underline?: boolean; align?: Align; after?: number; before?: number; indent?: boolean } = {}): Paragraph {
  const o: IParagraphOptions = {
    alignment: ALIGN[opts.align ?? 'left'],
    spacing: { before: opts.before ?? 0, after: opts.after ?? 60 },
    indent: opts.indent ? { firstLine: 567 } : undefined,
    children: runs(text, size, opts),
  };
  return new Paragraph(o);
}

function cell(children: Paragraph[], widthPct?: number, borders = true): TableCell {
  return new TableCell({
    children, width: widthPct ? { size: widthPct, type: WidthType.PERCENTAGE } : undefined,
    ...(borders ? {} : { borders: { top: NONE, bottom: NONE, left: NONE, right: NONE } }),
  });
}

function block(b: Block, size: number): Array<Paragraph | Table> {
  switch (b.kind) {
    case 'heading':
      return [para(b.text, size, { bold: true, align: b.align, before: 120 })];
    case 'paragraph':
      return [para(b.text, size, { bold: b.bold, italics: b.italic, align: b.align ?? 'justify', indent: b.indent })];
    case 'fields':
      return b.rows.map((r) => new Paragraph({ spacing: { after: 40 }, children: [...runs(`${r.label}: `, size), ...runs(r.value, size, { bold: !r.plain })] }));
    case 'list':
      return b.items.map((i) => new Paragraph({
        spacing: { after: 40 }, children: runs(i, size),
        ...(b.ordered ? { numbering: { reference: 'ordered', level: 0 } } : { bullet: { level: 0 } }),
      }));
    case 'table': {
      const fixed = b.columns.map((c) => (typeof c.width === 'number' ? c.width : 0));
      const flex = b.columns.filter((c) => typeof c.width !== 'number').length || 1;
      const totalFixed = fixed.reduce((a, n) => a + n, 0);
      const pct = b.columns.map((c, i) => (typeof c.width === 'number' ? (fixed[i]! / Math.max(400, totalFixed * 2.2)) * 100 : 0));
      const rest = Math.max(10, 100 - pct.reduce((a, n) => a + n, 0)) / flex;
      const widths = pct.map((p) => p || rest);
      return [new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: [
          new TableRow({ tableHeader: true, children: b.columns.map((c, i) => cell([para(c.title, size - 1, { bold: true, align: 'center', after: 0 })], widths[i])) }),
          ...b.rows.map((row) => new TableRow({ children: row.map((v, i) => cell([para(v, size - 1, { align: b.columns[i]?.align ?? 'left', after: 0 })], widths[i])) })),
        ],
      }), para('', size, { after: 0 })];
    }
    case 'signatures':
      return [new Table({
        width: { size: 100, type: WidthType.PERCENTAGE }, borders: NO_BORDERS,
        rows: [new TableRow({
          children: b.blocks.map((s) => cell([
            para(s.title.toUpperCase(), size, { bold: true, align: 'center', after: 0, before: 200 }),
            ...(s.note ? [para(s.note, size - 1, { italics: true, align: 'center', after: 0 })] : []),
            para('', size, { after: 1100 }),
            ...(s.name ? [para(s.name, size, { bold: true, align: 'center' })] : []),
          ], 100 / b.blocks.length, false)),
        })],
      })];
    case 'spacer':
      return [para('', size, { after: (b.height ?? 6) * 20 })];
  }
}

/** Renders the document to DOCX: Times New Roman, the NĐ 30/2020 title block, A4 or A5. */
export async function renderDocx(doc: AdminDocument): Promise<Buffer> {
  const size = doc.fontSize ?? (doc.pageSize === 'A5' ? 12 : 13);
  const page = PAGE[doc.pageSize ?? 'A4'];
  const landscape = doc.orientation === 'landscape';
  const small = doc.pageSize === 'A5';
  const h = doc.header;
  const titleBlock = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE }, borders: NO_BORDERS,
    rows: [new TableRow({
      children: [
        cell([
          ...(h.parentAgency ? [para(h.parentAgency.toUpperCase(), size - 1, { align: 'center', after: 0 })] : []),
          para(h.agency.toUpperCase(), size - 1, { bold: true, underline: true, align: 'center', after: 80 }),
          ...(h.number ? [para(h.number, size - 1, { align: 'center', after: 0 })] : []),
        ], 40, false),
        cell([
          para('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', small ? size - 2 : size - 1, { bold: true, align: 'center', after: 0 }),
          para('Độc lập - Tự do - Hạnh phúc', size, { bold: true, underline: true, align: 'center', after: 80 }),
          ...(h.placeDate ? [para(h.placeDate, size - 1, { italics: true, align: 'center', after: 0 })] : []),
        ], 60, false),
      ],
    })],
  });
  const d = new Document({
    creator: doc.meta?.author ?? h.agency, title: doc.meta?.title ?? doc.title, subject: doc.meta?.subject,
    styles: { default: { document: { run: { font: FONT, size: size * 2 } } } },
    numbering: { config: [{ reference: 'ordered', levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.LEFT }] }] },
    sections: [{
      properties: {
        page: {
          size: { width: page.width, height: page.height, orientation: landscape ? PageOrientation.LANDSCAPE : PageOrientation.PORTRAIT },
          margin: small ? { top: 15 * MM, bottom: 15 * MM, left: 20 * MM, right: 12 * MM } : { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM },
        },
      },
      children: [
        titleBlock,
        para(doc.title.toUpperCase(), size + 1, { bold: true, align: 'center', before: 240, after: 0 }),
        ...(doc.subtitle ?? []).map((s) => para(s, size, { italics: true, align: 'center', after: 0 })),
        para('', size, { after: 60 }),
        ...doc.body.flatMap((b) => block(b, size)),
      ],
    }],
  });
  return Packer.toBuffer(d);
}
