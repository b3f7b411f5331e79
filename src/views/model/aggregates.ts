/**
 * The model view's aggregate thumbnails ("aggregates as heads"): with the toolbar toggle on, each
 * layer's row ends with a "mean" and a "max" thumbnail of the Selection's active heads, drawn in
 * the neutral aggregate colour. Exact when every active head's slice of that layer is in the page,
 * else from the pooled summaries (analysis/aggregate.ts choiceOverview; the tooltip says which).
 * They are not heads, so they cannot be opened: a click makes their layer the current one (the
 * other views follow), Enter/Space likewise.
 */
import { rgb } from 'd3';

import { choiceOverview, MAX, MEAN } from '../../analysis/aggregate';
import { poolHeatmap } from '../../analysis/pooling';
import { Section } from '../../data/section';
import { drawHeatFocus, drawThumbnail, heatmapPixels, thumbnailMode } from '../../render/thumbnails';
import { layerSlot } from '../../selection/ids';
import { TokenRef } from '../../selection/state';
import { el } from '../dom';
import { prepareCanvas } from '../dom';
import { AGGREGATE_COLOR } from '../head/aggregate-chip';

export const AGGREGATE_KINDS = ['mean', 'max'] as const;
export type AggregateKind = (typeof AGGREGATE_KINDS)[number];

/** The toolbar toggle. */
export function buildAggregatesToggle(doc: Document): HTMLButtonElement {
  const b = el(doc, 'button', 'attnscope-aggregates-toggle', 'aggregates');
  b.type = 'button';
  b.title = 'Add the mean and the max of the active heads at the end of each layer';
  b.setAttribute('aria-pressed', 'false');
  return b;
}

/** The two thumbnails ending the row of `layer` (real id). */
export function aggregateCells(doc: Document, layer: number): HTMLCanvasElement[] {
  return AGGREGATE_KINDS.map(kind => {
    const c = doc.createElement('canvas');
    c.className = 'attnscope-aggregate-thumb';
    c.dataset.layer = String(layer);
    c.dataset.aggregate = kind;
    c.tabIndex = 0;
    c.setAttribute('role', 'button');
    c.setAttribute('aria-label', `Layer ${layer}, ${kind} of the active heads`);
    c.style.setProperty('--attnscope-chip-color', AGGREGATE_COLOR);
    return c;
  });
}

/** The aggregate thumbnail an event happened on. */
export function aggregateOf(target: EventTarget | null): { layer: number; kind: AggregateKind; el: HTMLElement } | null {
  const c = target instanceof Element ? target.closest<HTMLElement>('.attnscope-aggregate-thumb') : null;
  const kind = c?.dataset.aggregate;
  return c && (kind === 'mean' || kind === 'max') ? { layer: Number(c.dataset.layer), kind, el: c } : null;
}

/** "mean of 12 heads, layer 3" (+ whether it is exact), and what a click does. */
export function aggregateTooltip(sec: Section, layer: number, kind: AggregateKind, active: readonly number[]): string {
  const ov = choiceOverview(sec, layerSlot(sec, layer), kind === 'mean' ? MEAN : MAX, active);
  const n = active.length;
  const from = ov && !ov.exact ? `\nfrom the pooled summary (${kind === 'max' ? 'the max of pooled cells, an approximation' : 'exact once the layer is fetched'})` : '';
  return `${kind} of ${n} head${n === 1 ? '' : 's'}, layer ${layer}${from}\nclick to show this layer in the other views`;
}

/** Draws every aggregate thumbnail for the active heads and the focus; returns how many were drawn exact. */
export function paintAggregates(cells: readonly HTMLCanvasElement[], sec: Section, active: readonly number[], focus: TokenRef | null, size: number): number {
  const [, , nQ, nK] = sec.shape;
  let exact = 0;
  for (const c of cells) {
    const kind = c.dataset.aggregate === 'max' ? MAX : MEAN;
    const ov = choiceOverview(sec, layerSlot(sec, Number(c.dataset.layer)), kind, active);
    const ctx = prepareCanvas(c, size, size);
    c.dataset.exact = String(!!ov?.exact);
    exact += ov?.exact ? 1 : 0;
    if (!ov || !ctx) {
      continue;
    }
    if (thumbnailMode(nQ, nK) === 'lines' && ov.exact) {
      drawThumbnail(ctx, { weights: ov.weights, nQueries: nQ, nKeys: nK, color: AGGREGATE_COLOR, focus }, size);
      continue;
    }
    const heat = poolHeatmap(ov.weights, ov.rows, ov.cols, size);
    if (typeof ImageData !== 'undefined') {
      const { r, g, b } = rgb(AGGREGATE_COLOR);
      ctx.putImageData(new ImageData(heatmapPixels(heat, [r, g, b], c.width, c.height), c.width, c.height), 0, 0);
    }
    if (focus) {
      drawHeatFocus(ctx, focus, nQ, nK, size, AGGREGATE_COLOR);
    }
  }
  return exact;
}
