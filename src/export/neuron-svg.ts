/**
 * Neuron view as SVG (pure): for the shown (layer, head) and the focused query, the query vector,
 * every key vector and q*k elementwise as colour cells (the view's quantised diverging scales), the
 * scaled dot products and the model's softmax row as numbers, masked keys marked, colour legends
 * and the recomputation check. All numbers come from analysis/neuron.ts, colours from render/vectors.ts.
 */
import { focusedQuery, headVectors, maxAbs, neuronRow, shownHead } from '../analysis/neuron';
import { headIds } from '../selection/ids';
import { formatWeight, shortenToken } from '../render/format';
import { escapeInvisible, isolate } from '../render/token-text';
import { displayText } from '../render/tokens';
import { cellWidthFor, DivergingScale, formatBound } from '../render/vectors';
import { TITLE_TOKEN_CHARS } from './head-svg';
import { NeuronSnapshot } from '../views/neuron/view';
import { Child, ExportedSvg, fileName, h, SvgNode, SvgPalette, svgDocument, textWidth } from './svg';

/** The neuron view as it shows now, in the colours of its theme. */
export interface NeuronSvgInput extends NeuronSnapshot {
  palette: SvgPalette;
}

const PAD = 12;
const FONT = 12;
const BASELINE = FONT * 0.35;
const GAP = 8;
const NUMBER_W = 70;
const LEGEND_W = 96;
const LEGEND_H = 10;
const DASH = '\u2013';

type Matrix = 'q' | 'k' | 'qk';

/** One rect per finite value of `rows` x `dim` cells (row-major), skipping masked rows. */
function cells(
  which: Matrix,
  values: ArrayLike<number>,
  rows: number,
  dim: number,
  scale: DivergingScale,
  x0: number,
  y0: number,
  cw: number,
  rowH: number,
  cellH: number,
  skip: (row: number) => boolean
): { node: SvgNode; count: number } {
  const rects: SvgNode[] = [];
  for (let r = 0; r < rows; r++) {
    if (skip(r)) {
      continue;
    }
    const y = y0 + r * rowH + (rowH - cellH) / 2;
    for (let i = 0; i < dim; i++) {
      const v = values[r * dim + i];
      if (Number.isFinite(v)) {
        rects.push(h('rect', { x: x0 + i * cw, y, width: cw, height: cellH, fill: scale.color(v) }));
      }
    }
  }
  return { node: h('g', { 'data-matrix': which, 'data-cells': rects.length, 'shape-rendering': 'crispEdges' }, ...rects), count: rects.length };
}

function legend(title: string, scale: DivergingScale, x: number, y: number, pal: SvgPalette, role: string): { node: SvgNode; width: number } {
  const [lo, hi] = scale.domain;
  const tW = textWidth(title, 11) + 6;
  const minText = formatBound(lo);
  const minW = textWidth(minText, 11) + 4;
  const barX = x + tW + minW;
  const n = scale.colors.length;
  const bar = scale.colors.map((c, i) => {
    const x0 = Math.floor((i * LEGEND_W) / n);
    const x1 = Math.floor(((i + 1) * LEGEND_W) / n);
    return h('rect', { x: barX + x0, y, width: Math.max(1, x1 - x0), height: LEGEND_H, fill: c });
  });
  const ty = y + LEGEND_H / 2 + 4;
  const node = h(
    'g',
    { 'data-role': `legend-${role}`, 'data-min': String(lo), 'data-max': String(hi), 'font-size': 11, fill: pal.muted },
    h('text', { x, y: ty }, title),
    h('text', { x: barX - 4, y: ty, 'text-anchor': 'end' }, minText),
    ...bar,
    h('rect', { x: barX, y, width: LEGEND_W, height: LEGEND_H, fill: 'none', stroke: pal.border }),
    h('text', { x: barX + LEGEND_W + 4, y: ty }, formatBound(hi))
  );
  return { node, width: tW + minW + LEGEND_W + 4 + textWidth(formatBound(hi), 11) };
}

export function neuronSvg(p: NeuronSvgInput): ExportedSvg & { cells: number; query: number | null } {
  const sec = p.section;
  const pal = p.palette;
  const rowH = p.rowHeight;
  const shown = shownHead(p.state, sec);
  const hv = headVectors(sec, shown.layerSlot, shown.head);
  if (!hv) {
    throw new Error(`attnscope: layer ${shown.layer}, head ${headIds(sec)[shown.head]} is not loaded yet`);
  }
  const headId = headIds(sec)[shown.head];
  const query = focusedQuery(p.focus, p.state.pinned, hv.nQueries);
  const row = query === null ? null : neuronRow(hv, query);
  const masked = (k: number): boolean => !!row && row.masked[k] === 1;
  const vectorScale = new DivergingScale(pal.theme, maxAbs(hv.queries.data, hv.keys.data));
  const productScale = new DivergingScale(pal.theme, row ? maxAbs(row.products) : 0);
  const cw = cellWidthFor(hv.dim);
  const matrixW = hv.dim * cw;

  // Title and legends.
  const titleParts = [`attnscope \u00b7 ${sec.label}`, `layer ${shown.layer}`, `head ${headId}`];
  if (row) {
    titleParts.push(`query ${row.query} \u201c${isolate(escapeInvisible(shortenToken(sec.queryTokens[row.query], TITLE_TOKEN_CHARS)))}\u201d`);
  }
  const title = titleParts.join(' \u00b7 ');
  const top: Child[] = [h('text', { 'data-role': 'title', x: PAD, y: PAD + 13, 'font-size': 13, 'font-weight': 600, fill: pal.foreground }, title)];
  const legendY = PAD + 24;
  const vLegend = legend('q, k', vectorScale, PAD, legendY, pal, 'vectors');
  const pLegend = legend('q \u00d7 k', productScale, PAD + vLegend.width + 24, legendY, pal, 'products');
  top.push(vLegend.node, row ? pLegend.node : h('g', { opacity: 0.45 }, pLegend.node));
  let y = legendY + LEGEND_H + 12;
  if (!row) {
    top.push(h('text', { 'data-role': 'hint', x: PAD, y: y + 10, 'font-style': 'italic', fill: pal.muted }, 'No query token pinned: pin one to show its vectors and scores.'));
    y += 20;
  }

  // Columns.
  let qColW = 40;
  sec.queryTokens.forEach(t => (qColW = Math.max(qColW, textWidth(displayText(t, p.maxTokenChars), FONT) + 14)));
  qColW = Math.min(320, Math.ceil(qColW));
  const qColX = PAD;
  const keysX = qColX + qColW + GAP;
  const productsX = keysX + matrixW + GAP;
  const dotRight = productsX + matrixW + GAP + NUMBER_W;
  const softmaxX = dotRight + GAP;
  const softmaxRight = softmaxX + NUMBER_W;
  const keyX = softmaxRight + GAP + 4;
  let keyColW = 40;
  sec.keyTokens.forEach(t => (keyColW = Math.max(keyColW, textWidth(displayText(t, p.maxTokenChars), FONT) + 8)));

  // Column titles.
  const titleY = y + 11;
  const muted = { 'font-size': 11, fill: pal.muted };
  const headers = h(
    'g',
    { 'data-role': 'headers', ...muted },
    h('text', { x: qColX + qColW - 6, y: titleY, 'text-anchor': 'end' }, 'query'),
    h('text', { x: keysX, y: titleY }, 'key k'),
    h('text', { x: productsX, y: titleY }, 'q \u00d7 k'),
    h('text', { x: dotRight, y: titleY, 'text-anchor': 'end' }, `q\u00b7k \u00d7 ${formatBound(hv.scale)}`),
    h('text', { x: softmaxRight, y: titleY, 'text-anchor': 'end' }, 'softmax'),
    h('text', { x: keyX, y: titleY }, 'key')
  );
  y += 18;

  // The focused query vector, above the key vectors so that dimensions line up.
  const qRowY = y;
  const qCells = row
    ? cells('q', row.q, 1, hv.dim, vectorScale, keysX, qRowY, cw, rowH, Math.max(2, rowH - 4), () => false)
    : { node: h('g', { 'data-matrix': 'q', 'data-cells': 0 }), count: 0 };
  const qLabel = row
    ? h('text', { 'data-role': 'query-label', x: productsX, y: qRowY + rowH / 2 + BASELINE, fill: pal.muted }, `query ${row.query}: ${displayText(sec.queryTokens[row.query], p.maxTokenChars)}`)
    : null;
  // labelled on the left, as on screen, and set apart from the first key row
  const qRowTitle = h('text', { 'data-role': 'query-row-title', x: qColX + qColW - 6, y: qRowY + rowH / 2 + BASELINE, 'text-anchor': 'end', fill: pal.muted, 'font-size': 11 }, 'query q');
  const qRule = h('line', { x1: qColX, x2: productsX + matrixW, y1: qRowY + rowH + 4, y2: qRowY + rowH + 4, stroke: pal.border, 'stroke-dasharray': '3 2' });
  y += rowH + 9;

  // Query tokens (left) and key rows (right) share the same row grid.
  const rowsY = y;
  const queryItems: SvgNode[] = sec.queryTokens.map((t, i) => {
    const ry = rowsY + i * rowH;
    const focused = query === i;
    const pinned = p.state.pinned?.side === 'query' && p.state.pinned.index === i;
    return h(
      'g',
      { class: 'attnscope-token', 'data-side': 'query', 'data-index': i, 'data-focused': focused || null, 'data-pinned': pinned || null },
      focused && h('rect', { x: qColX, y: ry + 0.5, width: qColW, height: rowH - 1, rx: 2, fill: pal.accent, 'fill-opacity': 0.18 }),
      pinned && h('rect', { x: qColX + 0.75, y: ry + 1.25, width: qColW - 1.5, height: rowH - 2.5, rx: 2, fill: 'none', stroke: pal.accent, 'stroke-width': 1.5 }),
      h('text', { x: qColX + qColW - 6, y: ry + rowH / 2 + BASELINE, 'text-anchor': 'end', 'font-weight': focused ? 600 : null }, displayText(t, p.maxTokenChars))
    );
  });

  const barOpacity = pal.theme === 'dark' ? 0.6 : 0.3;
  const keyRows: SvgNode[] = sec.keyTokens.map((t, k) => {
    const ry = rowsY + k * rowH;
    const hidden = masked(k);
    const focused = p.focus?.side === 'key' && p.focus.index === k;
    const pinned = p.state.pinned?.side === 'key' && p.state.pinned.index === k;
    const w = row && !hidden ? Math.max(0, Math.min(1, row.model[k])) : 0;
    const ty = ry + rowH / 2 + BASELINE;
    return h(
      'g',
      { class: 'attnscope-neuron-row', 'data-index': k, 'data-masked': hidden || null, fill: hidden ? pal.muted : pal.foreground },
      hidden && h('rect', { 'data-role': 'mask', x: keysX, y: ry, width: keyX + keyColW - keysX, height: rowH, fill: 'url(#attnscope-hatch)' }),
      focused && h('rect', { x: keysX, y: ry, width: keyX + keyColW - keysX, height: rowH, rx: 2, fill: pal.accent, 'fill-opacity': 0.18 }),
      pinned && h('rect', { x: keysX + 0.75, y: ry + 0.75, width: keyX + keyColW - keysX - 1.5, height: rowH - 1.5, rx: 2, fill: 'none', stroke: pal.accent, 'stroke-width': 1.5 }),
      w > 0 && h('rect', { 'data-role': 'softmax-bar', x: softmaxX, y: ry + 2, width: w * NUMBER_W, height: rowH - 4, fill: pal.accent, 'fill-opacity': barOpacity }),
      h('text', { 'data-role': 'dot', x: dotRight, y: ty, 'text-anchor': 'end' }, !row ? '' : hidden ? DASH : formatWeight(row.dots[k])),
      h('text', { 'data-role': 'softmax', x: softmaxRight - 2, y: ty, 'text-anchor': 'end' }, !row ? '' : hidden ? DASH : formatWeight(row.model[k])),
      h('text', { 'data-role': 'key', x: keyX, y: ty }, displayText(t, p.maxTokenChars))
    );
  });

  const cellH = Math.max(1, rowH - 2);
  const keyCells = cells('k', hv.keys.data, hv.nKeys, hv.dim, vectorScale, keysX, rowsY, cw, rowH, cellH, masked);
  const productCells = row
    ? cells('qk', row.products, hv.nKeys, hv.dim, productScale, productsX, rowsY, cw, rowH, cellH, masked)
    : { node: h('g', { 'data-matrix': 'qk', 'data-cells': 0 }), count: 0 };

  y = rowsY + Math.max(sec.queryTokens.length, sec.keyTokens.length) * rowH + 8;
  const status = row
    ? `softmax(${formatBound(hv.scale)} \u00b7 q\u00b7k${hv.causal ? ' + causal mask' : ''}) recomputed ` +
      `vs. the weights the model returned: max |\u0394| = ${row.maxError.toExponential(1)}`
    : '';
  const statusNode = status ? h('text', { 'data-role': 'status', x: PAD, y: y + 11, 'font-size': 11, fill: pal.muted }, status) : null;
  if (status) {
    y += 18;
  }

  const width = Math.max(keyX + keyColW + PAD, PAD * 2 + Math.max(textWidth(title, 13), textWidth(status, 11)), PAD * 2 + vLegend.width + 24 + pLegend.width);
  const height = y + PAD;
  const totalCells = keyCells.count + productCells.count + qCells.count;
  const defs = h(
    'defs',
    {},
    h(
      'pattern',
      { id: 'attnscope-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      h('rect', { x: 0, y: 0, width: 1, height: 6, fill: pal.muted, 'fill-opacity': 0.3 })
    )
  );
  const body = h(
    'g',
    {
      'data-view': 'neuron',
      'data-layer': shown.layer,
      'data-head': headId,
      'data-query': row ? row.query : '',
      'data-cells': totalCells,
      'data-causal': String(hv.causal)
    },
    ...top,
    headers,
    h('g', { 'data-role': 'query-tokens', fill: pal.foreground }, ...queryItems),
    h('g', { 'data-role': 'rows' }, ...keyRows),
    keyCells.node,
    productCells.node,
    qCells.node,
    qRowTitle,
    qRule,
    qLabel,
    statusNode
  );
  return {
    svg: svgDocument(width, height, pal, title, defs, body),
    width: Math.ceil(width),
    height: Math.ceil(height),
    name: fileName('neuron', shown.layer, String(headId)),
    cells: totalCells,
    query: row ? row.query : null
  };
}
