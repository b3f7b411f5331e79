/**
 * Drawing attention lines: SVG for small paints, canvas once lines number in the thousands.
 * Which lines to draw comes from analysis/links.ts.
 */
import { LinkBatch } from '../analysis/links';
import { Band, crossesBand } from './viewport';

/** Line width in CSS pixels, as in BertViz. */
export const LINE_WIDTH = 2;

export interface LinkGeometry {
  width: number;
  rowHeight: number;
  /** First query / key index shown: row 0 of each column. */
  queryOffset: number;
  keyOffset: number;
  colorOf: (head: number) => string;
  /**
   * Canvas only: the slice of the rows the canvas covers. Lines are drawn at y - band.top, and a
   * line is skipped unless its segment crosses the band (both ends may lie outside it).
   */
  band?: Band;
}

const rowY = (index: number, offset: number, rowHeight: number): number => (index - offset + 0.5) * rowHeight;

/** 8-bit alpha level of a line: what a canvas can show anyway; never 0 for a drawn line. */
export function alphaLevel(alpha: number): number {
  return Math.min(255, Math.max(1, Math.round(alpha * 255)));
}

/**
 * 8-bit alpha level a canvas stroke of this opacity really has: 0 when it rounds to 0. Such a line
 * changes no pixel, yet costs as much raster time as any other (a hovered token of a 512-token layer
 * has 12 x 512 lines and most of them are below half a level), so the canvas does not stroke it.
 */
export function canvasLevel(alpha: number): number {
  return Math.min(255, Math.max(0, Math.round(alpha * 255)));
}

/** Line indices grouped by (head, 8-bit alpha level): key = head * 256 + level. */
export type LinkGroups = ReadonlyMap<number, readonly number[]>;

/** How many lines the groups stroke. */
export function strokedCount(groups: LinkGroups): number {
  let n = 0;
  groups.forEach(lines => (n += lines.length));
  return n;
}

/**
 * Groups a batch for the canvas renderer, once per batch (scroll redraws reuse the groups). Lines
 * whose canvasLevel is 0 are in no group: the batch (and data-lines, the SVG renderer, exports)
 * still has them, the canvas does not stroke them.
 */
export function groupLinks(batch: LinkBatch): LinkGroups {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < batch.count; i++) {
    const level = canvasLevel(batch.alpha[i]);
    if (level === 0) {
      continue;
    }
    const key = batch.head[i] * 256 + level;
    let list = groups.get(key);
    if (!list) {
      list = [];
      groups.set(key, list);
    }
    list.push(i);
  }
  return groups;
}

/**
 * The groups' lines that cross the band (all of them without one), strongest level first, cut into
 * pieces: `first` lines, then `size` lines each. A canvas draws the first piece at once and one
 * piece a frame after it, so the lines that matter most appear first and no frame waits for all.
 */
export function bandPieces(batch: LinkBatch, g: LinkGeometry, groups: LinkGroups, first: number, size: number): LinkGroups[] {
  const { top, bottom } = bandEdges(g);
  const keys = Array.from(groups.keys()).sort((a, b) => (b % 256) - (a % 256) || a - b);
  const pieces: Map<number, number[]>[] = [];
  let piece = new Map<number, number[]>();
  let room = first;
  for (const key of keys) {
    for (const i of groups.get(key) ?? []) {
      if (!crossesBand(rowY(batch.q[i], g.queryOffset, g.rowHeight), rowY(batch.k[i], g.keyOffset, g.rowHeight), top, bottom)) {
        continue;
      }
      if (room === 0) {
        pieces.push(piece);
        piece = new Map();
        room = size;
      }
      let list = piece.get(key);
      if (!list) {
        list = [];
        piece.set(key, list);
      }
      list.push(i);
      room--;
    }
  }
  if (piece.size || !pieces.length) {
    pieces.push(piece);
  }
  return pieces;
}

/** The rows a canvas with this geometry's band shows, widened by a stroke's reach. */
function bandEdges(g: LinkGeometry): { top: number; bottom: number } {
  const shift = g.band?.top ?? 0;
  // a line's stroke reaches LINE_WIDTH / 2 beyond its centre; a pixel more for antialiasing
  return g.band ? { top: shift - LINE_WIDTH, bottom: shift + g.band.height + LINE_WIDTH } : { top: -Infinity, bottom: Infinity };
}

/**
 * Canvas renderer. Each (head, 8-bit alpha level) group is one path: at most 255 strokes a head
 * however many lines there are. With a band, only the lines crossing it are drawn.
 */
export function drawLinksCanvas(ctx: CanvasRenderingContext2D, batch: LinkBatch, g: LinkGeometry, groups: LinkGroups = groupLinks(batch)): void {
  const shift = g.band?.top ?? 0;
  const { top, bottom } = bandEdges(g);
  ctx.lineWidth = LINE_WIDTH;
  for (const [key, lines] of groups) {
    let begun = false;
    for (const i of lines) {
      const y1 = rowY(batch.q[i], g.queryOffset, g.rowHeight);
      const y2 = rowY(batch.k[i], g.keyOffset, g.rowHeight);
      if (!crossesBand(y1, y2, top, bottom)) {
        continue;
      }
      if (!begun) {
        ctx.beginPath();
        begun = true;
      }
      ctx.moveTo(0, y1 - shift);
      ctx.lineTo(g.width, y2 - shift);
    }
    if (begun) {
      ctx.strokeStyle = g.colorOf(Math.floor(key / 256));
      ctx.globalAlpha = (key % 256) / 255;
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** SVG renderer: one <line> per link, carrying its head, query, key and exact opacity. */
export function drawLinksSvg(svg: SVGSVGElement, batch: LinkBatch, g: LinkGeometry): void {
  const doc = svg.ownerDocument;
  const frag = doc.createDocumentFragment();
  for (let i = 0; i < batch.count; i++) {
    const line = doc.createElementNS(SVG_NS, 'line');
    line.setAttribute('x1', '0');
    line.setAttribute('y1', String(rowY(batch.q[i], g.queryOffset, g.rowHeight)));
    line.setAttribute('x2', String(g.width));
    line.setAttribute('y2', String(rowY(batch.k[i], g.keyOffset, g.rowHeight)));
    line.setAttribute('stroke', g.colorOf(batch.head[i]));
    line.setAttribute('stroke-opacity', batch.alpha[i].toPrecision(4));
    line.setAttribute('stroke-width', String(LINE_WIDTH));
    line.setAttribute('data-head', String(batch.head[i]));
    frag.appendChild(line);
  }
  svg.replaceChildren(frag);
}
