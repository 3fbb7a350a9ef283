import {
  AlignmentType, BorderStyle, Document, Footer, Header, ImageRun, PageOrientation, Packer, Paragraph, Table, TableCell, TableRow, TextRun, VerticalAlign, WidthType,
} from 'docx';
import { messages, type Lang } from '../i18n/messages.js';
import type { StepRow, StepTable } from '../tthc/steps.js';
import { dataUrlBytes } from './image.js';
import { diagramTiles, type DiagramTile } from './tiles.js';

/**
 * The step table as the annex of an approval decision (administrative format, Nghị định 30/2020):
 * title block with the national motto, "Kèm theo Quyết định số … ngày …" once approved (a DRAFT
 * watermark before), the limit as the catalogue states it, main steps numbered in order with the
 * side branches (supplement, refusal) after them, units/positions by name, a signature block.
 */
export interface StepTableDoc {
  title: string;
  code: string;
  version: number;
  table: StepTable;
  svg: string;
  /** The statutory limit in words ("10 ngày làm việc"). */
  limitText?: string;
  /** @deprecated kept for callers that only know hours */
  limitHours?: number;
  lang: Lang;
  /** The issuing People's Committee ("UBND tỉnh Bình Thuận"). */
  issuer?: string;
  /** Present once approved: the annex then says which decision it belongs to. */
  decision?: { number: string; date: string; signer?: string };
  /** Steps off the main path (supplement, refusal): numbered after the main steps and marked. */
  branchIds?: Set<string>;
}

function L(lang: Lang) {
  const m = messages[lang] as unknown as Record<string, string>;
  return (k: string) => m[k] ?? k;
}

/** dd/mm/yyyy of a YYYY-MM-DD date. */
function dmy(d: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : d;
}

/** Main steps first in flow order, numbered 1…n; side branches after them, numbered on and marked. */
function annexRows(doc: StepTableDoc): Array<StepRow & { no: string; branch: boolean }> {
  const side = doc.branchIds ?? new Set<string>();
  const main = doc.table.rows.filter((r) => !side.has(r.elementId));
  const branches = doc.table.rows.filter((r) => side.has(r.elementId));
  return [...main, ...branches].map((r, i) => ({ ...r, no: String(i + 1), branch: side.has(r.elementId) }));
}

/** The caption over each part of a diagram cut into tiles ("Sơ đồ quy trình (phần 2/6: hàng 1, cột 2)"). */
function tileCaption(x: ReturnType<typeof texts>, tiles: DiagramTile[], i: number): string {
  if (tiles.length === 1) return x.diagram;
  const tile = tiles[i]!;
  return x.diagramPart.replace('{title}', x.diagram).replace('{n}', String(i + 1)).replace('{total}', String(tiles.length))
    .replace('{row}', String(tile.row + 1)).replace('{col}', String(tile.col + 1));
}

function texts(doc: StepTableDoc) {
  const t = L(doc.lang);
  const decisionLine = doc.decision
    ? t('annex.attached').replace('{number}', doc.decision.number).replace('{date}', dmy(doc.decision.date)).replace('{issuer}', doc.issuer ?? '')
    : t('annex.attachedDraft').replace('{issuer}', doc.issuer ?? '');
  return {
    issuer: (doc.issuer ?? t('annex.issuerDefault')).toUpperCase(),
    motto1: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    motto2: 'Độc lập - Tự do - Hạnh phúc',
    heading: t('annex.heading'),
    procedure: `${doc.title} (${t('annex.code')} ${doc.code})`,
    decisionLine,
    limit: doc.limitText ? `${t('export.limit')}: ${doc.limitText}` : '',
    cols: [t('annex.col.no'), t('steps.col.who'), t('steps.col.task'), t('steps.col.time'), t('steps.col.form')],
    total: t('steps.total'),
    diagram: t('export.diagram'),
    diagramPart: t('export.diagramPart'),
    branch: t('annex.branch'),
    draft: t('annex.watermark'),
    signTitle: t('annex.signTitle'),
    signer: doc.decision?.signer ?? '',
    version: t('annex.version').replace('{n}', String(doc.version)),
    outcomes: t('steps.outcomes'),
  };
}

const FONT = 'Times New Roman';
const SZ = 26; // half-points: 13 pt (Nghị định 30/2020: 13–14 pt)

/** The annex as a Word document: Times New Roman 13 pt, A4 landscape, legible diagram. */
export async function stepTableDocx(doc: StepTableDoc): Promise<Blob> {
  const x = texts(doc);
  const run = (text: string, o: { bold?: boolean; italics?: boolean; size?: number; underline?: boolean; color?: string } = {}) =>
    new TextRun({ text, font: FONT, size: o.size ?? SZ, bold: o.bold, italics: o.italics, color: o.color, ...(o.underline ? { underline: {} } : {}) });
  const para = (children: TextRun[], align: (typeof AlignmentType)[keyof typeof AlignmentType] = AlignmentType.LEFT, after = 60) =>
    new Paragraph({ alignment: align, spacing: { after }, children });
  const none = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
  const noBorders = { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none };
  const titleBlock = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE }, borders: noBorders,
    rows: [new TableRow({ children: [
      new TableCell({ width: { size: 40, type: WidthType.PERCENTAGE }, borders: noBorders, children: [para([run(x.issuer, { bold: true })], AlignmentType.CENTER)] }),
      new TableCell({ width: { size: 60, type: WidthType.PERCENTAGE }, borders: noBorders, children: [
        para([run(x.motto1, { bold: true })], AlignmentType.CENTER, 0),
        para([run(x.motto2, { bold: true, size: 28, underline: true })], AlignmentType.CENTER),
      ] }),
    ] })],
  });
  const cell = (text: string, o: { bold?: boolean; italics?: boolean; center?: boolean } = {}) => new TableCell({
    verticalAlign: VerticalAlign.CENTER,
    children: text.split('\n').map((line) => para([run(line, { bold: o.bold, italics: o.italics })], o.center ? AlignmentType.CENTER : AlignmentType.LEFT, 0)),
  });
  const rows = annexRows(doc);
  const table = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: x.cols.map((c) => cell(c, { bold: true, center: true })) }),
      ...rows.map((r) => new TableRow({ children: [
        cell(r.no, { center: true }), cell(r.who), cell(taskText(r, x), { italics: r.branch }), cell(r.time), cell(r.form),
      ] })),
      new TableRow({ children: [cell(''), cell(x.total, { bold: true }), cell(''), cell(doc.table.totalText, { bold: true }), cell('')] }),
    ],
  });
  // Landscape A4 text width is about 25 cm ≈ 940 px at 96 dpi (1 px = 0.75 pt); the diagram takes pages of its own.
  const tiles = await diagramTiles(doc.svg, { maxW: 940, maxH: 560, unitPt: 0.75 });
  const signature = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE }, borders: noBorders,
    rows: [new TableRow({ children: [
      new TableCell({ width: { size: 55, type: WidthType.PERCENTAGE }, borders: noBorders, children: [para([run('')])] }),
      new TableCell({ width: { size: 45, type: WidthType.PERCENTAGE }, borders: noBorders, children: [
        para([run(x.signTitle, { bold: true })], AlignmentType.CENTER, 1400),
        para([run(x.signer, { bold: true })], AlignmentType.CENTER),
      ] }),
    ] })],
  });
  const d = new Document({
    creator: 'TTHC', title: doc.title,
    styles: { default: { document: { run: { font: FONT, size: SZ } } } },
    sections: [{
      properties: { page: { size: { orientation: PageOrientation.LANDSCAPE }, margin: { top: 1134, bottom: 1134, left: 1701, right: 1134 } } },
      headers: doc.decision ? undefined : { default: new Header({ children: [para([run(x.draft, { bold: true, color: 'C00000', size: 32 })], AlignmentType.RIGHT)] }) },
      footers: { default: new Footer({ children: [para([run(x.version, { italics: true, size: 20 })], AlignmentType.RIGHT)] }) },
      children: [
        titleBlock,
        para([run('')]),
        para([run(x.heading, { bold: true, size: 28 })], AlignmentType.CENTER, 0),
        para([run(x.procedure, { bold: true })], AlignmentType.CENTER, 0),
        para([run(x.decisionLine, { italics: true })], AlignmentType.CENTER, 120),
        x.limit ? para([run(x.limit)]) : para([run('')]),
        table,
        para([run('')]),
        signature,
        ...tiles.flatMap((tile, i) => [
          new Paragraph({ pageBreakBefore: true, alignment: AlignmentType.CENTER, children: [run(tileCaption(x, tiles, i), { bold: true })] }),
          new Paragraph({ alignment: AlignmentType.CENTER, children: [new ImageRun({ type: 'png', data: dataUrlBytes(tile.dataUrl), transformation: { width: tile.width, height: tile.height } })] }),
        ]),
      ],
    }],
  });
  return Packer.toBlob(d);
}

/** The task cell: the step's name, its outcomes under it, "(nhánh phụ)" for a side branch. */
function taskText(r: StepRow & { branch: boolean }, x: ReturnType<typeof texts>): string {
  return [r.branch ? `${r.task} (${x.branch})` : r.task, r.outcomes ? x.outcomes.replace('{list}', r.outcomes) : ''].filter(Boolean).join('\n');
}

const A4_LANDSCAPE = { width: 841.89, height: 595.28 };
const PDF_MARGINS = [56, 40, 40, 40] as const;
/** The text width between the PDF's margins: a node placed absolutely is centred within it. */
const CONTENT_WIDTH = A4_LANDSCAPE.width - PDF_MARGINS[0] - PDF_MARGINS[2];
/** The DRAFT mark across a draft annex's pages: large, light, behind the text. */
const DRAFT_MARK = { fontSize: 110, bold: true, color: '#c00000', opacity: 0.1, alignment: 'center' };

/**
 * The same annex as a PDF (A4 landscape) in Tinos, metric-compatible with Times New Roman, like the
 * DOCX and every printed document of the platform: each text is split into runs by the Tinos subset
 * file covering its letters (export/tinos.ts). The DRAFT mark is a large light text behind the page.
 */
export async function stepTablePdf(doc: StepTableDoc): Promise<Blob> {
  const [{ default: pdfMake }, { tinosFonts, tinosText: T }] = await Promise.all([import('pdfmake/build/pdfmake.js'), import('./tinos.js')]);

  const x = texts(doc);
  // The page's room below the caption, in points; labels print at 8.5 pt or more.
  const tiles = await diagramTiles(doc.svg, { maxW: 760, maxH: 470, unitPt: 1, type: 'image/jpeg' });
  const rows = annexRows(doc);
  // Only the subset files the text needs are declared, so pdfmake fetches only those.
  const used = new Set<string>(['Tinos-latin']);
  const txt = (s: string, o: Record<string, unknown> = {}) => {
    const runs = T(s);
    for (const r of runs) used.add(r.font);
    return { text: runs, ...o };
  };
  const definition = {
    pageSize: 'A4',
    pageOrientation: 'landscape',
    pageMargins: [...PDF_MARGINS],
    // Uncompressed text keeps the ToUnicode maps inspectable (the browser test checks the diacritics);
    // the diagram image is PNG-compressed anyway.
    compress: false,
    ...(doc.decision ? {} : {
      background: (_page: number, size: { width: number; height: number }) => txt(x.draft, { ...DRAFT_MARK, absolutePosition: { x: 0, y: size.height / 2 - 70 } }),
    }),
    footer: (page: number, pages: number) => txt(`${doc.decision ? '' : `${x.draft} — `}${x.version} — ${page}/${pages}`, { alignment: 'right', italics: true, fontSize: 10, margin: [0, 10, 40, 0] }),
    content: [
      {
        columns: [
          { width: '40%', stack: [txt(x.issuer, { bold: true, alignment: 'center' })] },
          { width: '60%', stack: [txt(x.motto1, { bold: true, alignment: 'center' }), txt(x.motto2, { bold: true, decoration: 'underline', alignment: 'center', fontSize: 14 })] },
        ],
      },
      txt(x.heading, { bold: true, fontSize: 14, alignment: 'center', margin: [0, 18, 0, 2] }),
      txt(x.procedure, { bold: true, alignment: 'center' }),
      txt(x.decisionLine, { italics: true, alignment: 'center', margin: [0, 2, 0, 10] }),
      x.limit ? txt(x.limit, { margin: [0, 0, 0, 6] }) : { text: '' },
      {
        table: {
          headerRows: 1, widths: ['auto', '*', '*', 'auto', 'auto'],
          body: [
            x.cols.map((c) => txt(c, { bold: true, alignment: 'center' })),
            ...rows.map((r) => [txt(r.no, { alignment: 'center' }), txt(r.who), txt(taskText(r, x), { italics: r.branch }), txt(r.time), txt(r.form)]),
            ['', txt(x.total, { bold: true }), '', txt(doc.table.totalText, { bold: true }), ''],
          ],
        },
      },
      {
        columns: [{ width: '55%', text: '' }, { width: '45%', stack: [txt(x.signTitle, { bold: true, alignment: 'center', margin: [0, 16, 0, 56] }), txt(x.signer, { bold: true, alignment: 'center' })] }],
        unbreakable: true,
      },
      ...tiles.flatMap((tile, i) => [
        txt(tileCaption(x, tiles, i), { bold: true, alignment: 'center', margin: [0, 0, 0, 6], pageBreak: 'before' }),
        { image: tile.dataUrl, width: tile.width, height: tile.height, alignment: 'center' },
        // The diagram is an opaque image over the background mark: a draft's is marked again on top of it.
        ...(doc.decision ? [] : [txt(x.draft, { ...DRAFT_MARK, absolutePosition: { x: (A4_LANDSCAPE.width - CONTENT_WIDTH) / 2, y: A4_LANDSCAPE.height / 2 - 70 } })]),
      ]),
    ],
    // 13 pt Times (Nghị định 30/2020: 13–14 pt).
    defaultStyle: { font: 'Tinos-latin', fontSize: 13 },
  };
  // The background mark and the footer are drawn later, during rendering: their letters count now.
  txt(`${x.draft} ${x.version}`);
  pdfMake.setFonts?.(tinosFonts([...used]));
  const pdf = pdfMake.createPdf(definition);
  if (typeof pdf.getBlob === 'function') {
    const out = pdf.getBlob();
    return out instanceof Promise ? out : new Promise<Blob>((resolve) => pdf.getBlob(resolve));
  }
  return new Blob([await pdf.getBuffer()], { type: 'application/pdf' });
}
