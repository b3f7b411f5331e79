/**
 * What the neuron view draws for the focused query: the key vectors (redrawn only when the causal
 * mask changes), q*k and q as cell canvases, and the numbers of each key row.
 */
import { HeadVectors, maxAbs, NeuronRow } from '../../analysis/neuron';
import { Theme } from '../../config/theme';
import { formatWeight } from '../../render/format';
import { CellLayout, DivergingScale, paintVectorRows } from '../../render/vectors';
import { TokenRef } from '../../selection/state';
import { cellCanvas, NeuronRowDom, NeuronViewDom, paintLegend } from './dom';

const DASH = '\u2013';

export class NeuronMatrices {
  /** Which mask the key canvas was last drawn with ('' = none drawn), and its cell count. */
  private keysDrawnFor = '';
  private keyCells = 0;

  constructor(private readonly dom: NeuronViewDom) {}

  /** Another head is shown: its key vectors are drawn on the next paint. */
  newHead(): void {
    this.keysDrawnFor = '';
  }

  /** Paints the cells for `row` (none without a focused query); returns how many cells are drawn. */
  paint(hv: HeadVectors, row: NeuronRow | null, layout: CellLayout, vectorScale: DivergingScale, theme: Theme): number {
    const d = this.dom;
    const masked = (k: number): boolean => !!row && row.masked[k] === 1;
    // Key vectors: redrawn only when the mask changes (never for non-causal heads).
    const maskKey = `${hv.causal && row ? row.query : 'all'}`;
    if (maskKey !== this.keysDrawnFor) {
      const ctx = cellCanvas(d.keysCanvas, hv.dim, hv.nKeys, layout);
      this.keyCells = ctx ? paintVectorRows(ctx, hv.keys.data, hv.nKeys, hv.dim, vectorScale, masked) : 0;
      this.keysDrawnFor = maskKey;
    }
    const productScale = new DivergingScale(theme, row ? maxAbs(row.products) : 0);
    const pctx = cellCanvas(d.productCanvas, hv.dim, hv.nKeys, layout);
    const productCells = pctx && row ? paintVectorRows(pctx, row.products, hv.nKeys, hv.dim, productScale, masked) : 0;
    const qctx = cellCanvas(d.qCanvas, hv.dim, 1, { ...layout, rowHeight: Math.max(2, layout.rowHeight - 4) });
    const qCells = qctx && row ? paintVectorRows(qctx, row.q, 1, hv.dim, vectorScale) : 0;
    paintLegend(d.productLegend, productScale);
    d.productLegend.root.classList.toggle('is-empty', !row);
    return this.keyCells + productCells + qCells;
  }
}

/** The numbers of every key row for `row`, and which key is focused or pinned. */
export function fillKeyRows(rows: readonly NeuronRowDom[], row: NeuronRow | null, focus: TokenRef | null, pinned: TokenRef | null): void {
  rows.forEach((r, k) => {
    const hidden = !!row && row.masked[k] === 1;
    r.row.classList.toggle('is-masked', hidden);
    r.row.classList.toggle('is-focused', focus?.side === 'key' && focus.index === k);
    r.row.classList.toggle('is-pinned', pinned?.side === 'key' && pinned.index === k);
    const w = row && !hidden ? row.model[k] : 0;
    r.dot.textContent = !row ? '' : hidden ? DASH : formatWeight(row.dots[k]);
    r.softmax.textContent = !row ? '' : hidden ? DASH : formatWeight(row.model[k]);
    r.softmax.style.setProperty('--attnscope-weight', String(Math.max(0, Math.min(1, w))));
  });
}
