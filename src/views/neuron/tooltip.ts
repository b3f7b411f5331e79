/**
 * What the neuron view's tooltips say (pure): the exact value of a vector cell, or the scores of a
 * key row, for the focused query.
 */
import { HeadVectors, NeuronRow } from '../../analysis/neuron';
import { formatExact } from '../../render/vectors';
import { Section } from '../../data/section';
import { TextLine, tokenParts, TOOLTIP_TITLE_CHARS } from '../../render/token-text';

export type Matrix = 'q' | 'k' | 'qk';

/** Lines for the cell (row, dim) of a matrix; null when there is nothing to say there. */
export function cellTooltipLines(
  sec: Section,
  hv: HeadVectors,
  row: NeuronRow | null,
  which: Matrix,
  cell: { row: number; dim: number }
): TextLine[] | null {
  if ((which === 'q' || which === 'qk') && !row) {
    return null;
  }
  const i = cell.dim;
  if (which === 'q' && row) {
    return [[`query ${row.query}: `, ...tokenParts(sec.queryTokens[row.query], TOOLTIP_TITLE_CHARS)], `q[${i}] = ${formatExact(row.q[i])}`];
  }
  const k = cell.row;
  const lines: TextLine[] = [[`key ${k}: `, ...tokenParts(sec.keyTokens[k], TOOLTIP_TITLE_CHARS)]];
  if (row && row.masked[k]) {
    lines.push(`hidden from query ${row.query} (causal mask)`);
  } else if (which === 'k') {
    lines.push(`k[${i}] = ${formatExact(hv.keys.data[k * hv.dim + i])}`);
  } else if (row) {
    const kv = hv.keys.data[k * hv.dim + i];
    lines.push(
      `q[${i}] \u00d7 k[${i}] = ${formatExact(row.q[i])} \u00d7 ${formatExact(kv)}`,
      `= ${formatExact(row.products[k * hv.dim + i])}`
    );
  }
  return lines;
}

/** Lines for key row k: its scaled dot product, the model's softmax and ours. */
export function rowTooltipLines(sec: Section, hv: HeadVectors, row: NeuronRow | null, k: number): TextLine[] {
  const lines: TextLine[] = [[`key ${k}: `, ...tokenParts(sec.keyTokens[k], TOOLTIP_TITLE_CHARS)]];
  if (!row) {
    lines.push('hover or pin a query token to see the scores');
  } else if (row.masked[k]) {
    lines.push(`hidden from query ${row.query} (causal mask)`);
  } else {
    lines.push(
      `${formatExact(hv.scale)} \u00d7 q\u00b7k = ${formatExact(row.dots[k])}`,
      `softmax from the model = ${formatExact(row.model[k])}`,
      `softmax recomputed here = ${formatExact(row.softmax[k])}`
    );
  }
  return lines;
}
