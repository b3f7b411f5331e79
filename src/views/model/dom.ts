/**
 * The model view's skeleton: toolbar (section picker), a scrolling grid of layer x head thumbnails
 * with real indices on both axes, the panel where an opened head is shown large, and a tooltip.
 */
import { el, labelled } from '../dom';

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

  const tooltip = doc.createElement('div');
  tooltip.className = 'attnscope-tooltip';
  tooltip.setAttribute('role', 'tooltip');
  tooltip.hidden = true;

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

/** Thumbnail side in CSS pixels: fill the width, but never below a legible minimum (then scroll). */
export function thumbnailSize(availableWidth: number, nHeads: number, min = 40, max = 96): number {
  const gap = 4;
  const header = 28;
  const fit = Math.floor((availableWidth - header) / Math.max(1, nHeads)) - gap;
  return Math.max(min, Math.min(max, fit));
}
