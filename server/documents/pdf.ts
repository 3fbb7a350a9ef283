import { createRequire } from 'node:module';
import { pdfFonts, splitRuns } from './fonts.js';
import type { AdminDocument, Align, Block, RichText, Run } from './model.js';

const require = createRequire(import.meta.url);

/* pdfmake's server printer: plain CommonJS without types; only what we use is declared here. */
interface PdfKitDoc { on(ev: 'data', f: (b: Buffer) => void): void; on(ev: 'end' | 'error', f: (e?: Error) => void): void; end(): void }
interface PrinterCtor { new (fonts: object, vfs?: unknown, urlResolver?: unknown, localAccessPolicy?: unknown): { createPdfKitDocument(def: object, opts?: object): Promise<PdfKitDoc> } }
interface VirtualFs { existsSync(p: string): boolean; readFileSync(p: string): Buffer; writeFileSync(p: string, d: Buffer): void }
const Printer = (require('pdfmake/js/Printer.js') as { default: PrinterCtor }).default;
const VirtualFsCtor = (require('pdfmake/js/virtual-fs.js') as { default: VirtualFs }).default;
interface Resolver { setUrlAccessPolicy(f: (url: string) => boolean): void }
const UrlResolver = (require('pdfmake/js/URLResolver.js') as { default: new (fs: VirtualFs) => Resolver }).default;

type Inline = { text: string; font: string; bold?: boolean; italics?: boolean; decoration?: string };

let printer: InstanceType<PrinterCtor> | undefined;

/** One printer per process; the fonts live in pdfmake's virtual file system, never on disk paths. */
function getPrinter(): InstanceType<PrinterCtor> {
  if (printer) return printer;
  const vfs = VirtualFsCtor;
  const descriptors: Record<string, Record<string, string>> = {};
  for (const [family, styles] of Object.entries(pdfFonts())) {
    descriptors[family] = {};
    for (const [style, buf] of Object.entries(styles)) {
      const name = `${family}-${style}.ttf`;
      vfs.writeFileSync(name, buf);
      descriptors[family][style] = name;
    }
  }
  // No URL and no local file is ever read: fonts come from the virtual file system only.
  const resolver = new UrlResolver(vfs);
  resolver.setUrlAccessPolicy(() => false);
  printer = new Printer(descriptors, vfs, resolver, () => false);
  return printer;
}

function runsOf(text: RichText, base: { bold?: boolean; italics?: boolean } = {}): Inline[] {
  const parts: Run[] = typeof text === 'string' ? [{ text }] : text;
  return parts.flatMap((p) => splitRuns(p.text).map((r) => ({
    text: r.text, font: r.font, bold: p.bold ?? base.bold ?? false, italics: p.italic ?? base.italics ?? false,
  })));
}

const t = (text: RichText, opts: { bold?: boolean; italics?: boolean; alignment?: Align; fontSize?: number; margin?: number[]; decoration?: string } = {}) => {
  const { bold, italics, decoration, ...rest } = opts;
  const runs = runsOf(text, { bold, italics });
  return { text: decoration ? runs.map((r) => ({ ...r, decoration })) : runs, ...rest };
};

function block(b: Block, size: number): object {
  switch (b.kind) {
    case 'heading':
      return t(b.text, { bold: true, alignment: b.align ?? 'left', margin: [0, 6, 0, 3] });
    case 'paragraph':
      return { ...t(b.text, { bold: b.bold, italics: b.italic, alignment: b.align ?? 'justify', margin: [0, 2, 0, 2] }), leadingIndent: b.indent ? 28 : 0 };
    case 'fields':
      return {
        stack: b.rows.map((r) => ({ text: [...runsOf(`${r.label}: `), ...runsOf(r.value, { bold: !r.plain })], margin: [0, 1, 0, 1] })),
        margin: [0, 2, 0, 2],
      };
    case 'list':
      return { [b.ordered ? 'ol' : 'ul']: b.items.map((i) => ({ text: runsOf(i) })), margin: [8, 2, 0, 2] };
    case 'table':
      return {
        table: {
          headerRows: 1,
          widths: b.columns.map((c) => c.width ?? '*'),
          body: [
            b.columns.map((c) => t(c.title, { bold: true, alignment: 'center', fontSize: size - 1 })),
            ...b.rows.map((row) => row.map((cell, i) => t(cell, { alignment: b.columns[i]?.align ?? 'left', fontSize: size - 1 }))),
          ],
        },
        margin: [0, 4, 0, 4],
      };
    case 'signatures':
      return {
        columns: b.blocks.map((s) => ({
          width: '*',
          stack: [
            t(s.title.toUpperCase(), { bold: true, alignment: 'center' }),
            ...(s.note ? [t(s.note, { italics: true, alignment: 'center', fontSize: size - 1 })] : []),
            { text: ' ', margin: [0, 0, 0, 48] },
            ...(s.name ? [t(s.name, { bold: true, alignment: 'center' })] : []),
          ],
        })),
        margin: [0, 10, 0, 0],
      };
    case 'spacer':
      return { text: ' ', margin: [0, 0, 0, b.height ?? 6] };
  }
}

/** The document definition pdfmake lays out (exported for tests and previews). */
function pdfDefinition(doc: AdminDocument): object {
  const size = doc.fontSize ?? (doc.pageSize === 'A5' ? 12 : 13);
  const small = doc.pageSize === 'A5';
  const h = doc.header;
  const left = [
    ...(h.parentAgency ? [t(h.parentAgency.toUpperCase(), { alignment: 'center', fontSize: size - 1 })] : []),
    t(h.agency.toUpperCase(), { bold: true, alignment: 'center', fontSize: size - 1 }),
    { canvas: [{ type: 'line', x1: 0, y1: 2, x2: 60, y2: 2, lineWidth: 0.6 }], alignment: 'center', margin: [0, 0, 0, 4] },
    ...(h.number ? [t(h.number, { alignment: 'center', fontSize: size - 1 })] : []),
  ];
  const right = [
    t('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, alignment: 'center', fontSize: small ? size - 2.5 : size - 1 }),
    t('Độc lập - Tự do - Hạnh phúc', { bold: true, alignment: 'center', fontSize: size }),
    { canvas: [{ type: 'line', x1: 0, y1: 2, x2: small ? 110 : 150, y2: 2, lineWidth: 0.6 }], alignment: 'center', margin: [0, 0, 0, 4] },
    ...(h.placeDate ? [t(h.placeDate, { italics: true, alignment: 'center', fontSize: size - 1 })] : []),
  ];
  return {
    pageSize: doc.pageSize ?? 'A4',
    pageOrientation: doc.orientation ?? 'portrait',
    // NĐ 30/2020: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm (A5: narrower).
    pageMargins: small ? [42, 36, 30, 36] : [85, 57, 57, 57],
    info: { title: doc.meta?.title ?? doc.title, subject: doc.meta?.subject, author: doc.meta?.author ?? h.agency, creator: 'TTHC platform' },
    defaultStyle: { font: 'Tinos-latin', fontSize: size, lineHeight: 1.15 },
    compress: true,
    content: [
      { columns: [{ width: small ? '38%' : '40%', stack: left }, { width: '*', stack: right }], columnGap: 6 },
      t(doc.title.toUpperCase(), { bold: true, alignment: 'center', fontSize: size + 1, margin: [0, 14, 0, 2] }),
      ...(doc.subtitle ?? []).map((s) => t(s, { italics: true, alignment: 'center' })),
      { text: ' ', margin: [0, 0, 0, 4] },
      ...doc.body.map((b) => block(b, size)),
    ],
  };
}

/** Renders the document to a PDF (Tinos, the Times New Roman metric twin, every Vietnamese letter). */
export async function renderPdf(doc: AdminDocument, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const def = { ...pdfDefinition(doc), ...(opts.compress === false ? { compress: false } : {}) };
  const pdf = await getPrinter().createPdfKitDocument(def);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (c) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
    pdf.end();
  });
}
