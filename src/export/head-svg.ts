/**
 * Head view as SVG (pure): the two token columns as <text>, the lines of the current layer and
 * active heads (or of the focused token only) with the screen's opacity rule, the per-head stripes
 * behind the tokens opposite the focused one, a legend of the active heads (real ids) and a title.
 * The lines come from analysis/links.ts collectLinks, the stripes from render/stripes.ts pairWeight.
 */
import { isSigned } from '../data/derived';
import { headId, headIdsOf, layerSlotOrFirst } from '../selection/ids';
import { RENDER_CONSTANTS } from '../config/render-constants';
import { Range } from '../selection/filters';
import { TokenRef } from '../selection/state';
import { shortenToken } from '../render/format';
import { collectLinks } from '../analysis/links';
import { LINE_WIDTH } from '../render/links';
import { escapeInvisible, isolate } from '../render/token-text';
import { pairWeight, StripeInput } from '../render/stripes';
import { displayText } from '../render/tokens';
import { layerWeights, Section } from '../data/section';
import { HeadSnapshot } from '../views/head/view';
import { AGGREGATE_COLOR, drawnHeads } from '../views/head/aggregate-chip';
import { ExportedSvg, fileName, h, headsPart, SvgNode, SvgPalette, svgDocument, textWidth } from './svg';


/** The head view as it shows now, in the colours of its theme. */
export interface HeadSvgInput extends HeadSnapshot {
  palette: SvgPalette;
}

export interface HeadFigure {
  node: SvgNode;
  width: number;
  height: number;
  /** Lines drawn: the view's data-lines for the same state. */
  lines: number;
}

const PAD = 12;
const FONT = 12;
const TITLE_H = 22;
const CHIP_H = 16;
const BASELINE = FONT * 0.35;
/** Tokens quoted in a title are shortened to this many characters. */
export const TITLE_TOKEN_CHARS = 32;

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));

function tokenLabel(sec: Section, t: TokenRef): string {
  const tokens = t.side === 'query' ? sec.queryTokens : sec.keyTokens;
  return `${t.side} ${t.index} \u201c${isolate(escapeInvisible(shortenToken(tokens[t.index] ?? '', TITLE_TOKEN_CHARS)))}\u201d`;
}

export function headTitle(p: HeadSvgInput): string {
  const sec = p.section;
  const ids = headIdsOf(sec, p.heads);
  const parts = [`attnscope \u00b7 ${sec.label}`, `layer ${p.layer}`, `${ids.length === 1 ? 'head' : 'heads'} ${ids.join(', ')}`];
  if (p.aggregate && p.aggregate !== 'off') {
    parts.push(`${p.aggregate} of ${ids.length} head${ids.length === 1 ? '' : 's'}`);
  }
  if (p.focus) {
    parts.push(tokenLabel(sec, p.focus));
  }
  if (p.pinned && !(p.focus && p.focus.side === p.pinned.side && p.focus.index === p.pinned.index)) {
    parts.push(`pinned ${tokenLabel(sec, p.pinned)}`);
  }
  return parts.join(' \u00b7 ');
}

/** Legend chips of the active heads, wrapped to `maxWidth`. */
function legend(p: HeadSvgInput, x0: number, y0: number, maxWidth: number): { node: SvgNode; height: number } {
  const label = 'Heads';
  const chips: SvgNode[] = [h('text', { x: x0, y: y0 + CHIP_H / 2 + BASELINE, fill: p.palette.muted }, label)];
  const start = x0 + textWidth(label, FONT) + 8;
  let x = start;
  let y = y0;
  for (const slot of p.heads) {
    const id = String(headId(p.section, slot));
    const w = Math.max(22, textWidth(id, 10) + 8);
    if (x + w > x0 + maxWidth && x > start) {
      x = start;
      y += CHIP_H + 4;
    }
    chips.push(
      h(
        'g',
        { 'data-role': 'head-chip', 'data-head': id },
        h('rect', { x, y, width: w, height: CHIP_H, rx: 3, fill: p.colors[slot] }),
        h('text', { x: x + w / 2, y: y + CHIP_H / 2 + 3.5, 'text-anchor': 'middle', 'font-size': 10, fill: '#ffffff' }, id)
      )
    );
    x += w + 3;
  }
  if (p.aggregate && p.aggregate !== 'off') {
    const text = p.aggregate;
    const w = textWidth(text, 10) + 10;
    chips.push(
      h('g', { 'data-role': 'aggregate-chip', 'data-aggregate': text },
        h('rect', { x, y, width: w, height: CHIP_H, rx: 3, fill: AGGREGATE_COLOR }),
        h('text', { x: x + w / 2, y: y + CHIP_H / 2 + 3.5, 'text-anchor': 'middle', 'font-size': 10, fill: '#ffffff' }, text))
    );
  }
  return { node: h('g', { 'data-role': 'legend' }, ...chips), height: y - y0 + CHIP_H };
}

function tokenColumn(
  p: HeadSvgInput,
  side: 'query' | 'key',
  range: Range,
  x: number,
  width: number,
  y0: number
): SvgNode {
  const tokens = side === 'query' ? p.section.queryTokens : p.section.keyTokens;
  const rowH = p.rowHeight;
  const items: SvgNode[] = [];
  for (let i = range.start; i < range.end; i++) {
    const y = y0 + (i - range.start) * rowH;
    const focused = !!p.focus && p.focus.side === side && p.focus.index === i;
    const pinned = !!p.pinned && p.pinned.side === side && p.pinned.index === i;
    items.push(
      h(
        'g',
        { class: 'attnscope-token', 'data-side': side, 'data-index': i, 'data-focused': focused || null, 'data-pinned': pinned || null },
        focused && h('rect', { x, y: y + 0.5, width, height: rowH - 1, rx: 2, fill: p.palette.accent, 'fill-opacity': 0.18 }),
        pinned && h('rect', { x: x + 0.75, y: y + 1.25, width: width - 1.5, height: rowH - 2.5, rx: 2, fill: 'none', stroke: p.palette.accent, 'stroke-width': 1.5 }),
        h(
          'text',
          {
            x: side === 'query' ? x + width - 6 : x + 6,
            y: y + rowH / 2 + BASELINE,
            'text-anchor': side === 'query' ? 'end' : 'start',
            'font-weight': focused ? 600 : null
          },
          displayText(tokens[i], p.maxTokenChars)
        )
      )
    );
  }
  return h('g', { 'data-role': `${side}-tokens`, fill: p.palette.foreground }, ...items);
}

function columnWidth(tokens: readonly string[], range: Range, maxChars: number): number {
  let widest = 0;
  for (let i = range.start; i < range.end; i++) {
    widest = Math.max(widest, textWidth(displayText(tokens[i], maxChars), FONT));
  }
  return clamp(Math.ceil(widest) + 14, 40, 320);
}

/** The head view as a group at the origin, with its size and line count. */
export function headFigure(p: HeadSvgInput): HeadFigure {
  const sec = p.section;
  const [, , nQ, nK] = sec.shape;
  const rowH = p.rowHeight;
  const li = layerSlotOrFirst(sec, p.layer);
  // a lazy layer not fetched yet exports without lines (the view says so too)
  const weights = layerWeights(sec, li, p.heads) ?? Array.from({ length: sec.shape[1] }, () => new Float32Array(nQ * nK));
  const drawn = drawnHeads(weights, p.heads, p.aggregate, p.colors, isSigned(sec));
  const batch = collectLinks({ weights: drawn.weights, nQueries: nQ, nKeys: nK, heads: drawn.heads, query: p.query, key: p.key, focus: p.focus, minAlpha: RENDER_CONSTANTS.min_line_alpha, contrast: p.contrast });

  const qW = columnWidth(sec.queryTokens, p.query, p.maxTokenChars);
  const kW = columnWidth(sec.keyTokens, p.key, p.maxTokenChars);
  const linksW = p.linksWidth && p.linksWidth > 0 ? clamp(p.linksWidth, 120, 480) : 240;
  const bodyW = qW + linksW + kW;
  const title = headTitle(p);
  const contentW = Math.max(bodyW, Math.min(720, textWidth(title, 13)));

  const titleNode = h('text', { 'data-role': 'title', x: PAD, y: PAD + 13, 'font-size': 13, 'font-weight': 600, fill: p.palette.foreground }, title);
  const leg = legend(p, PAD, PAD + TITLE_H, contentW);
  const y0 = PAD + TITLE_H + leg.height + 10;
  const rows = Math.max(p.query.end - p.query.start, p.key.end - p.key.start);
  const bodyH = rows * rowH;
  const qX = PAD;
  const lX = qX + qW;
  const kX = lX + linksW;

  // Stripes behind the tokens opposite the focused one (drawn first: the text goes over them).
  const stripes: SvgNode[] = [];
  if (p.focus && drawn.heads.length > 0) {
    const other = p.focus.side === 'query' ? p.key : p.query;
    const x = p.focus.side === 'query' ? kX : qX;
    const width = p.focus.side === 'query' ? kW : qW;
    const input: StripeInput = { weights: drawn.weights, nQueries: nQ, nKeys: nK, heads: drawn.heads, focusSide: p.focus.side, focusIndex: p.focus.index, start: other.start, end: other.end };
    const stripe = width / drawn.heads.length;
    for (let o = other.start; o < other.end; o++) {
      drawn.heads.forEach((head, slot) => {
        const w = pairWeight(input, head, o);
        if (w > 0) {
          stripes.push(
            h('rect', { x: x + slot * stripe, y: y0 + (o - other.start) * rowH + 1, width: stripe, height: rowH - 2, fill: drawn.colorOf(head), 'fill-opacity': Math.min(1, w).toPrecision(4) })
          );
        }
      });
    }
  }

  const lines: SvgNode[] = [];
  for (let i = 0; i < batch.count; i++) {
    const slot = batch.head[i];
    lines.push(
      h('line', {
        x1: lX,
        y1: y0 + (batch.q[i] - p.query.start + 0.5) * rowH,
        x2: kX,
        y2: y0 + (batch.k[i] - p.key.start + 0.5) * rowH,
        stroke: drawn.colorOf(slot),
        'stroke-opacity': batch.alpha[i].toPrecision(4),
        'data-head': drawn.aggregate ?? headId(sec, slot)
      })
    );
  }

  const node = h(
    'g',
    { 'data-view': 'head', 'data-layer': p.layer, 'data-heads': headIdsOf(sec, p.heads).join(','), 'data-aggregate': drawn.aggregate, 'data-lines': batch.count },
    titleNode,
    leg.node,
    h('g', { 'data-role': 'stripes' }, ...stripes),
    h('g', { 'data-role': 'links', 'stroke-width': LINE_WIDTH, 'stroke-linecap': 'round' }, ...lines),
    tokenColumn(p, 'query', p.query, qX, qW, y0),
    tokenColumn(p, 'key', p.key, kX, kW, y0)
  );
  return { node, width: PAD * 2 + contentW, height: y0 + bodyH + PAD, lines: batch.count };
}

/** The head view as an SVG file. */
export function headSvg(p: HeadSvgInput): ExportedSvg & { lines: number } {
  const fig = headFigure(p);
  const ids = headIdsOf(p.section, p.heads);
  return {
    svg: svgDocument(fig.width, fig.height, p.palette, headTitle(p), fig.node),
    width: Math.ceil(fig.width),
    height: Math.ceil(fig.height),
    name: fileName('head', p.layer, headsPart(ids, p.section.shape[1])),
    lines: fig.lines
  };
}
