/**
 * The heads chart: every head a point on two scores (x, y), coloured by its layer. Pure: a layout
 * function of the score table, and an SVG builder of that layout (tokens never reach it; labels are
 * set as text). The model view links the points to its grid.
 */
import { scaleLinear } from 'd3';

import { HeadScores, scoreValue } from '../wire/head-scores';
import { colorAt } from './colormap';
import { tickLabel } from './legend';

export interface ChartPoint {
  layerSlot: number;
  headSlot: number;
  x: number;
  y: number;
  /** Pixel position in the chart. */
  px: number;
  py: number;
  color: string;
}

export interface ChartTick {
  value: number;
  /** Pixel position along its axis. */
  at: number;
  label: string;
}

export interface ChartLayout {
  width: number;
  height: number;
  /** The plotting box: left, top, right, bottom, in pixels. */
  box: { left: number; top: number; right: number; bottom: number };
  xName: string;
  yName: string;
  points: ChartPoint[];
  xTicks: ChartTick[];
  yTicks: ChartTick[];
  /** Heads left out: a score undefined (NaN) for them. */
  missing: number;
}

export const CHART_MARGIN = { left: 44, top: 10, right: 12, bottom: 34 };
/** Point radius, CSS pixels. */
export const POINT_RADIUS = 4;

/** The domain of values with a little room, so points on the edge are not cut; [v-0.5, v+0.5] for one value. */
function padded(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** Where every head of `scores` goes on a chart of `width` x `height` of scores `xName` and `yName`. */
export function chartLayout(scores: HeadScores, xName: string, yName: string, width: number, height: number): ChartLayout {
  const [nL, nH] = scores.values.shape;
  const box = { left: CHART_MARGIN.left, top: CHART_MARGIN.top, right: width - CHART_MARGIN.right, bottom: height - CHART_MARGIN.bottom };
  const raw: { l: number; h: number; x: number; y: number }[] = [];
  let missing = 0;
  for (let l = 0; l < nL; l++) {
    for (let h = 0; h < nH; h++) {
      const x = scoreValue(scores, xName, l, h);
      const y = scoreValue(scores, yName, l, h);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        raw.push({ l, h, x, y });
      } else {
        missing++;
      }
    }
  }
  const sx = scaleLinear().domain(raw.length ? padded(raw.map(p => p.x)) : [0, 1]).range([box.left, box.right]);
  const sy = scaleLinear().domain(raw.length ? padded(raw.map(p => p.y)) : [0, 1]).range([box.bottom, box.top]);
  const points = raw.map(p => ({
    layerSlot: p.l,
    headSlot: p.h,
    x: p.x,
    y: p.y,
    px: sx(p.x),
    py: sy(p.y),
    color: colorAt('viridis', nL > 1 ? p.l / (nL - 1) : 0.5)
  }));
  const ticks = (s: typeof sx): ChartTick[] => s.ticks(5).map(v => ({ value: v, at: s(v), label: tickLabel(v) }));
  return { width, height, box, xName, yName, points, xTicks: ticks(sx), yTicks: ticks(sy), missing };
}

const SVG = 'http://www.w3.org/2000/svg';

function svgEl<K extends keyof SVGElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = doc.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, String(v));
  }
  return e;
}

/**
 * The chart as an SVG element: axes with ticks and the score names, one circle per head
 * (class attnscope-chart-point, data-layer-slot / data-slot, an accessible title). `layerIds` and
 * `headIds` are the real ids the titles show.
 */
export function buildChartSvg(doc: Document, c: ChartLayout, layerIds: readonly number[], headIds: readonly number[]): SVGSVGElement {
  const svg = svgEl(doc, 'svg', { class: 'attnscope-heads-chart', width: c.width, height: c.height, viewBox: `0 0 ${c.width} ${c.height}`, role: 'img' });
  svg.setAttribute('aria-label', `Heads chart: ${c.yName} against ${c.xName}, one point per head`);
  const { left, top, right, bottom } = c.box;
  const axes = svgEl(doc, 'g', { class: 'attnscope-chart-axes' });
  axes.append(svgEl(doc, 'line', { x1: left, y1: bottom, x2: right, y2: bottom }), svgEl(doc, 'line', { x1: left, y1: top, x2: left, y2: bottom }));
  for (const t of c.xTicks) {
    axes.append(svgEl(doc, 'line', { x1: t.at, y1: bottom, x2: t.at, y2: bottom + 4 }));
    const label = svgEl(doc, 'text', { x: t.at, y: bottom + 15, 'text-anchor': 'middle' });
    label.textContent = t.label;
    axes.append(label);
  }
  for (const t of c.yTicks) {
    axes.append(svgEl(doc, 'line', { x1: left - 4, y1: t.at, x2: left, y2: t.at }));
    const label = svgEl(doc, 'text', { x: left - 6, y: t.at + 3, 'text-anchor': 'end' });
    label.textContent = t.label;
    axes.append(label);
  }
  const xTitle = svgEl(doc, 'text', { x: (left + right) / 2, y: c.height - 4, 'text-anchor': 'middle', class: 'attnscope-chart-title' });
  xTitle.textContent = c.xName;
  const yTitle = svgEl(doc, 'text', { x: 10, y: (top + bottom) / 2, 'text-anchor': 'middle', class: 'attnscope-chart-title', transform: `rotate(-90 10 ${(top + bottom) / 2})` });
  yTitle.textContent = c.yName;
  axes.append(xTitle, yTitle);
  const points = svgEl(doc, 'g', { class: 'attnscope-chart-points' });
  for (const p of c.points) {
    const circle = svgEl(doc, 'circle', {
      class: 'attnscope-chart-point',
      cx: p.px.toFixed(1),
      cy: p.py.toFixed(1),
      r: POINT_RADIUS,
      fill: p.color,
      'data-layer-slot': p.layerSlot,
      'data-slot': p.headSlot,
      'data-layer': layerIds[p.layerSlot],
      'data-head': headIds[p.headSlot],
      tabindex: 0,
      role: 'button'
    });
    const title = svgEl(doc, 'title', {});
    title.textContent = `Layer ${layerIds[p.layerSlot]}, head ${headIds[p.headSlot]}: ${c.xName} ${p.x.toPrecision(3)}, ${c.yName} ${p.y.toPrecision(3)}`;
    circle.append(title);
    points.append(circle);
  }
  svg.append(axes, points);
  return svg;
}
