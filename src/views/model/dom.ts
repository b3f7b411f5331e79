/**
 * The model view's skeleton: toolbar (section picker), a scrolling grid of layer x head thumbnails
 * with real indices on both axes, the panel where an opened head is shown large, and a tooltip.
 */
import { el, labelled } from '../dom';
import { createTooltip } from '../../render/tooltip';

export interface GridViewDom {
  root: HTMLElement;
  sectionSelect: HTMLSelectElement;
  body: HTMLElement;
  scroll: HTMLElement;
  grid: HTMLElement;
  panel: HTMLElement;
  tooltip: HTMLElement;
}

export function buildGridViewDom(doc: Document): GridViewDom {
  const root = doc.createElement('div');
  root.className = 'attnscope-view attnscope-model';
  root.dataset.state = 'loading';

  const toolbar = el(doc, 'div', 'attnscope-toolbar');
  const sectionSelect = el(doc, 'select', 'attnscope-section-select');
  const label = labelled(doc, 'Attention', sectionSelect);
  label.classList.add('attnscope-section-control');
  const hint = el(doc, 'span', 'attnscope-hint', 'Click a head to open it; hover or pin a token in any view to follow it here.');
  toolbar.append(label, hint);

  const body = doc.createElement('div');
  body.className = 'attnscope-model-body';
  const scroll = doc.createElement('div');
  scroll.className = 'attnscope-grid-scroll';
  const grid = doc.createElement('div');
  grid.className = 'attnscope-grid';
  grid.setAttribute('role', 'grid');
  grid.setAttribute('aria-label', 'Attention heads: rows are layers, columns are heads');
  scroll.append(grid);
  const panel = doc.createElement('div');
  panel.className = 'attnscope-open-panel';
  panel.hidden = true;
  body.append(scroll, panel);

  const tooltip = createTooltip(doc);

  root.append(toolbar, body, tooltip);
  return { root, sectionSelect, body, scroll, grid, panel, tooltip };
}

/** One header cell of the grid (a layer or head index), as text. */
export function headerCell(doc: Document, text: string, className: string): HTMLElement {
  const el = doc.createElement('div');
  el.className = className;
  el.setAttribute('role', 'columnheader');
  el.textContent = text;
  return el;
}

/** Pixel sizes the grid's layout counts with; style/base.css uses the same. */
export const GRID_GAP = 4;
/** The layer-index column. */
export const HEADER_WIDTH = 28;
/** Each thumbnail's border, on each side. */
export const THUMB_BORDER = 1;
/** Gap between the grid and the open head beside it. */
export const BODY_GAP = 16;
/** Narrowest open-head panel beside the grid (min-width, padding and border). */
export const PANEL_MIN = 253;
/** Share of the width the grid keeps beside an open head. */
const GRID_SHARE = 0.55;

/** Largest thumbnail side whose grid (layer column, gaps, borders) fits in `width`. */
function fittingSize(width: number, nHeads: number): number {
  return Math.floor((width - HEADER_WIDTH) / Math.max(1, nHeads)) - GRID_GAP - 2 * THUMB_BORDER;
}

/** Thumbnail side in CSS pixels: fill the width, but never below a legible minimum (then scroll). */
export function thumbnailSize(availableWidth: number, nHeads: number, min = 40, max = 96): number {
  return Math.max(min, Math.min(max, fittingSize(availableWidth, nHeads)));
}

/** Width of the grid of `nHeads` columns of thumbnails of side `size`, borders and gaps included. */
export function gridWidth(size: number, nHeads: number): number {
  return HEADER_WIDTH + nHeads * (size + 2 * THUMB_BORDER + GRID_GAP);
}

export interface GridLayout {
  size: number;
  /** With a head open: beside the grid, or below it when both would not fit side by side. */
  layout: 'side' | 'stacked';
}

/**
 * Thumbnail size and where an open head goes, for a view whose content box is `contentWidth` wide
 * and whose grid scroller keeps `gutter` pixels for its scrollbar. The grid fits its box whenever
 * thumbnails of the minimum size fit; beside an open head it keeps 55% of the width, unless that
 * would make thumbnails smaller than the minimum or the head narrower than PANEL_MIN: then the
 * head goes below the grid, and both keep the full width.
 */
export function gridLayout(contentWidth: number, gutter: number, nHeads: number, open: boolean, min = 40, max = 96): GridLayout {
  const full = { size: thumbnailSize(contentWidth - gutter, nHeads, min, max), layout: 'side' as const };
  if (!open) {
    return full;
  }
  const side = Math.floor((contentWidth - BODY_GAP) * GRID_SHARE);
  const panel = contentWidth - BODY_GAP - side;
  if (fittingSize(side - gutter, nHeads) >= min && panel >= PANEL_MIN) {
    return { size: thumbnailSize(side - gutter, nHeads, min, max), layout: 'side' };
  }
  return { ...full, layout: 'stacked' };
}
