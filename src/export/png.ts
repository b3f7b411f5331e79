/**
 * PNG export: the view's SVG rasterised onto a canvas at print resolution (3 CSS pixels per CSS
 * pixel, 288 dpi at the 96 dpi CSS reference), tagged with that resolution in a pHYs chunk so that
 * word processors and LaTeX place it at its on-screen size. And the download itself.
 */

/** PNG pixels per CSS pixel. */
export const EXPORT_SCALE = 3;
/** Browsers refuse canvases beyond about 32k pixels a side or ~268M pixels; stay well inside. */
const MAX_SIDE = 32000;
const MAX_PIXELS = 200e6;

export const SVG_MIME = 'image/svg+xml';
export const PNG_MIME = 'image/png';

/** The scale actually used: `scale`, reduced only when the canvas would be too large to exist. */
export function pngScale(width: number, height: number, scale: number = EXPORT_SCALE): number {
  const w = Math.max(1, width);
  const ht = Math.max(1, height);
  return Math.min(scale, MAX_SIDE / w, MAX_SIDE / ht, Math.sqrt(MAX_PIXELS / (w * ht)));
}

let crcTable: Uint32Array | null = null;

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
}

/**
 * Returns the PNG with a pHYs chunk saying `dpi` (inserted right after IHDR; an existing pHYs is
 * replaced). Anything that is not a PNG with IHDR first comes back unchanged.
 */
export function withPhys(png: Uint8Array, dpi: number): Uint8Array {
  if (png.length < 33 || SIGNATURE.some((b, i) => png[i] !== b) || chunkType(png, 8) !== 'IHDR') {
    return png;
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const afterIhdr = 8 + 12 + view.getUint32(8);
  // drop any pHYs already there
  const parts: Uint8Array[] = [png.subarray(0, afterIhdr)];
  let at = afterIhdr;
  while (at + 12 <= png.length) {
    const len = view.getUint32(at);
    const end = Math.min(png.length, at + 12 + len);
    if (chunkType(png, at) !== 'pHYs') {
      parts.push(png.subarray(at, end));
    }
    at = end;
  }
  if (at < png.length) {
    parts.push(png.subarray(at));
  }
  const ppm = Math.round(dpi / 0.0254);
  const phys = new Uint8Array(21);
  const pv = new DataView(phys.buffer);
  pv.setUint32(0, 9);
  phys.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  pv.setUint32(8, ppm);
  pv.setUint32(12, ppm);
  phys[16] = 1; // unit: metre
  pv.setUint32(17, crc32(phys, 4, 17));
  parts.splice(1, 0, phys);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function loadImage(url: string, doc: Document): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = doc.createElement('img');
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('attnscope: the browser could not load the exported SVG as an image'));
    img.src = url;
  });
}

/** Rasterises an SVG document string to a PNG blob at `scale` PNG pixels per CSS pixel. */
export async function rasterizeSvg(svg: string, width: number, height: number, scale: number = EXPORT_SCALE, doc: Document = document): Promise<Blob> {
  const view = doc.defaultView ?? window;
  const url = view.URL.createObjectURL(new Blob([svg], { type: `${SVG_MIME};charset=utf-8` }));
  try {
    const img = await loadImage(url, doc);
    const s = pngScale(width, height, scale);
    const canvas = doc.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * s));
    canvas.height = Math.max(1, Math.round(height * s));
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      throw new Error('attnscope: no 2D canvas to rasterise the export');
    }
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>(resolve => canvas.toBlob(resolve, PNG_MIME));
    if (!blob) {
      throw new Error('attnscope: the canvas could not be encoded as PNG');
    }
    const bytes = withPhys(new Uint8Array(await blob.arrayBuffer()), 96 * s);
    return new Blob([bytes], { type: PNG_MIME });
  } finally {
    view.URL.revokeObjectURL(url);
  }
}

/** Saves a blob under `name` through a temporary <a download> click. */
export function downloadBlob(blob: Blob, name: string, doc: Document = document): void {
  const view = doc.defaultView ?? window;
  const url = view.URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  (doc.body ?? doc.documentElement).appendChild(a);
  a.click();
  a.remove();
  // Some browsers read the URL after the click returns: keep it alive for a while.
  view.setTimeout(() => view.URL.revokeObjectURL(url), 40_000);
}
