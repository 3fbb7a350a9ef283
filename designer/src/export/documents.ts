import { AlignmentType, Document, HeadingLevel, ImageRun, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { messages, type Lang } from '../i18n/messages.js';
import type { StepTable } from '../tthc/steps.js';
import { svgToPng } from './image.js';

export interface StepTableDoc {
  title: string;
  code: string;
  version: number;
  table: StepTable;
  svg: string;
  limitHours?: number;
  lang: Lang;
}

function labels(lang: Lang) {
  const m = messages[lang];
  return {
    heading: m['export.heading'], cols: [m['steps.col.step'], m['steps.col.who'], m['steps.col.task'], m['steps.col.time'], m['steps.col.form']],
    total: m['steps.total'], limit: m['export.limit'], diagram: m['export.diagram'],
  };
}

async function pngOf(svg: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const blob = await svgToPng(svg, 2);
  const bitmap = await createImageBitmap(blob);
  return { data: new Uint8Array(await blob.arrayBuffer()), width: bitmap.width / 2, height: bitmap.height / 2 };
}

function fit(w: number, h: number, maxW: number): { width: number; height: number } {
  const k = w > maxW ? maxW / w : 1;
  return { width: Math.round(w * k), height: Math.round(h * k) };
}

/** The step table (as annexed to the approval decision) and the diagram, as a Word document. */
export async function stepTableDocx(doc: StepTableDoc): Promise<Blob> {
  const l = labels(doc.lang);
  const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  const rows = [
    new TableRow({ tableHeader: true, children: l.cols.map((c) => cell(c, true)) }),
    ...doc.table.rows.map((r) => new TableRow({ children: [r.step, r.who, r.task, r.time, r.form].map((c) => cell(c)) })),
    new TableRow({ children: [cell(l.total, true), cell(''), cell(''), cell(doc.table.totalText, true), cell('')] }),
  ];
  const png = await pngOf(doc.svg);
  const size = fit(png.width, png.height, 600);
  const d = new Document({
    creator: 'TTHC', title: doc.title,
    sections: [{
      children: [
        new Paragraph({ heading: HeadingLevel.HEADING_1, alignment: AlignmentType.CENTER, children: [new TextRun(l.heading)] }),
        new Paragraph({ children: [new TextRun({ text: `${doc.code} — ${doc.title} (v${doc.version})`, bold: true })] }),
        doc.limitHours !== undefined ? new Paragraph(`${l.limit}: ${doc.limitHours} h`) : new Paragraph(''),
        new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows }),
        new Paragraph(''),
        new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(l.diagram)] }),
        new Paragraph({ children: [new ImageRun({ type: 'png', data: png.data, transformation: size })] }),
      ],
    }],
  });
  return Packer.toBlob(d);
}

/** The same content as a PDF; pdfmake's bundled Roboto has the Vietnamese glyphs. */
export async function stepTablePdf(doc: StepTableDoc): Promise<Blob> {
  const [{ default: pdfMake }, { default: vfs }] = await Promise.all([import('pdfmake/build/pdfmake.js'), import('pdfmake/build/vfs_fonts.js')]);
  pdfMake.addVirtualFileSystem?.(vfs);
  const l = labels(doc.lang);
  const png = await pngOf(doc.svg);
  const dataUrl = await new Promise<string>((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.readAsDataURL(new Blob([png.data as BlobPart], { type: 'image/png' }));
  });
  const definition = {
    pageOrientation: 'landscape',
    // Uncompressed text keeps the ToUnicode maps inspectable (the browser test checks the diacritics);
    // the diagram image is PNG-compressed anyway.
    compress: false,
    content: [
      { text: l.heading, style: 'h1', alignment: 'center' },
      { text: `${doc.code} — ${doc.title} (v${doc.version})`, bold: true, margin: [0, 8, 0, 4] },
      doc.limitHours !== undefined ? { text: `${l.limit}: ${doc.limitHours} h`, margin: [0, 0, 0, 8] } : { text: '' },
      {
        table: {
          headerRows: 1, widths: ['auto', '*', '*', 'auto', 'auto'],
          body: [
            l.cols.map((c) => ({ text: c, bold: true })),
            ...doc.table.rows.map((r) => [r.step, r.who, r.task, r.time, r.form]),
            [{ text: l.total, bold: true, colSpan: 3 }, '', '', { text: doc.table.totalText, bold: true, colSpan: 2 }, ''],
          ],
        },
      },
      { text: l.diagram, style: 'h2', margin: [0, 12, 0, 6], pageBreak: 'before' },
      { image: dataUrl, fit: [760, 480] },
    ],
    styles: { h1: { fontSize: 16, bold: true }, h2: { fontSize: 13, bold: true } },
    defaultStyle: { font: 'Roboto', fontSize: 10 },
  };
  const pdf = pdfMake.createPdf(definition);
  if (typeof pdf.getBlob === 'function') {
    const out = pdf.getBlob();
    return out instanceof Promise ? out : new Promise<Blob>((resolve) => pdf.getBlob(resolve));
  }
  return new Blob([await pdf.getBuffer()], { type: 'application/pdf' });
}
