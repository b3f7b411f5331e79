/**
 * The model view's grid cells for an arrangement of its heads (analysis/head-ranking.ts): header
 * cells, one canvas per thumbnail (real layer and head ids, head slot, rank and score as data
 * attributes; the score's frame colour; filtered heads marked), the aggregate thumbnails ending
 * each layer row; and the text of a thumbnail's tooltip. DOM only, no drawing.
 */
import { Arrangement } from '../../analysis/head-ranking';
import { headStatsText } from '../../analysis/head-stats';
import { Section } from '../../data/section';
import { headId, layerSlot } from '../../selection/ids';
import { alikeHeads, headLabelsOf, scoreValue } from '../../wire/head-scores';
import { aggregateCells } from './aggregates';
import { headerCell } from './dom';

export interface GridCells {
  cells: HTMLElement[];
  thumbs: HTMLCanvasElement[];
  aggCells: HTMLCanvasElement[];
}

export function gridCells(
  doc: Document,
  sec: Section,
  arranged: Arrangement,
  o: { colors: readonly string[]; aggregates: boolean; frameColor: (value: number) => string }
): GridCells {
  const byLayer = arranged.rows.every(r => r.layerSlot !== null);
  const cells: HTMLElement[] = [headerCell(doc, byLayer ? 'L\\H' : 'rank', 'attnscope-grid-corner')];
  arranged.columns.forEach(text => cells.push(headerCell(doc, text, 'attnscope-grid-head')));
  if (o.aggregates) {
    cells.push(headerCell(doc, 'mean', 'attnscope-grid-head'), headerCell(doc, 'max', 'attnscope-grid-head'));
  }
  const thumbs: HTMLCanvasElement[] = [];
  const aggCells: HTMLCanvasElement[] = [];
  for (const row of arranged.rows) {
    const rowHeader = headerCell(doc, row.header, 'attnscope-grid-layer');
    rowHeader.setAttribute('role', 'rowheader');
    if (row.layerSlot !== null) {
      rowHeader.dataset.layer = String(sec.layers[row.layerSlot]);
      if (sec.scores?.similarity?.collapsed.includes(row.layerSlot)) {
        rowHeader.classList.add('is-collapsed');
        rowHeader.title = `Layer ${sec.layers[row.layerSlot]}: every head alike (similarity >= ${sec.scores.similarity.threshold}): attention collapse`;
      }
    }
    cells.push(rowHeader);
    for (const p of row.heads) {
      const layer = sec.layers[p.layerSlot];
      const head = sec.heads[p.headSlot];
      const c = doc.createElement('canvas');
      c.className = 'attnscope-thumb';
      c.dataset.layer = String(layer);
      c.dataset.head = String(head);
      c.dataset.slot = String(p.headSlot);
      c.tabIndex = 0;
      c.setAttribute('role', 'button');
      c.setAttribute('aria-label', `Layer ${layer}, head ${head}`);
      c.style.setProperty('--attnscope-chip-color', o.colors[p.headSlot]);
      if (p.rank > 0) {
        c.setAttribute('aria-label', `Layer ${layer}, head ${head}, rank ${p.rank}`);
        c.dataset.rank = String(p.rank);
        c.dataset.score = String(p.value);
        const frame = o.frameColor(p.value);
        if (frame) {
          c.style.setProperty('--attnscope-score-color', frame);
          c.classList.add('has-score');
        }
      }
      c.classList.toggle('is-filtered', !p.kept);
      cells.push(c);
      thumbs.push(c);
    }
    if (o.aggregates && row.layerSlot !== null) {
      const agg = aggregateCells(doc, sec.layers[row.layerSlot]);
      cells.push(...agg);
      aggCells.push(...agg);
    }
  }
  return { cells, thumbs, aggCells };
}

/**
 * The lines of a thumbnail's tooltip: what a click does, the statistics of a lazy section, the chosen
 * score with its rank, and every label the head earned with its rule.
 */
export function thumbTooltip(sec: Section, layer: number, slot: number, open: boolean, score: string | null, rank: string | undefined): string[] {
  const lines = [`Layer ${layer}, head ${headId(sec, slot)}: click to ${open ? 'close' : 'open'}`];
  const li = layerSlot(sec, layer);
  const stats = sec.summary ? headStatsText(sec.summary.stats, sec.summary.statNames, li, slot, sec.samePositions) : '';
  if (stats) {
    lines.push(stats);
  }
  const scores = sec.scores;
  if (scores && score && scores.names.includes(score)) {
    lines.push(`${score} ${scoreValue(scores, score, li, slot).toPrecision(3)}${rank ? ` (rank ${rank} of ${sec.shape[0] * sec.shape[1]})` : ''}`);
  }
  if (scores) {
    lines.push(...headLabelsOf(scores, li, slot).map(l => l.text));
    const alike = alikeHeads(scores, li, slot);
    if (alike.length) {
      lines.push(`redundant with ${alike.map(([h, sim]) => `head ${headId(sec, h)} (${sim.toFixed(2)})`).join(', ')}: similarity >= ${scores.similarity?.threshold}`);
    }
  }
  return lines;
}

/** Lights up the thumbnail of (real layer, head slot) and no other (null: none); returns it. */
export function highlightThumb(thumbs: readonly HTMLCanvasElement[], layer: number | null, slot: number | null): HTMLCanvasElement | null {
  let lit: HTMLCanvasElement | null = null;
  for (const c of thumbs) {
    const on = layer !== null && Number(c.dataset.layer) === layer && Number(c.dataset.slot) === slot;
    c.classList.toggle('is-highlighted', on);
    if (on) {
      lit = c;
    }
  }
  return lit;
}
