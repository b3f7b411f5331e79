/**
 * Attention lines of one layer: which (head, query, key) pairs to draw and at what opacity (pure),
 * and two renderers for them: SVG for small paints, canvas once lines number in the thousands.
 */
import { Range } from '../selection/filters';
import { TokenRef } from '../selection/state';
import { LayerWeights } from '../wire/tensor';
import { Band, crossesBand } from './viewport';

export interface LinkQuery {
  /** One layer: row-major [queries, keys] per head slot (only the active heads are read). */
  weights: LayerWeights;
  nQueries: number;
  nKeys: number;
  /** Active heads, in display order. */
  heads: readonly number[];
  query: Range;
  key: Range;
  /** When set, only the lines of this token are collected (all with weight > 0). */
  focus: TokenRef | null;
  /** Unfocused paints skip lines whose opacity is below this (invisible at 8-bit alpha). */
  minAlpha: number;
}

/** Struct of arrays: line n joins query q[n] to key k[n] in head head[n] at opacity alpha[n]. */
export interface LinkBatch {
  count: number;
  head: Uint16Array;
  q: Uint32Array;
  k: Uint32Array;
  alpha: Float32Array;
}

/** Opacity of a line: its weight shared among the active heads (DESIGN section 5). */
export function lineAlpha(weight: number, activeHeads: number): number {
  return weight / Math.max(1, activeHeads);
}

function forEachLink(p: LinkQuery, visit: (h: number, q: number, k: number, a: number) => void): void {
  const { weights, nKeys, heads, query, key, focus } = p;
  const n = heads.length;
  let q0 = query.start;
  let q1 = query.end;
  let k0 = key.start;
  let k1 = key.end;
  if (focus) {
    const inRange = focus.side === 'query' ? focus.index >= q0 && focus.index < q1 : focus.index >= k0 && focus.index < k1;
    if (!inRange) {
      return;
    }
    if (focus.side === 'query') {
      q0 = focus.index;
      q1 = focus.index + 1;
    } else {
      k0 = focus.index;
      k1 = focus.index + 1;
    }
  }
  const threshold = focus ? 0 : p.minAlpha;
  for (const h of heads) {
    const hw = weights[h];
    for (let q = q0; q < q1; q++) {
      const row = q * nKeys;
      for (let k = k0; k < k1; k++) {
        const w = hw[row + k];
        if (w > 0) {
          const a = w / n;
          if (a >= threshold) {
            visit(h, q, k, a);
          }
        }
      }
    }
  }
}

/** Collects the lines to draw. Two passes (count, fill) so that memory is exactly what is drawn. */
export function collectLinks(p: LinkQuery): LinkBatch {
  let count = 0;
  forEachLink(p, () => {
    count++;
  });
  const batch: LinkBatch = {
    count,
    head: new Uint16Array(count),
    q: new Uint32Array(count),
    k: new Uint32Array(count),
    alpha: new Float32Array(count)
  };
  let i = 0;
  forEachLink(p, (h, q, k, a) => {
    batch.head[i] = h;
    batch.q[i] = q;
    batch.k[i] = k;
    batch.alpha[i] = a;
    i++;
  });
  return batch;
}

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

/** Line indices grouped by (head, 8-bit alpha level): key = head * 256 + level. */
export type LinkGroups = ReadonlyMap<number, readonly number[]>;

/** Groups a batch for the canvas renderer, once per batch (scroll redraws reuse the groups). */
export function groupLinks(batch: LinkBatch): LinkGroups {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < batch.count; i++) {
    const key = batch.head[i] * 256 + alphaLevel(batch.alpha[i]);
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
 * Canvas renderer. Each (head, 8-bit alpha level) group is one path: at most 255 strokes a head
 * however many lines there are. With a band, only the lines crossing it are drawn.
 */
export function drawLinksCanvas(ctx: CanvasRenderingContext2D, batch: LinkBatch, g: LinkGeometry, groups: LinkGroups = groupLinks(batch)): void {
  const shift = g.band?.top ?? 0;
  // a line's stroke reaches LINE_WIDTH / 2 beyond its centre; a pixel more for antialiasing
  const top = g.band ? shift - LINE_WIDTH : -Infinity;
  const bottom = g.band ? shift + g.band.height + LINE_WIDTH : Infinity;
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
