/**
 * Drawing of the matrix view: the visible window as ONE ImageData at 1 px per cell on an offscreen
 * canvas, scaled into the visible canvas without smoothing; the thinned axis labels of the window;
 * the crosshair boxes of the focused row / column and the hovered cell.
 */
import { ZoomWindow } from '../../analysis/zoom';
import { shownLabels, thinStep } from '../../render/axis-labels';
import { cssGradient } from '../../render/colormap';
import { divergingGradient, divergingRGBA, signedMeaning, signedTicks } from '../../render/diverging';
import { legendTicks, Tick } from '../../render/legend';
import { heatmapRGBA } from '../../render/heatmap';
import { displayText } from '../../render/tokens';
import { TokenRef } from '../../selection/state';
import { ColormapName, ScaleName } from '../../wire/view-options';
import { markIndices } from '../dom';
import { AxisLabel, LABEL_PX, MatrixViewDom, renderAxis, renderTicks } from './dom';
import { markAxis } from './step';
import { MatrixShown, tokensOfUnit, unitOfRef } from './shown';

/** Paints the window of `s` (plotW x plotH CSS pixels). Without a 2D context only the sizes are set. */
export function drawMatrix(d: MatrixViewDom, off: HTMLCanvasElement, s: MatrixShown, w: ZoomWindow, plotW: number, plotH: number, colormap: ColormapName, scale: ScaleName): boolean {
  const canvas = d.canvas;
  const dpr = canvas.ownerDocument.defaultView?.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(plotW * dpr));
  canvas.height = Math.max(1, Math.round(plotH * dpr));
  canvas.style.width = `${plotW}px`;
  canvas.style.height = `${plotH}px`;
  d.plot.style.width = `${plotW}px`;
  d.plot.style.height = `${plotH}px`;
  const cols = w.c1 - w.c0;
  const rows = w.r1 - w.r0;
  off.width = cols;
  off.height = rows;
  const octx = off.getContext('2d');
  const ctx = canvas.getContext('2d');
  if (!octx || !ctx || !s.weights) {
    return false;
  }
  const img = octx.createImageData(cols, rows);
  if (s.signed) {
    divergingRGBA(s.weights, s.cols, w, s.max, img.data);
  } else {
    heatmapRGBA(s.weights, s.cols, w, colormap, scale, s.max, img.data);
  }
  octx.putImageData(img, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, cols, rows, 0, 0, canvas.width, canvas.height);
  return true;
}

/** Labels of the window [a0, a1) on one side, every k-th one when cells are smaller than a label. */
export function axisLabels(s: MatrixShown, side: 'query' | 'key', a0: number, a1: number, cell: number, maxChars: number): AxisLabel[] {
  const texts = side === 'query' ? s.rowLabels : s.colLabels;
  const words = side === 'query' ? s.rowWords : s.colWords;
  return shownLabels(a0, a1, thinStep(LABEL_PX, cell)).map(u => {
    const [t0] = tokensOfUnit(s, side, u);
    const full = (s.exact ? texts[u] : texts[t0]) ?? '';
    return { unit: u, index: t0, text: displayText(full, maxChars), full, at: (u - a0) * cell, size: cell, word: words ? u : null };
  });
}

type Box = { x: number; y: number; w: number; h: number };

/** Row and column of the crosshair: the hovered cell's, else the focused token's row (query) or column (key). */
export function crosshair(
  s: MatrixShown,
  w: ZoomWindow,
  focus: TokenRef | null,
  hover: { row: number; col: number } | null,
  cellW: number,
  cellH: number
): { row: number | null; col: number | null; rowBox: Box | null; colBox: Box | null } {
  let row = focus?.side === 'query' ? unitOfRef(s, focus) : null;
  let col = focus?.side === 'key' ? unitOfRef(s, focus) : null;
  if (hover) {
    row = hover.row;
    col = hover.col;
  }
  const rowBox = row !== null && row >= w.r0 && row < w.r1 ? { x: 0, y: (row - w.r0) * cellH, w: (w.c1 - w.c0) * cellW, h: cellH } : null;
  const colBox = col !== null && col >= w.c0 && col < w.c1 ? { x: (col - w.c0) * cellW, y: 0, w: cellW, h: (w.r1 - w.r0) * cellH } : null;
  return { row: rowBox ? row : null, col: colBox ? col : null, rowBox, colBox };
}

/** Axis labels of the crosshair's row and column are marked focused, the pinned token's pinned. */
export function markLabels(d: MatrixViewDom, row: number | null, col: number | null, pin: TokenRef | null): void {
  for (const [axis, u] of [[d.rowAxis, row], [d.colAxis, col]] as const) {
    for (const e of Array.from(axis.querySelectorAll<HTMLElement>('.attnscope-token'))) {
      e.classList.toggle('is-focused', Number(e.dataset.unit) === u);
      e.classList.toggle('is-pinned', !!pin && pin.side === e.dataset.side && Number(e.dataset.index) === pin.index);
    }
  }
}

/** The dragged rectangle from cell position `a` to cell `b`, in plot pixels (whole cells). */
export function dragBox(a: { row: number; col: number }, b: { row: number; col: number }, w: ZoomWindow, cellW: number, cellH: number): Box {
  const r0 = Math.floor(Math.min(a.row, b.row)) - w.r0;
  const r1 = Math.floor(Math.max(a.row, b.row)) + 1 - w.r0;
  const c0 = Math.floor(Math.min(a.col, b.col)) - w.c0;
  const c1 = Math.floor(Math.max(a.col, b.col)) + 1 - w.c0;
  return { x: c0 * cellW, y: r0 * cellH, w: (c1 - c0) * cellW, h: (r1 - r0) * cellH };
}

/** PNG data URL of a canvas, or null where the browser (or jsdom) cannot encode one. */
export function pngOf(canvas: HTMLCanvasElement | null): string | null {
  try {
    const url = canvas?.toDataURL('image/png');
    return typeof url === 'string' && url.startsWith('data:image/png') ? url : null;
  } catch {
    return null;
  }
}

/** The legend's ticks: [0, max] on the scale, or -max .. max for a difference. */
export function ticksOf(s: MatrixShown, scale: ScaleName): Tick[] {
  return s.signed ? signedTicks(s.max) : legendTicks(s.max, scale);
}

/** The legend bar and its ticks: the colour map, or the diverging scale of a difference (its meaning in the title). */
export function paintLegend(d: MatrixViewDom, s: MatrixShown, colormap: ColormapName, scale: ScaleName): void {
  d.legendBar.style.background = s.signed ? divergingGradient() : cssGradient(colormap);
  renderTicks(d.legendTicks, ticksOf(s, scale));
  d.legendBar.title = s.signed ? `${signedMeaning(s.section)}; symmetric about 0` : '';
}

/** Both axes' labels of the window, generated tokens and a comparison's differing tokens marked. */
export function paintAxes(d: MatrixViewDom, s: MatrixShown, w: ZoomWindow, cellW: number, cellH: number, maxChars: number): void {
  const rows = renderAxis(d.rowAxis, 'query', axisLabels(s, 'query', w.r0, w.r1, cellH, maxChars));
  const cols = renderAxis(d.colAxis, 'key', axisLabels(s, 'key', w.c0, w.c1, cellW, maxChars));
  markAxis(rows, s.section, 'query');
  markAxis(cols, s.section, 'key');
  markIndices([...rows, ...cols], s.grouped ? null : s.section.differingTokens, 'is-differing');
}
