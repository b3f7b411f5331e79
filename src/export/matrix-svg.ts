/**
 * Matrix view as SVG (pure): the title, the caption, the legend (the colour map as a row of
 * rectangles with its ticks) and the visible window of the matrix as ONE <image> (the PNG data URL
 * of the window at cell resolution, scaled up without smoothing), with the axis labels as vector
 * text (escaped by the builder, never markup), thinned as on screen. Where no PNG could be made
 * (no canvas encoder) a small window is drawn as rectangles, a large one says so.
 */
import { layerWords } from '../data/derived';
import { isFull } from '../analysis/zoom';
import { shownLabels, thinStep } from '../render/axis-labels';
import { colorAt } from '../render/colormap';
import { divergingColor } from '../render/diverging';
import { scalePosition } from '../render/legend';
import { displayText } from '../render/tokens';
import { LABEL_PX, MAX_CELL, MAX_PLOT } from '../views/matrix/dom';
import { matrixCaption, tokensOfUnit, unitOfRef } from '../views/matrix/shown';
import { MatrixSnapshot } from '../views/matrix/view';
import { ExportedSvg, h, SvgNode, SvgPalette, svgDocument, textWidth } from './svg';

export interface MatrixSvgInput extends MatrixSnapshot {
  palette: SvgPalette;
}

const PAD = 12;
const TITLE_H = 22;
const CAPTION_H = 18;
const LEGEND_H = 30;
const LEGEND_W = 200;
const FONT = 11;
/** Without a PNG, windows up to this many cells are drawn as rectangles. */
export const VECTOR_CELLS = 4096;

function legend(p: MatrixSvgInput, x0: number, y0: number): SvgNode {
  const steps = 32;
  const bw = LEGEND_W / steps;
  const cells: SvgNode[] = [];
  for (let i = 0; i < steps; i++) {
    const t = (i + 0.5) / steps;
    cells.push(h('rect', { x: x0 + i * bw, y: y0, width: bw + 0.5, height: 10, fill: p.shown.signed ? divergingColor(2 * t - 1, 1) : colorAt(p.colormap, t) }));
  }
  cells.push(h('rect', { x: x0, y: y0, width: LEGEND_W, height: 10, fill: 'none', stroke: p.palette.border }));
  for (const t of p.ticks) {
    const x = x0 + t.t * LEGEND_W;
    cells.push(h('line', { x1: x, y1: y0 + 10, x2: x, y2: y0 + 13, stroke: p.palette.muted }));
    cells.push(h('text', { x, y: y0 + 24, 'text-anchor': 'middle', 'font-size': 10, fill: p.palette.muted, 'data-value': String(t.value) }, t.label));
  }
  return h('g', { 'data-role': 'legend', 'data-colormap': p.shown.signed ? 'rdbu' : p.colormap, 'data-scale': p.shown.signed ? 'signed' : p.scale, 'data-max': String(p.shown.max) }, ...cells);
}

/** The matrix view as an SVG file. */
export function matrixSvg(p: MatrixSvgInput): ExportedSvg & { cells: number } {
  const s = p.shown;
  const w = p.window;
  const rows = w.r1 - w.r0;
  const cols = w.c1 - w.c0;
  const plotW = Math.min(MAX_PLOT, cols * MAX_CELL);
  const plotH = Math.min(MAX_PLOT, rows * MAX_CELL);
  const cellW = plotW / cols;
  const cellH = plotH / rows;
  const label = (side: 'query' | 'key', u: number): { text: string; index: number } => {
    const [t0] = tokensOfUnit(s, side, u);
    const texts = side === 'query' ? s.rowLabels : s.colLabels;
    return { text: displayText((s.exact ? texts[u] : texts[t0]) ?? '', p.maxTokenChars), index: t0 };
  };
  const rowUnits = shownLabels(w.r0, w.r1, thinStep(LABEL_PX, cellH));
  const colUnits = shownLabels(w.c0, w.c1, thinStep(LABEL_PX, cellW));
  const rowW = Math.min(160, Math.max(24, ...rowUnits.map(u => textWidth(label('query', u).text, FONT) + 6)));
  const colH = Math.min(160, Math.max(24, ...colUnits.map(u => textWidth(label('key', u).text, FONT) + 6)));
  const caption = matrixCaption(s, w);
  const x0 = PAD + rowW;
  const y0 = PAD + TITLE_H + CAPTION_H + LEGEND_H + colH;
  const where = layerWords(s.section, s.layer);
  const title = `attnscope \u00b7 ${s.section.label} \u00b7 ${s.choiceText} \u00b7 ${where}`;
  const nodes: SvgNode[] = [
    h('text', { 'data-role': 'title', x: PAD, y: PAD + 13, 'font-size': 13, 'font-weight': 600, fill: p.palette.foreground }, title),
    h('text', { 'data-role': 'caption', x: PAD, y: PAD + TITLE_H + 10, fill: p.palette.muted }, caption),
    legend(p, PAD, PAD + TITLE_H + CAPTION_H)
  ];
  const plot: SvgNode[] = [];
  if (p.image) {
    plot.push(h('image', { href: p.image, x: x0, y: y0, width: plotW, height: plotH, preserveAspectRatio: 'none', 'image-rendering': 'pixelated', style: 'image-rendering:pixelated' }));
  } else if (rows * cols <= VECTOR_CELLS && s.weights) {
    for (let r = w.r0; r < w.r1; r++) {
      for (let c = w.c0; c < w.c1; c++) {
        const v = s.weights[r * s.cols + c];
        const fill = s.signed ? divergingColor(v, s.max) : colorAt(p.colormap, scalePosition(v, s.max, p.scale));
        plot.push(h('rect', { x: x0 + (c - w.c0) * cellW, y: y0 + (r - w.r0) * cellH, width: cellW, height: cellH, fill }));
      }
    }
  } else {
    plot.push(h('text', { x: x0 + 4, y: y0 + 16, fill: p.palette.muted }, `${rows} \u00d7 ${cols} cells: the image could not be encoded in this browser`));
  }
  plot.push(h('rect', { x: x0, y: y0, width: plotW, height: plotH, fill: 'none', stroke: p.palette.border }));
  const f = p.focus;
  const fu = f ? unitOfRef(s, f) : -1;
  if (f && f.side === 'query' && fu >= w.r0 && fu < w.r1) {
    plot.push(h('rect', { 'data-role': 'focus', 'data-side': 'query', x: x0, y: y0 + (fu - w.r0) * cellH, width: plotW, height: cellH, fill: 'none', stroke: p.palette.foreground, 'stroke-width': 1.5 }));
  } else if (f && f.side === 'key' && fu >= w.c0 && fu < w.c1) {
    plot.push(h('rect', { 'data-role': 'focus', 'data-side': 'key', x: x0 + (fu - w.c0) * cellW, y: y0, width: cellW, height: plotH, fill: 'none', stroke: p.palette.foreground, 'stroke-width': 1.5 }));
  }
  nodes.push(h('g', { 'data-role': 'matrix', 'data-cells': rows * cols }, ...plot));
  const rowLabels = rowUnits.map(u => {
    const l = label('query', u);
    const y = y0 + (u - w.r0 + 0.5) * cellH + 4;
    return h('text', { class: 'attnscope-token', 'data-side': 'query', 'data-index': l.index, x: x0 - 4, y, 'text-anchor': 'end' }, l.text);
  });
  const colLabels = colUnits.map(u => {
    const l = label('key', u);
    const x = x0 + (u - w.c0 + 0.5) * cellW + 4;
    const y = y0 - 4;
    return h('text', { class: 'attnscope-token', 'data-side': 'key', 'data-index': l.index, x, y, transform: `rotate(-90 ${x} ${y})` }, l.text);
  });
  nodes.push(h('g', { 'data-role': 'labels', 'font-size': FONT, fill: p.palette.foreground }, ...rowLabels, ...colLabels));
  const width = Math.max(x0 + plotW + PAD, PAD + LEGEND_W + PAD, Math.min(960, textWidth(caption, 12)) + 2 * PAD);
  const height = y0 + plotH + PAD;
  const source = s.choice.kind === 'head' ? `H${s.section.heads[s.choice.head] ?? s.choice.head}` : `H${s.choice.kind}`;
  const node = h('g', { 'data-view': 'matrix', 'data-layer': s.layer, 'data-exact': String(s.exact), 'data-zoom': isFull(w, s.rows, s.cols) ? null : `${w.r0},${w.r1},${w.c0},${w.c1}` }, ...nodes);
  return {
    svg: svgDocument(width, height, p.palette, title, node),
    width: Math.ceil(width),
    height: Math.ceil(height),
    name: `attnscope-matrix-L${s.layer}-${source}`,
    cells: rows * cols
  };
}
