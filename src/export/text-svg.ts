/**
 * Text view as SVG (pure): the title, the caption, the legend (0 .. the largest weight shown) and
 * the running text wrapped to a width, each token (or word) a <text> over a background rectangle of
 * the shading colour at the screen's opacity (analysis/text-shading.ts shadeAlpha). Tokens are
 * text nodes of the builder (escaped), never markup.
 */
import { shadeAlpha } from '../analysis/text-shading';
import { formatWeight } from '../render/format';
import { displayText } from '../render/tokens';
import { isolate, plainText, TextLine } from '../render/token-text';
import { TextSnapshot } from '../views/text/view';
import { ExportedSvg, h, SvgNode, SvgPalette, svgDocument, textWidth } from './svg';

export interface TextSvgInput extends TextSnapshot {
  palette: SvgPalette;
  /** Width of the text block, CSS pixels (the view's width; 640 when unknown). */
  textWidth?: number;
}

const PAD = 12;
const FONT = 14;
const LINE_H = 24;
const TITLE_H = 22;
const LEGEND_H = 18;

/** A caption line as SVG text: tokens isolated (U+2068/U+2069) so that their direction stays theirs. */
function lineText(line: TextLine): string {
  return typeof line === 'string' ? line : line.map(p => (typeof p === 'string' ? p : isolate(p.token))).join('');
}

export function textTitle(p: TextSvgInput): string {
  return `attnscope \u00b7 ${p.section.label} \u00b7 text \u00b7 ${plainText(p.caption)}`;
}

function legend(p: TextSvgInput, color: string, x0: number, y0: number): SvgNode | null {
  const s = p.shading;
  if (!s) {
    return null;
  }
  const steps = 6;
  const box = 16;
  const cells: SvgNode[] = [h('text', { x: x0, y: y0 + 12, fill: p.palette.muted, 'font-size': 11 }, '0')];
  const bx = x0 + 12;
  for (let i = 0; i < steps; i++) {
    cells.push(h('rect', { x: bx + i * box, y: y0 + 2, width: box, height: 12, fill: color, 'fill-opacity': shadeAlpha((i + 1) / steps, 1).toFixed(3) }));
  }
  cells.push(h('rect', { x: bx, y: y0 + 2, width: steps * box, height: 12, fill: 'none', stroke: p.palette.border }));
  cells.push(h('text', { x: bx + steps * box + 6, y: y0 + 12, fill: p.palette.muted, 'font-size': 11 }, formatWeight(s.max)));
  return h('g', { 'data-role': 'legend', 'data-max': String(s.max) }, ...cells);
}

/** The text view as an SVG file. */
export function textSvg(p: TextSvgInput): ExportedSvg & { units: number } {
  const width = Math.max(240, Math.min(1200, p.textWidth && p.textWidth > 0 ? p.textWidth : 640));
  const color = p.color ?? p.palette.accent;
  const caption = lineText(p.caption);
  const contentW = Math.max(width, Math.min(960, textWidth(caption, 12)));
  const title = `attnscope \u00b7 ${p.section.label} \u00b7 layer ${p.layer}`;
  const nodes: SvgNode[] = [
    h('text', { 'data-role': 'title', x: PAD, y: PAD + 13, 'font-size': 13, 'font-weight': 600, fill: p.palette.foreground }, title),
    h('text', { 'data-role': 'caption', x: PAD, y: PAD + TITLE_H + 12, fill: p.palette.muted }, caption)
  ];
  const leg = legend(p, color, PAD, PAD + TITLE_H + 18);
  if (leg) {
    nodes.push(leg);
  }
  const top = PAD + TITLE_H + 18 + LEGEND_H + 8;
  let x = PAD;
  let y = top;
  const space = textWidth(' ', FONT);
  const units: SvgNode[] = [];
  p.units.forEach((u, i) => {
    const text = displayText(u.text, p.maxTokenChars);
    const w = textWidth(text, FONT) + 2;
    const gap = u.space ? space : 0;
    if (x + gap + w > PAD + width && x > PAD) {
      x = PAD;
      y += LINE_H;
    } else {
      x += gap;
    }
    const weight = p.shading ? p.shading.weights[i] : null;
    const alpha = weight === null || !p.shading ? 0 : shadeAlpha(weight, p.shading.max);
    const focused = p.focusUnit === i;
    const pinned = p.pinnedUnit === i;
    units.push(
      h(
        'g',
        { class: 'attnscope-text-token', 'data-side': 'key', 'data-index': u.index, 'data-word': u.word, 'data-weight': weight === null ? null : String(weight), 'data-focused': focused || null, 'data-pinned': pinned || null },
        alpha > 0 && h('rect', { x, y: y - FONT + 1, width: w, height: FONT + 6, rx: 2, fill: color, 'fill-opacity': alpha.toFixed(3) }),
        focused && h('rect', { x: x - 0.5, y: y - FONT + 0.5, width: w + 1, height: FONT + 7, rx: 2, fill: 'none', stroke: p.palette.foreground, 'stroke-width': 1.5 }),
        pinned && h('line', { x1: x, y1: y + 6, x2: x + w, y2: y + 6, stroke: p.palette.accent, 'stroke-width': 2 }),
        h('text', { x: x + 1, y: y + 2, 'font-size': FONT }, text)
      )
    );
    x += w;
  });
  nodes.push(h('g', { 'data-role': 'text', fill: p.palette.foreground }, ...units));
  const height = y + LINE_H / 2 + PAD;
  const node = h('g', { 'data-view': 'text', 'data-layer': p.layer, 'data-source': p.choice.kind === 'head' ? `head:${p.choice.head}` : p.choice.kind, 'data-exact': String(p.exact) }, ...nodes);
  const source = p.choice.kind === 'head' ? `H${p.section.heads[p.choice.head] ?? p.choice.head}` : `H${p.choice.kind}`;
  return {
    svg: svgDocument(contentW + 2 * PAD, height, p.palette, textTitle(p), node),
    width: Math.ceil(contentW + 2 * PAD),
    height: Math.ceil(height),
    name: `attnscope-text-L${p.layer}-${source}`,
    units: p.units.length
  };
}
