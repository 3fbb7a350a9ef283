/** Draws the diagram's SVG (bpmn-js saveSVG) on a white canvas at the given scale. */
export async function svgToCanvas(svg: string, scale = 2): Promise<HTMLCanvasElement> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('SVG could not be rendered'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.ceil(img.width * scale));
    canvas.height = Math.max(1, Math.ceil(img.height * scale));
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The canvas encoded now, as a data URL. Not `canvas.toBlob`: Chromium encodes for it only in an idle
 * period of the page and waits up to a second for one, so in a busy or headless page every image cost
 * a second (the 300-element annex's nine tiles and its full raster: 10 s of the 11 s it took).
 */
export function canvasDataUrl(canvas: HTMLCanvasElement, type: 'image/png' | 'image/jpeg' = 'image/png', quality?: number): string {
  return canvas.toDataURL(type, quality);
}

/** The bytes of a base64 data URL. */
export function dataUrlBytes(url: string): Uint8Array<ArrayBuffer> {
  const bin = atob(url.slice(url.indexOf(',') + 1));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Rasterises the diagram's SVG to a PNG blob at the given scale (the PNG export). */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  return new Blob([dataUrlBytes(canvasDataUrl(await svgToCanvas(svg, scale)))], { type: 'image/png' });
}
