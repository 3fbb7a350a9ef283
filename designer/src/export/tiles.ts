import { canvasDataUrl, svgToCanvas } from './image.js';

/** The smallest label bpmn-js draws (external labels 11 px; step names 12 px). */
const LABEL_PX = 11;
/** The PNG is rasterised at twice the diagram's size, so a printed tile stays sharp. */
const RASTER = 2;
/** Tiles overlap by this many diagram pixels, so a step cut at a border is whole on one of them. */
const OVERLAP = 40;

/** One image of the annex's diagram (a data URL), sized in the document's unit (pt for PDF, px at 96 dpi for DOCX). */
export interface DiagramTile { dataUrl: string; width: number; height: number; row: number; col: number }

/**
 * The diagram for the annex, its labels printed at `minLabelPt` or more: one image fitted to the
 * page when that keeps them legible (a short process), otherwise the diagram cut into page-sized
 * tiles, row by row, at the scale that prints the smallest label at `minLabelPt` (a long process no
 * longer shrinks to 5 pt labels). `maxW`/`maxH` are the page's room in the document's unit, `unitPt`
 * how many points one unit is.
 */
export async function diagramTiles(
  svg: string, room: { maxW: number; maxH: number; unitPt: number; type?: 'image/png' | 'image/jpeg' }, minLabelPt = 8.5,
): Promise<DiagramTile[]> {
  // The SVG is drawn once; the tiles are cut from that raster.
  const full = await svgToCanvas(svg, RASTER);
  const w = full.width / RASTER;
  const h = full.height / RASTER;
  const fitK = Math.min(room.maxW / w, room.maxH / h, 1.6);
  const needK = minLabelPt / (LABEL_PX * room.unitPt);
  if (fitK >= needK && (room.type ?? 'image/png') === 'image/png') {
    return [{ dataUrl: canvasDataUrl(full), width: Math.round(w * fitK), height: Math.round(h * fitK), row: 0, col: 0 }];
  }
  const k = Math.max(fitK, needK);
  const span = (total: number, room: number) => {
    if (total * k <= room) return [{ from: 0, size: total }];
    const n = Math.max(1, Math.ceil((total - OVERLAP) / (room / k - OVERLAP)));
    const step = n === 1 ? 0 : (total - room / k) / (n - 1);
    return Array.from({ length: n }, (_, i) => ({ from: Math.max(0, Math.round(i * step)), size: Math.min(total, Math.floor(room / k)) }));
  };
  const tiles: DiagramTile[] = [];
  const rows = span(h, room.maxH);
  const cols = span(w, room.maxW);
  for (const [r, y] of rows.entries()) {
    for (const [c, x] of cols.entries()) {
      const canvas = document.createElement('canvas');
      canvas.width = x.size * RASTER;
      canvas.height = y.size * RASTER;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(full, x.from * RASTER, y.from * RASTER, canvas.width, canvas.height, 0, 0, canvas.width, canvas.height);
      // JPEG for the PDF: pdfmake embeds it as is, where a PNG is decoded and re-compressed in JavaScript (seconds per tile).
      tiles.push({ dataUrl: canvasDataUrl(canvas, room.type ?? 'image/png', 0.92), width: Math.round(x.size * k), height: Math.round(y.size * k), row: r, col: c });
    }
  }
  return tiles;
}
