/**
 * Model view as SVG (pure): every (layer, head) thumbnail with the real layer and head ids on the
 * axes. Short inputs as lines (analysis/links.ts collectLinks for one head: the thumbnail's rule,
 * opacity = weight, unfocused lines under one 8-bit step skipped), long ones as the pooled heatmap
 * of analysis/pooling.ts (poolMatrix, heatAlpha). The focused token is marked in every thumbnail,
 * the open head is outlined, and when a head is open it is drawn large beside the grid.
 */
import { headId } from '../selection/ids';
import { RENDER_CONSTANTS } from '../config/render-constants';
import { TokenRef } from '../selection/state';
import { shortenToken } from '../render/format';
import { alphaLevel } from '../render/links';
import { collectLinks } from '../analysis/links';
import { heatAlpha, poolMatrix } from '../analysis/pooling';
import { thumbnailMode } from '../render/thumbnails';
import { overview, Overview } from '../data/section';
import { choiceOverview, MAX, MEAN } from '../analysis/aggregate';
import { AGGREGATE_COLOR } from '../views/head/aggregate-chip';
import { headFigure, HeadSvgInput, TITLE_TOKEN_CHARS } from './head-svg';
import { ModelSnapshot } from '../views/model/view';
import { escapeInvisible, isolate } from '../render/token-text';
import { ExportedSvg, fileName, h, num, SvgNode, SvgPalette, svgDocument, textWidth } from './svg';

/** The model view as it shows now, in the colours of its theme. */
export interface ModelSvgInput extends Omit<ModelSnapshot, 'panel'> {
  palette: SvgPalette;
  /** The open head as its panel shows it; drawn beside the grid. */
  panel?: HeadSvgInput | null;
}

/** Pooled heatmaps are exported at most this many cells a side (keeps a 12 x 12 grid of long inputs small). */
export const MAX_HEAT_CELLS = 32;

const PAD = 12;
const GAP = 4;
const LABEL_W = 28;
const HEADER_H = 16;
const TITLE_H = 24;

interface Thumb {
  node: SvgNode;
  marks: number;
}

/** Lines of one head, grouped into one path per 8-bit opacity level (as the canvas draws them). */
function lineThumb(weights: Float32Array, nQ: number, nK: number, color: string, focus: TokenRef | null, size: number): Thumb {
  const batch = collectLinks({
    weights: [weights],
    nQueries: nQ,
    nKeys: nK,
    heads: [0],
    query: { start: 0, end: nQ },
    key: { start: 0, end: nK },
    focus,
    minAlpha: RENDER_CONSTANTS.min_line_alpha
  });
  const x0 = size * 0.15;
  const x1 = size * 0.85;
  const yq = (i: number): number => ((i + 0.5) * size) / nQ;
  const yk = (j: number): number => ((j + 0.5) * size) / nK;
  const groups = new Map<number, string[]>();
  for (let i = 0; i < batch.count; i++) {
    const level = alphaLevel(Math.min(1, batch.alpha[i]));
    let d = groups.get(level);
    if (!d) {
      d = [];
      groups.set(level, d);
    }
    d.push(`M${num(x0)} ${num(yq(batch.q[i]))}L${num(x1)} ${num(yk(batch.k[i]))}`);
  }
  const paths = Array.from(groups.entries())
    .sort((a, b) => a[0] - b[0])
    .map(([level, d]) => h('path', { d: d.join(''), stroke: color, 'stroke-opacity': (level / 255).toPrecision(3), 'stroke-width': 1, fill: 'none' }));
  let marker: SvgNode | null = null;
  if (focus) {
    const y = focus.side === 'query' ? yq(focus.index) : yk(focus.index);
    marker = h('rect', { 'data-role': 'focus', x: focus.side === 'query' ? 0 : x1 + 1, y: y - 1.5, width: x0 - 1, height: 3, fill: color });
  }
  return { node: h('g', { 'data-role': 'lines', 'data-lines': batch.count }, ...paths, marker), marks: batch.count };
}

/** Pooled heatmap of one head: cells grouped into one path per 8-bit opacity level. */
/** A pooled heatmap of `src` (exact or already pooled); the focus band is placed among the real nQ x nK tokens. */
function heatThumb(src: Overview, nQ: number, nK: number, color: string, focus: TokenRef | null, size: number): Thumb {
  const cells = Math.min(Math.floor(size), MAX_HEAT_CELLS);
  const rows = Math.min(src.rows, cells);
  const cols = Math.min(src.cols, cells);
  const pooled = poolMatrix(src.weights, src.rows, src.cols, rows, cols);
  let max = 0;
  pooled.forEach(v => (max = Math.max(max, v)));
  const cw = size / cols;
  const ch = size / rows;
  const groups = new Map<number, string[]>();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const a = heatAlpha(pooled[r * cols + c], max);
      if (a > 0) {
        const level = alphaLevel(a);
        let d = groups.get(level);
        if (!d) {
          d = [];
          groups.set(level, d);
        }
        d.push(`M${num(c * cw)} ${num(r * ch)}h${num(cw)}v${num(ch)}h${num(-cw)}z`);
      }
    }
  }
  const paths = Array.from(groups.entries())
    .sort((a, b) => a[0] - b[0])
    .map(([level, d]) => h('path', { d: d.join(''), fill: color, 'fill-opacity': (level / 255).toPrecision(3) }));
  let outline: SvgNode | null = null;
  if (focus) {
    const n = focus.side === 'query' ? nQ : nK;
    const at = (focus.index * size) / n;
    const band = Math.max(1.5, size / n);
    const box = focus.side === 'query' ? { x: 0.75, y: at, width: size - 1.5, height: band } : { x: at, y: 0.75, width: band, height: size - 1.5 };
    outline = h('rect', { 'data-role': 'focus', ...box, fill: 'none', stroke: color, 'stroke-width': 1.5 });
  }
  return { node: h('g', { 'data-role': 'heatmap', 'data-cells': rows * cols, 'data-rows': rows, 'data-cols': cols }, ...paths, outline), marks: rows * cols };
}

export function modelTitle(p: ModelSvgInput): string {
  const sec = p.section;
  const [nL, nH] = sec.shape;
  const parts = [`attnscope \u00b7 ${sec.label}`, `${nL} ${nL === 1 ? 'layer' : 'layers'} \u00d7 ${nH} ${nH === 1 ? 'head' : 'heads'}`];
  if (p.focus) {
    const tokens = p.focus.side === 'query' ? sec.queryTokens : sec.keyTokens;
    parts.push(`${p.focus.side} ${p.focus.index} \u201c${isolate(escapeInvisible(shortenToken(tokens[p.focus.index] ?? '', TITLE_TOKEN_CHARS)))}\u201d`);
  }
  if (p.openHead) {
    parts.push(`open: layer ${p.openHead.layer}, head ${headId(sec, p.openHead.head)}`);
  }
  return parts.join(' \u00b7 ');
}

export function modelSvg(p: ModelSvgInput): ExportedSvg & { thumbs: number } {
  const sec = p.section;
  const pal = p.palette;
  const [, nHeads, nQ, nK] = sec.shape;
  const size = Math.max(24, Math.round(p.thumbSize && p.thumbSize > 0 ? p.thumbSize : 64));
  const mode = thumbnailMode(nQ, nK);
  const title = modelTitle(p);
  const gridX = PAD;
  const gridY = PAD + TITLE_H;
  const cellX = (slot: number): number => gridX + LABEL_W + slot * (size + GAP);
  const cellY = (row: number): number => gridY + HEADER_H + row * (size + GAP);
  const open = p.openHead;

  const labels: SvgNode[] = [h('text', { x: gridX + LABEL_W - 6, y: gridY + 11, 'text-anchor': 'end', 'font-size': 10, fill: pal.muted }, 'L\\H')];
  const aggs = p.aggregates && p.aggregates.length > 0 ? p.aggregates : null;
  const columns = [...sec.heads.map(String), ...(aggs ? ['mean', 'max'] : [])];
  columns.forEach((id, slot) => {
    labels.push(h('text', { 'data-role': 'head-label', x: cellX(slot) + size / 2, y: gridY + 11, 'text-anchor': 'middle', 'font-size': 10, fill: pal.muted }, id));
  });
  const thumbs: SvgNode[] = [];
  const aggThumbs: SvgNode[] = [];
  let outlineNode: SvgNode | null = null;
  sec.layers.forEach((layer, li) => {
    const current = layer === p.layer;
    labels.push(
      h(
        'text',
        {
          'data-role': 'layer-label',
          x: gridX + LABEL_W - 6,
          y: cellY(li) + size / 2 + 3.5,
          'text-anchor': 'end',
          'font-size': 10,
          'font-weight': current ? 700 : null,
          fill: current ? pal.foreground : pal.muted
        },
        String(layer)
      )
    );
    for (let slot = 0; slot < nHeads; slot++) {
      const src = overview(sec, li, slot);
      const color = p.colors[slot];
      const t = mode === 'lines' && src.exact ? lineThumb(src.weights, nQ, nK, color, p.focus, size) : heatThumb(src, nQ, nK, color, p.focus, size);
      const isOpen = !!open && open.layer === layer && open.head === slot;
      const x = cellX(slot);
      const y = cellY(li);
      thumbs.push(
        h(
          'g',
          { class: 'attnscope-thumb', 'data-layer': layer, 'data-head': headId(sec, slot), 'data-open': isOpen || null, transform: `translate(${num(x)} ${num(y)})` },
          h('rect', { x: 0, y: 0, width: size, height: size, fill: pal.background, stroke: pal.border, 'stroke-width': 1 }),
          t.node
        )
      );
      if (isOpen) {
        outlineNode = h('rect', { 'data-role': 'open-outline', x: x - 2.5, y: y - 2.5, width: size + 5, height: size + 5, fill: 'none', stroke: color, 'stroke-width': 3 });
      }
    }
    (aggs ? ([MEAN, MAX] as const) : []).forEach((choice, k) => {
      const src = choiceOverview(sec, li, choice, aggs ?? []);
      if (!src) {
        return;
      }
      const t = mode === 'lines' && src.exact ? lineThumb(src.weights, nQ, nK, AGGREGATE_COLOR, p.focus, size) : heatThumb(src, nQ, nK, AGGREGATE_COLOR, p.focus, size);
      const frame = h('rect', { x: 0, y: 0, width: size, height: size, fill: pal.background, stroke: AGGREGATE_COLOR, 'stroke-width': 1, 'stroke-dasharray': '3 2' });
      const attrs = { class: 'attnscope-aggregate-thumb', 'data-layer': layer, 'data-aggregate': choice.kind, 'data-exact': String(src.exact) };
      aggThumbs.push(h('g', { ...attrs, transform: `translate(${num(cellX(nHeads + k))} ${num(cellY(li))})` }, frame, t.node));
    });
  });

  const gridW = LABEL_W + columns.length * (size + GAP) - GAP;
  const gridH = HEADER_H + sec.layers.length * (size + GAP) - GAP;
  let width = PAD * 2 + gridW;
  let height = gridY + gridH + PAD;
  let panelNode: SvgNode | null = null;
  if (p.panel) {
    const fig = headFigure(p.panel);
    const px = PAD + gridW + 16;
    panelNode = h(
      'g',
      { 'data-role': 'open-head' },
      h('line', { x1: px, y1: gridY, x2: px, y2: gridY + Math.max(gridH, fig.height - PAD), stroke: pal.border, 'stroke-width': 1 }),
      h('g', { transform: `translate(${num(px)} ${num(gridY - PAD)})` }, fig.node)
    );
    width = px + fig.width;
    height = Math.max(height, gridY - PAD + fig.height);
  }
  width = Math.max(width, Math.min(900, PAD * 2 + textWidth(title, 13)));

  const body = h(
    'g',
    { 'data-view': 'model', 'data-mode': mode, 'data-thumbs': thumbs.length, 'data-open': open ? `${open.layer}:${headId(sec, open.head)}` : '' },
    h('text', { 'data-role': 'title', x: PAD, y: PAD + 13, 'font-size': 13, 'font-weight': 600, fill: pal.foreground }, title),
    h('g', { 'data-role': 'labels' }, ...labels),
    h('g', { 'data-role': 'thumbs' }, ...thumbs, ...aggThumbs),
    outlineNode,
    panelNode
  );
  const name = open ? fileName('model', open.layer, String(headId(sec, open.head))) : fileName('model', 'all', 'all');
  return { svg: svgDocument(width, height, pal, title, body), width: Math.ceil(width), height: Math.ceil(height), name, thumbs: thumbs.length };
}
