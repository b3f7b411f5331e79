/**
 * The neuron view's static skeleton: toolbar (section, layer, head), colour legends, the query
 * token column on the left, and on the right a table with one row per key: key vector and q*k
 * cells (two canvases laid over the rows), scale*q.k, softmax and the key token. No data logic.
 */
import { displayText } from '../../render/tokens';
import { CellLayout, DivergingScale, drawLegend, formatBound } from '../../render/vectors';
import { el, labelled, prepareCanvas } from '../dom';
import { buildFetchStatus, FetchStatusDom } from '../fetch-status';
import { createTooltip } from '../../render/tooltip';

export interface LegendDom {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  min: HTMLElement;
  max: HTMLElement;
}

export interface NeuronViewDom {
  root: HTMLElement;
  sectionSelect: HTMLSelectElement;
  layerSelect: HTMLSelectElement;
  headSelect: HTMLSelectElement;
  legends: HTMLElement;
  vectorLegend: LegendDom;
  productLegend: LegendDom;
  hint: HTMLElement;
  body: HTMLElement;
  queryTokens: HTMLElement;
  dotTitle: HTMLElement;
  qCanvas: HTMLCanvasElement;
  qLabel: HTMLElement;
  rows: HTMLElement;
  keysCanvas: HTMLCanvasElement;
  productCanvas: HTMLCanvasElement;
  status: HTMLElement;
  tooltip: HTMLElement;
  message: HTMLElement;
  fetchStatus: FetchStatusDom;
}

export interface NeuronRowDom {
  row: HTMLElement;
  dot: HTMLElement;
  softmax: HTMLElement;
  key: HTMLElement;
}

function legend(doc: Document, title: string, role: string): LegendDom {
  const root = el(doc, 'div', 'attnscope-neuron-legend');
  root.dataset.role = role;
  const canvas = el(doc, 'canvas', 'attnscope-neuron-legend-bar');
  canvas.setAttribute('aria-hidden', 'true');
  const min = el(doc, 'span', 'attnscope-neuron-legend-min');
  const max = el(doc, 'span', 'attnscope-neuron-legend-max');
  root.append(el(doc, 'span', 'attnscope-neuron-legend-title', title), min, canvas, max);
  return { root, canvas, min, max };
}

export function buildNeuronViewDom(doc: Document): NeuronViewDom {
  const root = el(doc, 'div', 'attnscope-view attnscope-neuron');
  root.dataset.state = 'loading';

  const toolbar = el(doc, 'div', 'attnscope-toolbar');
  const sectionSelect = el(doc, 'select', 'attnscope-section-select');
  const layerSelect = el(doc, 'select', 'attnscope-layer-select');
  const headSelect = el(doc, 'select', 'attnscope-neuron-head-select');
  const sectionLabel = labelled(doc, 'Attention', sectionSelect);
  sectionLabel.classList.add('attnscope-section-control');
  toolbar.append(sectionLabel, labelled(doc, 'Layer', layerSelect), labelled(doc, 'Head', headSelect));

  const legends = el(doc, 'div', 'attnscope-neuron-legends');
  const vectorLegend = legend(doc, 'q, k', 'vectors');
  const productLegend = legend(doc, 'q \u00d7 k', 'products');
  legends.append(vectorLegend.root, productLegend.root);

  const hint = el(doc, 'div', 'attnscope-neuron-hint');
  hint.setAttribute('role', 'status');

  const body = el(doc, 'div', 'attnscope-neuron-body');
  // Row 1 of the body grid: column titles.
  const queryTitle = el(doc, 'div', 'attnscope-neuron-title attnscope-neuron-query-title', 'query');
  const header = el(doc, 'div', 'attnscope-neuron-grid attnscope-neuron-header');
  const matrixTitles = el(doc, 'div', 'attnscope-neuron-cells');
  matrixTitles.append(
    el(doc, 'span', 'attnscope-neuron-title attnscope-neuron-vector-title', 'key k'),
    el(doc, 'span', 'attnscope-neuron-title attnscope-neuron-vector-title', 'q \u00d7 k')
  );
  const dotTitle = el(doc, 'div', 'attnscope-neuron-title attnscope-neuron-number', 'q\u00b7k');
  header.append(
    matrixTitles,
    dotTitle,
    el(doc, 'div', 'attnscope-neuron-title attnscope-neuron-number', 'softmax'),
    el(doc, 'div', 'attnscope-neuron-title', 'key')
  );
  // Row 2: the focused query vector, above the key vectors so that dimensions line up; labelled on
  // the left, and set apart from the key rows below it (it is not the first key's row).
  const qRowLabel = el(doc, 'div', 'attnscope-neuron-title attnscope-neuron-qrow-label', 'query q');
  const qRow = el(doc, 'div', 'attnscope-neuron-grid attnscope-neuron-qrow');
  const qCells = el(doc, 'div', 'attnscope-neuron-cells');
  const qCanvas = el(doc, 'canvas', 'attnscope-neuron-canvas attnscope-neuron-q');
  const qLabel = el(doc, 'span', 'attnscope-neuron-qlabel');
  qCells.append(qCanvas, qLabel);
  qRow.append(qCells);
  // Row 3: query tokens | key rows with the two matrices laid over them.
  const queryTokens = el(doc, 'div', 'attnscope-tokens attnscope-neuron-queries');
  queryTokens.setAttribute('role', 'list');
  queryTokens.setAttribute('aria-label', 'Query tokens: hover or click one to see its vectors');
  const table = el(doc, 'div', 'attnscope-neuron-table');
  const matrices = el(doc, 'div', 'attnscope-neuron-matrices');
  const keysCanvas = el(doc, 'canvas', 'attnscope-neuron-canvas attnscope-neuron-keys');
  const productCanvas = el(doc, 'canvas', 'attnscope-neuron-canvas attnscope-neuron-products');
  matrices.append(keysCanvas, productCanvas);
  const rows = el(doc, 'div', 'attnscope-neuron-rows');
  rows.setAttribute('role', 'list');
  rows.setAttribute('aria-label', 'Keys');
  table.append(rows, matrices);
  body.append(queryTitle, header, qRowLabel, qRow, queryTokens, table);

  const status = el(doc, 'div', 'attnscope-neuron-status');
  const tooltip = createTooltip(doc);
  const message = el(doc, 'div', 'attnscope-message');
  message.setAttribute('role', 'alert');
  message.hidden = true;

  const fetchStatus = buildFetchStatus(doc);
  root.append(toolbar, fetchStatus.root, legends, hint, body, status, tooltip, message);
  return {
    root,
    sectionSelect,
    layerSelect,
    headSelect,
    legends,
    vectorLegend,
    productLegend,
    hint,
    body,
    queryTokens,
    dotTitle,
    qCanvas,
    qLabel,
    rows,
    keysCanvas,
    productCanvas,
    status,
    tooltip,
    message,
    fetchStatus
  };
}

/** One row per key; token text is set as text, never HTML. */
export function renderKeyRows(container: HTMLElement, tokens: readonly string[], maxChars: number): NeuronRowDom[] {
  const doc = container.ownerDocument;
  const frag = doc.createDocumentFragment();
  const out = tokens.map((token, i) => {
    const row = el(doc, 'div', 'attnscope-neuron-grid attnscope-neuron-row');
    row.dataset.index = String(i);
    row.setAttribute('role', 'listitem');
    const dot = el(doc, 'div', 'attnscope-neuron-number');
    dot.dataset.role = 'dot';
    const softmax = el(doc, 'div', 'attnscope-neuron-number attnscope-neuron-softmax');
    softmax.dataset.role = 'softmax';
    const key = el(doc, 'div', 'attnscope-neuron-key', displayText(token, maxChars));
    key.title = token;
    row.append(el(doc, 'div', 'attnscope-neuron-cells'), dot, softmax, key);
    frag.appendChild(row);
    return { row, dot, softmax, key };
  });
  container.replaceChildren(frag);
  return out;
}

const LEGEND_WIDTH = 96;
const LEGEND_HEIGHT = 10;

/** Draws a colour legend with its numeric domain as text. */
export function paintLegend(legend: LegendDom, scale: DivergingScale): void {
  const [lo, hi] = scale.domain;
  legend.min.textContent = formatBound(lo);
  legend.max.textContent = formatBound(hi);
  legend.root.dataset.min = String(lo);
  legend.root.dataset.max = String(hi);
  legend.root.setAttribute('aria-label', `colour scale from ${formatBound(lo)} (blue) through 0 to ${formatBound(hi)} (red)`);
  const ctx = prepareCanvas(legend.canvas, LEGEND_WIDTH, LEGEND_HEIGHT);
  if (ctx) {
    drawLegend(ctx, LEGEND_WIDTH, LEGEND_HEIGHT, scale);
  }
}

/**
 * Sizes a canvas to one pixel per cell, shown at cellWidth x rowHeight CSS pixels per cell
 * (`image-rendering: pixelated` in the stylesheet). Setting the size also clears it.
 */
export function cellCanvas(canvas: HTMLCanvasElement, dim: number, rows: number, layout: CellLayout): CanvasRenderingContext2D | null {
  canvas.width = Math.max(1, dim);
  canvas.height = Math.max(1, rows);
  canvas.style.width = `${dim * layout.cellWidth}px`;
  canvas.style.height = `${rows * layout.rowHeight}px`;
  return canvas.getContext('2d');
}
