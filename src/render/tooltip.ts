/**
 * The tooltip every view shares: a title and rows, all set as text (tokens are user data), placed
 * next to what it describes and always whole on screen. Where the browser has popovers, the tooltip
 * is shown in the top layer, so that no clipping ancestor (a notebook's output area, a scrolling
 * cell) can cut it; its position is then in viewport coordinates (`tooltipPosition`, pure).
 */
import { TextLine } from './token-text';

export interface TooltipRow {
  text: TextLine;
  /** Colour of the row's marker (a head's colour), if any. */
  color?: string;
}

/** An element for a view's tooltip: hidden, announced as a tooltip, a manual popover. */
export function createTooltip(doc: Document): HTMLElement {
  const tip = doc.createElement('div');
  tip.className = 'attnscope-tooltip';
  tip.setAttribute('role', 'tooltip');
  tip.setAttribute('popover', 'manual');
  tip.hidden = true;
  return tip;
}

/** One line as a div: text nodes, and each token in a <bdi> so that its direction stays its own. */
function lineElement(doc: Document, className: string, line: TextLine): HTMLElement {
  const div = doc.createElement('div');
  div.className = className;
  if (typeof line === 'string') {
    div.textContent = line;
    return div;
  }
  for (const part of line) {
    if (typeof part === 'string') {
      div.append(doc.createTextNode(part));
    } else {
      const bdi = doc.createElement('bdi');
      bdi.className = 'attnscope-tooltip-token';
      bdi.textContent = part.token;
      div.append(bdi);
    }
  }
  return div;
}

/** Title, then an optional line of the token's exact text, then the rows. */
export function fillTooltip(tip: HTMLElement, title: TextLine, rows: readonly TooltipRow[], exact: TextLine | null = null): void {
  const doc = tip.ownerDocument;
  const parts: HTMLElement[] = [lineElement(doc, 'attnscope-tooltip-title', title)];
  if (exact !== null) {
    parts.push(lineElement(doc, 'attnscope-tooltip-exact', exact));
  }
  for (const r of rows) {
    const row = lineElement(doc, 'attnscope-tooltip-row', r.text);
    if (r.color) {
      row.style.setProperty('--attnscope-chip-color', r.color);
    }
    parts.push(row);
  }
  tip.replaceChildren(...parts);
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Placement {
  /** Space between the anchor and the tooltip, CSS pixels. */
  gap: number;
  /** Line the tooltip's left edge up with the anchor's left edge, or its right edge with the anchor's right. */
  align: 'start' | 'end';
}

/** Smallest distance kept between a tooltip and the viewport's edges. */
export const VIEWPORT_MARGIN = 4;

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));

/**
 * Where a tooltip of `size` goes for `anchor` (both in viewport coordinates): below the anchor, or
 * above it when it does not fit below, and shifted sideways to stay inside the viewport. A tooltip
 * taller than the room on either side goes where there is more room, kept inside the viewport.
 */
export function tooltipPosition(anchor: Box, size: Size, viewport: Size, p: Placement): { left: number; top: number; side: 'below' | 'above' } {
  const m = VIEWPORT_MARGIN;
  const wanted = p.align === 'start' ? anchor.left : anchor.right - size.width;
  const left = clamp(wanted, m, Math.max(m, viewport.width - m - size.width));
  const below = anchor.bottom + p.gap;
  const above = anchor.top - p.gap - size.height;
  const maxTop = Math.max(m, viewport.height - m - size.height);
  if (below + size.height <= viewport.height - m) {
    return { left, top: below, side: 'below' };
  }
  if (above >= m) {
    return { left, top: above, side: 'above' };
  }
  const roomBelow = viewport.height - anchor.bottom;
  return roomBelow >= anchor.top ? { left, top: clamp(below, m, maxTop), side: 'below' } : { left, top: clamp(above, m, maxTop), side: 'above' };
}

interface PopoverElement extends HTMLElement {
  showPopover(): void;
}

/** Shows the tooltip in the top layer if the browser can; says whether it did. */
function intoTopLayer(tip: HTMLElement): boolean {
  const pop = tip as Partial<PopoverElement>;
  if (!tip.hasAttribute('popover') || typeof pop.showPopover !== 'function' || !tip.isConnected) {
    return false;
  }
  if (!tip.matches(':popover-open')) {
    pop.showPopover();
  }
  return true;
}

/**
 * Shows the tooltip beside `anchor` (a viewport rectangle), whole and on screen. In the top layer
 * it is placed in viewport coordinates; without popovers, relative to `root` (its offset parent).
 */
export function showTooltipAt(tip: HTMLElement, root: HTMLElement, anchor: Box, p: Placement): void {
  tip.hidden = false;
  const topLayer = intoTopLayer(tip);
  tip.dataset.layer = topLayer ? 'top' : 'view';
  // measured at the origin, where nothing narrows it
  tip.style.left = '0px';
  tip.style.top = '0px';
  tip.style.right = '';
  const box = tip.getBoundingClientRect();
  const win = tip.ownerDocument.defaultView;
  const viewport = { width: win?.innerWidth ?? 0, height: win?.innerHeight ?? 0 };
  const at = viewport.width > 0 && viewport.height > 0
    ? tooltipPosition(anchor, { width: box.width, height: box.height }, viewport, p)
    : { left: p.align === 'start' ? anchor.left : anchor.right - box.width, top: anchor.bottom + p.gap, side: 'below' as const };
  const origin = topLayer ? { left: 0, top: 0 } : root.getBoundingClientRect();
  tip.style.left = `${at.left - origin.left}px`;
  tip.style.top = `${at.top - origin.top}px`;
  tip.dataset.side = at.side;
}

/** Shows the tooltip near a point (viewport coordinates, e.g. the pointer): right of it, below or above. */
export function placeTooltip(tip: HTMLElement, root: HTMLElement, x: number, y: number, offset = 12): void {
  showTooltipAt(tip, root, { left: x + offset, right: x + offset, top: y - offset, bottom: y + offset }, { gap: 0, align: 'start' });
}
