/**
 * The matrix view's skeleton: toolbar (section, layer, which matrix, colour map, scale, words,
 * reset zoom), the fetch status, a caption, the legend bar with its ticks, and the plot: key labels
 * above, query labels on the left, the canvas with its overlay (crosshair bands, keyboard cursor,
 * drag rectangle). No data logic here; every text is set as text.
 */
import { layerOption } from '../../data/derived';
import { choiceId, MAX, MEAN } from '../../analysis/aggregate';
import { hasSubwords, wordsOf } from '../../analysis/words';
import { Section } from '../../data/section';
import { Tick } from '../../render/legend';
import { headId } from '../../selection/ids';
import { createTooltip } from '../../render/tooltip';
import { COLORMAPS, SCALES } from '../../wire/view-options';
import { el, hideControl, labelled, setOptions } from '../dom';
import { buildFetchStatus, FetchStatusDom } from '../fetch-status';

/** Height of one axis label (and width of a rotated one), CSS pixels: labels are thinned below it. */
export const LABEL_PX = 14;
/** The plot is at most this many CSS pixels on a side, and a cell at most MAX_CELL. */
export const MAX_PLOT = 560;
export const MAX_CELL = 28;
export const ROW_AXIS_PX = 120;
export const COL_AXIS_PX = 90;

export interface MatrixViewDom {
  root: HTMLElement;
  sectionSelect: HTMLSelectElement;
  layerSelect: HTMLSelectElement;
  sourceSelect: HTMLSelectElement;
  colormapSelect: HTMLSelectElement;
  scaleSelect: HTMLSelectElement;
  wordsToggle: HTMLButtonElement;
  resetButton: HTMLButtonElement;
  fetchStatus: FetchStatusDom;
  caption: HTMLElement;
  legendBar: HTMLElement;
  legendTicks: HTMLElement;
  rowAxis: HTMLElement;
  colAxis: HTMLElement;
  plot: HTMLElement;
  canvas: HTMLCanvasElement;
  rowBand: HTMLElement;
  colBand: HTMLElement;
  cursor: HTMLElement;
  dragRect: HTMLElement;
  tooltip: HTMLElement;
  message: HTMLElement;
}

function button(doc: Document, cls: string, text: string, title: string): HTMLButtonElement {
  const b = el(doc, 'button', cls, text);
  b.type = 'button';
  b.title = title;
  return b;
}

export function buildMatrixViewDom(doc: Document): MatrixViewDom {
  const root = el(doc, 'div', 'attnscope-view attnscope-matrix');
  root.dataset.state = 'loading';

  const toolbar = el(doc, 'div', 'attnscope-toolbar');
  const sectionSelect = el(doc, 'select', 'attnscope-section-select');
  const layerSelect = el(doc, 'select', 'attnscope-layer-select');
  const sourceSelect = el(doc, 'select', 'attnscope-source-select');
  const colormapSelect = el(doc, 'select', 'attnscope-colormap-select');
  setOptions(colormapSelect, COLORMAPS.map(c => ({ value: c, label: c })), 'viridis');
  const scaleSelect = el(doc, 'select', 'attnscope-scale-select');
  setOptions(scaleSelect, SCALES.map(s => ({ value: s, label: s })), 'linear');
  const sectionLabel = labelled(doc, 'Attention', sectionSelect);
  sectionLabel.classList.add('attnscope-section-control');
  const wordsToggle = button(doc, 'attnscope-words-toggle', 'words', 'Group subword tokens into words (sum over a word\u2019s keys, mean over its queries)');
  wordsToggle.setAttribute('aria-pressed', 'false');
  const resetButton = button(doc, 'attnscope-matrix-reset', 'reset', 'Show the whole matrix (zoom: wheel, or drag a rectangle)');
  toolbar.append(
    sectionLabel,
    labelled(doc, 'Layer', layerSelect),
    labelled(doc, 'Weights of', sourceSelect),
    labelled(doc, 'Colours', colormapSelect),
    labelled(doc, 'Scale', scaleSelect),
    wordsToggle,
    resetButton
  );

  const caption = el(doc, 'div', 'attnscope-matrix-caption');
  caption.setAttribute('aria-live', 'polite');
  const legend = el(doc, 'div', 'attnscope-matrix-legend');
  legend.setAttribute('aria-hidden', 'true');
  const legendBar = el(doc, 'div', 'attnscope-matrix-legend-bar');
  const legendTicks = el(doc, 'div', 'attnscope-matrix-legend-ticks');
  legend.append(legendBar, legendTicks);

  const grid = el(doc, 'div', 'attnscope-matrix-grid');
  const corner = el(doc, 'div', 'attnscope-matrix-corner', 'query \u2193 key \u2192');
  const colAxis = el(doc, 'div', 'attnscope-matrix-cols');
  const rowAxis = el(doc, 'div', 'attnscope-matrix-rows');
  const plot = el(doc, 'div', 'attnscope-matrix-plot');
  const canvas = el(doc, 'canvas', 'attnscope-matrix-canvas');
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'Attention matrix, rows are queries and columns keys: arrows move a cell cursor, Enter pins the query, Escape unpins, the wheel or a dragged rectangle zooms');
  const rowBand = el(doc, 'div', 'attnscope-matrix-band attnscope-matrix-row-band');
  const colBand = el(doc, 'div', 'attnscope-matrix-band attnscope-matrix-col-band');
  const cursor = el(doc, 'div', 'attnscope-matrix-cursor');
  const dragRect = el(doc, 'div', 'attnscope-matrix-drag');
  for (const o of [rowBand, colBand, cursor, dragRect]) {
    o.hidden = true;
  }
  plot.append(canvas, rowBand, colBand, cursor, dragRect);
  grid.append(corner, colAxis, rowAxis, plot);

  const tooltip = createTooltip(doc);
  const message = el(doc, 'div', 'attnscope-message');
  message.hidden = true;
  const fetchStatus = buildFetchStatus(doc);
  root.append(toolbar, fetchStatus.root, caption, legend, grid, tooltip, message);
  return {
    root, sectionSelect, layerSelect, sourceSelect, colormapSelect, scaleSelect, wordsToggle, resetButton, fetchStatus,
    caption, legendBar, legendTicks, rowAxis, colAxis, plot, canvas, rowBand, colBand, cursor, dragRect, tooltip, message
  };
}

/** The legend's tick labels, each at its position on the bar. */
export function renderTicks(target: HTMLElement, ticks: readonly Tick[]): void {
  const doc = target.ownerDocument;
  target.replaceChildren(
    ...ticks.map(t => {
      const s = el(doc, 'span', 'attnscope-matrix-tick', t.label);
      s.style.left = `${(t.t * 100).toFixed(2)}%`;
      s.dataset.value = String(t.value);
      return s;
    })
  );
}

export interface AxisLabel {
  /** Row or column unit (token, word, or pooled cell). */
  unit: number;
  /** Token index (data-index): the unit's first token. */
  index: number;
  text: string;
  /** Full text for the title. */
  full: string;
  /** Offset along the axis, CSS pixels, and the cell's size. */
  at: number;
  size: number;
  word: number | null;
}

/** Fills an axis with its labels (`.attnscope-token`, data-side / data-index, text only). */
export function renderAxis(axis: HTMLElement, side: 'query' | 'key', labels: readonly AxisLabel[]): HTMLElement[] {
  const doc = axis.ownerDocument;
  const els = labels.map(l => {
    const e = el(doc, 'div', 'attnscope-token attnscope-matrix-label', l.text);
    e.dataset.side = side;
    e.dataset.index = String(l.index);
    e.dataset.unit = String(l.unit);
    if (l.word !== null) {
      e.dataset.word = String(l.word);
    }
    e.title = l.full;
    e.setAttribute('aria-label', `${side} ${l.word !== null ? 'word' : 'token'} ${l.word ?? l.index}: ${l.full}`);
    const centre = l.at + l.size / 2 - LABEL_PX / 2;
    if (side === 'query') {
      e.style.top = `${centre}px`;
    } else {
      e.style.left = `${centre}px`;
    }
    return e;
  });
  axis.replaceChildren(...els);
  return els;
}

/** Places an overlay box (band, cursor, drag rectangle) in plot pixels; null hides it. */
export function placeBox(box: HTMLElement, r: { x: number; y: number; w: number; h: number } | null): void {
  box.hidden = !r;
  if (r) {
    Object.assign(box.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
  }
}

/** The pickers for a section: sections, layers ("rollout through layer N" for derived sections), which matrix, words. */
export function fillToolbar(d: MatrixViewDom, sections: readonly Section[], sec: Section, layer: number, choice: string): void {
  setOptions(d.sectionSelect, sections.map(s => ({ value: s.key, label: s.label })), sec.key);
  hideControl(d.sectionSelect, sections.length < 2);
  const layerText = (l: number): string => layerOption(sec, l);
  setOptions(d.layerSelect, sec.layers.map(l => ({ value: String(l), label: layerText(l) })), String(layer));
  const nHeads = sec.shape[1];
  const heads = Array.from({ length: nHeads }, (_, h) => ({ value: `head:${h}`, label: sec.headLabels?.[h] ?? `head ${headId(sec, h)}` }));
  setOptions(d.sourceSelect, [{ value: choiceId(MEAN), label: 'mean of active heads' }, { value: choiceId(MAX), label: 'max of active heads' }, ...heads], choice);
  hideControl(d.sourceSelect, nHeads < 2);
  d.wordsToggle.hidden = !(hasSubwords(wordsOf(sec, 'key')) || hasSubwords(wordsOf(sec, 'query')));
}

/** The value of a select if it is one of `allowed` (else null: the default applies). */
export function pickOf<T extends string>(select: HTMLSelectElement, allowed: readonly T[]): T | null {
  return (allowed as readonly string[]).includes(select.value) ? (select.value as T) : null;
}
