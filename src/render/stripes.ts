/**
 * Per-head stripes behind the tokens of the side opposite the focused token: one stripe per active
 * head, opacity = that head's weight between the focused token and this token (BertViz's boxes).
 */
import { LayerWeights } from '../wire/tensor';
import { Band, rowsInBand } from './viewport';

export interface StripeInput {
  /** One layer: row-major [queries, keys] per head slot. */
  weights: LayerWeights;
  nQueries: number;
  nKeys: number;
  heads: readonly number[];
  /** The focused token; stripes go on the other side. */
  focusSide: 'query' | 'key';
  focusIndex: number;
  /** Indices shown in the opposite column, row 0 first. */
  start: number;
  end: number;
}

/** Weight between the focused token and `other` (an index on the opposite side) in `head`. */
export function pairWeight(p: StripeInput, head: number, other: number): number {
  const q = p.focusSide === 'query' ? p.focusIndex : other;
  const k = p.focusSide === 'query' ? other : p.focusIndex;
  return p.weights[head][q * p.nKeys + k];
}

/**
 * Draws the stripes of rows [start, end) of the opposite column, row 0 at y 0. With a band (the
 * slice of the column a viewport-sized canvas covers), only the rows in it, at y - band.top.
 */
export function drawStripes(
  ctx: CanvasRenderingContext2D,
  p: StripeInput,
  width: number,
  rowHeight: number,
  colorOf: (head: number) => string,
  band?: Band
): void {
  const n = p.heads.length;
  if (n === 0) {
    return;
  }
  const stripe = width / n;
  const shift = band?.top ?? 0;
  const rows = band ? rowsInBand(band, rowHeight, p.end - p.start) : { first: 0, end: p.end - p.start };
  for (let row = rows.first; row < rows.end; row++) {
    const other = p.start + row;
    const y = row * rowHeight - shift;
    p.heads.forEach((head, slot) => {
      const w = pairWeight(p, head, other);
      if (w > 0) {
        ctx.globalAlpha = Math.min(1, w);
        ctx.fillStyle = colorOf(head);
        ctx.fillRect(slot * stripe, y + 1, stripe, rowHeight - 2);
      }
    });
  }
  ctx.globalAlpha = 1;
}
