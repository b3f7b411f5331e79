/**
 * The head view's line area and stripes as drawn: SVG lines for small paints, canvas lines once
 * they number in the thousands, and the per-head stripes. Canvases cover only a band of the
 * (scrolling) token rows, the visible part plus some overscan, and are redrawn only when a scroll
 * leaves the band; what the last complete paint collected is kept for those redraws.
 *
 * Canvas lines go on two canvases: the base (every line, no focus) and the focus canvas above it
 * (a hovered or pinned token's lines, the base covered meanwhile). The base keeps its pixels while
 * covered, so leaving a token shows it again without rasterising its lines anew (23,000 lines at
 * 12 x 512 tokens: about 1.5 s of software raster).
 *
 * Layout is read once per paint, in begin(), before the paint writes to the DOM: a read after a
 * write would make the browser lay the page out again in the middle of a hover.
 */
import { LinkBatch } from '../../analysis/links';
import { bandPieces, drawLinksCanvas, drawLinksSvg, groupLinks, LinkGeometry, LinkGroups, strokedCount } from '../../render/links';
import { drawStripes, StripeInput } from '../../render/stripes';
import { Band, canvasBand, ViewportInput } from '../../render/viewport';
import { Range } from '../../selection/filters';
import { TokenRef } from '../../selection/state';
import { LayerWeights } from '../../wire/tensor';
import { canvasFits, prepareCanvas } from '../dom';
import { HeadViewDom } from './dom';

/**
 * Canvases cover only a band of the (scrolling) token rows: the visible part plus this much above
 * and below, so that short scrolls move the drawn pixels with the rows and need no redraw.
 */
const OVERSCAN = 256;
/**
 * Base lines drawn in the paint itself, then per animation frame, strongest first (bandPieces):
 * Chromium's software raster takes ~65 us a line, so 23,000 lines at once would hold the page
 * for 1.5 s; a focus covering the base pauses the rest.
 */
export const BASE_FIRST = 1500;
export const BASE_PIECE = 500;
/** However the page lays the view out, no canvas is taller than this (Chromium's limit is 32,767). */
const MAX_CANVAS_HEIGHT = 4096;

/** Stripes of a paint: on the column `side`, opposite the focused token. */
export interface StripesDrawn {
  side: TokenRef['side'];
  input: StripeInput;
}

/** The stripes a focus shows, on the column opposite it; null without a focus. */
export function stripesOf(shape: readonly number[], weights: LayerWeights, heads: readonly number[], focus: TokenRef | null, query: Range, key: Range): StripesDrawn | null {
  if (!focus) {
    return null;
  }
  const [, , nQ, nK] = shape;
  const other = focus.side === 'query' ? key : query;
  const input = { weights, nQueries: nQ, nKeys: nK, heads, focusSide: focus.side, focusIndex: focus.index, start: other.start, end: other.end };
  return { side: focus.side === 'query' ? 'key' : 'query', input };
}

/** One complete paint: its lines, where they go, its stripes and the height of the token rows. */
export interface HeadPaint {
  batch: LinkBatch;
  geometry: LinkGeometry;
  stripes: StripesDrawn | null;
  /** Height of the token rows, CSS pixels. */
  contentHeight: number;
  /** Lines on a canvas (true) or as SVG elements. */
  useCanvas: boolean;
  /**
   * The lines of a focused token (drawn on the focus canvas, the base covered), else the base lines.
   * A base batch that is the same object as the one the base canvas holds is not drawn again.
   */
  focused: boolean;
}

/** What the last complete paint drew: scroll redraws draw it again over a new band. */
interface Drawn extends HeadPaint {
  /** The batch grouped for the canvas; null when the lines are SVG (they span every row). */
  groups: LinkGroups | null;
}

/** What the base canvas holds: these lines over this band at this width. */
interface BaseDrawn {
  batch: LinkBatch;
  groups: LinkGroups;
  top: number;
  height: number;
  width: number;
  /** Where its lines go (with the band). */
  geometry: LinkGeometry;
  /** Pieces still to draw, one per animation frame. */
  rest: LinkGroups[];
}

/** The layout a paint needs, read before it writes. */
interface Measured {
  scrollTop: number;
  viewHeight: number;
  queryWidth: number;
  keyWidth: number;
}

export class HeadCanvases {
  /** The last complete paint, for scroll redraws; null while none is on screen. */
  private drawn: Drawn | null = null;
  /** The rows the canvases cover now. */
  private band: Band | null = null;
  /** Which stripes canvases hold stripes now (the others are blank). */
  private readonly striped = { query: false, key: false };
  /** Pending animation frame of a scroll redraw. */
  private frame = 0;
  /** Pending animation frame of the base's next piece. */
  private baseFrame = 0;
  /** What the base canvas shows (kept while the focus canvas covers it); null: nothing valid. */
  private base: BaseDrawn | null = null;
  /** Layout read at the start of the paint in progress. */
  private measured: Measured | null = null;

  constructor(private readonly dom: HeadViewDom) {}

  /** A paint begins: scrolling redraws nothing until it is complete; the layout is read now. */
  begin(): void {
    this.drawn = null;
    this.measured = this.measure();
  }

  /** The base canvas no longer shows lines that a later paint may reuse (new data). */
  forgetBase(): void {
    this.base = null;
  }

  /** How many times the base lines were rasterised (for tests that count work). */
  baseDraws = 0;

  /** True when the line area is `width` wide but the last paint was drawn for another width. */
  needsPaint(width: number): boolean {
    return !this.drawn || this.drawn.geometry.width !== width;
  }

  /** Nothing to draw (a lazy layer on its way): no stale lines from another layer. */
  blank(height: number): void {
    const d = this.dom;
    d.links.style.height = `${height}px`;
    d.linksSvg.replaceChildren();
    this.base = null;
    prepareCanvas(d.linksCanvas, 1, 1);
    prepareCanvas(d.focusCanvas, 1, 1);
    prepareCanvas(d.queryStripes, 1, 1);
    prepareCanvas(d.keyStripes, 1, 1);
  }

  /**
   * Draws a complete paint: the lines (SVG or canvas) and the stripes over the current band.
   * Returns how many lines it draws: every SVG line, or the canvas lines that show at 8-bit alpha.
   */
  draw(paint: HeadPaint): number {
    const d = this.dom;
    const { width } = paint.geometry;
    const height = paint.contentHeight;
    setStyle(d.links, 'height', `${height}px`);
    d.linksCanvas.hidden = !paint.useCanvas;
    d.linksCanvas.classList.toggle('is-covered', paint.focused);
    d.focusCanvas.hidden = !(paint.useCanvas && paint.focused);
    setStyle(d.linksSvg, 'display', paint.useCanvas ? 'none' : '');
    if (paint.useCanvas) {
      d.linksSvg.replaceChildren();
    } else {
      // the hidden canvas keeps its backing store: a hover crossing the threshold reallocates nothing
      d.linksSvg.setAttribute('width', String(width));
      d.linksSvg.setAttribute('height', String(height));
      drawLinksSvg(d.linksSvg, paint.batch, paint.geometry);
    }
    const known = !paint.focused && this.base?.batch === paint.batch ? this.base.groups : null;
    const groups = paint.useCanvas ? (known ?? groupLinks(paint.batch)) : null;
    this.drawn = { ...paint, groups };
    const measured = this.measured ?? this.measure();
    this.measured = null;
    this.band = canvasBand(this.band, this.viewport(height, measured));
    this.paintBand(this.drawn, this.band, measured);
    return groups ? strokedCount(groups) : paint.batch.count;
  }

  /** Scrolls are coalesced into one call of `onFrame` per animation frame. */
  schedule(onFrame: () => void): void {
    if (this.frame) {
      return;
    }
    if (typeof requestAnimationFrame !== 'function') {
      onFrame();
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      onFrame();
    });
  }

  /** After a scroll or a height change: canvases move only when the band does. */
  scrolled(): void {
    const drawn = this.drawn;
    if (!drawn) {
      return;
    }
    const band = canvasBand(this.band, this.viewport(drawn.contentHeight, null));
    if (band !== this.band) {
      this.band = band;
      this.paintBand(drawn, band);
    }
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.baseFrame);
    this.base = null;
  }

  /** Draws the base's remaining pieces, one per frame, while a base is shown and not covered. */
  private drawRest(): void {
    const base = this.base;
    if (!base) {
      return;
    }
    this.dom.links.dataset.base = base.rest.length ? 'partial' : 'complete';
    if (!base.rest.length || this.baseFrame || typeof requestAnimationFrame !== 'function') {
      return;
    }
    this.baseFrame = requestAnimationFrame(() => {
      this.baseFrame = 0;
      const now = this.base; // the base of this frame (a newer one may have replaced it)
      const ctx = now && !this.drawn?.focused ? this.dom.linksCanvas.getContext('2d') : null;
      const piece = ctx && now ? now.rest.shift() : undefined;
      if (ctx && now && piece) {
        drawLinksCanvas(ctx, now.batch, now.geometry, piece);
      }
      this.drawRest();
    });
  }


  /** The layout reads of a paint or a scroll. */
  private measure(): Measured {
    const d = this.dom;
    return { scrollTop: d.body.scrollTop, viewHeight: d.body.clientHeight, queryWidth: d.queryColumn.clientWidth, keyWidth: d.keyColumn.clientWidth };
  }

  /** Where the body is scrolled to, for a band over `contentHeight` pixels of rows. */
  private viewport(contentHeight: number, m: Measured | null): ViewportInput {
    const { scrollTop, viewHeight } = m ?? this.measure();
    return { scrollTop, viewHeight, contentHeight, overscan: OVERSCAN, maxHeight: MAX_CANVAS_HEIGHT };
  }

  /** Places the canvases at the band and draws into them what the last paint collected. */
  private paintBand(drawn: Drawn, band: Band, m: Measured | null = null): void {
    const d = this.dom;
    const top = `${band.top}px`;
    const { width } = drawn.geometry;
    const base = this.base;
    if (base && (base.top !== band.top || base.height !== band.height || base.width !== width)) {
      this.base = null; // the base canvas moves with the band: what it holds is drawn for another one
    }
    for (const canvas of [d.linksCanvas, d.focusCanvas, d.queryStripes, d.keyStripes]) {
      setStyle(canvas, 'top', top);
    }
    if (drawn.groups && drawn.focused) {
      const ctx = prepareCanvas(d.focusCanvas, width, band.height);
      if (ctx) {
        drawLinksCanvas(ctx, drawn.batch, { ...drawn.geometry, band }, drawn.groups);
      }
      if (!canvasFits(d.linksCanvas, width, band.height)) {
        prepareCanvas(d.linksCanvas, width, band.height); // covered, but sized with the band
      }
    } else if (drawn.groups) {
      if (this.base?.batch !== drawn.batch) {
        const ctx = prepareCanvas(d.linksCanvas, width, band.height);
        if (ctx) {
          const geometry = { ...drawn.geometry, band };
          const [first, ...rest] = bandPieces(drawn.batch, geometry, drawn.groups, BASE_FIRST, BASE_PIECE);
          drawLinksCanvas(ctx, drawn.batch, geometry, first);
          this.baseDraws++;
          this.base = { batch: drawn.batch, groups: drawn.groups, top: band.top, height: band.height, width, geometry, rest };
          this.drawRest();
        }
      }
    } else if (!canvasFits(d.linksCanvas, width, band.height)) {
      this.base = null;
      prepareCanvas(d.linksCanvas, width, band.height); // hidden, but sized: a later paint reuses it
    }
    if (!drawn.focused && !canvasFits(d.focusCanvas, width, band.height)) {
      prepareCanvas(d.focusCanvas, width, band.height); // hidden, but sized: a hover reallocates nothing
    }
    this.paintStripes(drawn, band, m ?? this.measure());
  }

  /** Stripes on the column that has them; the other one is cleared only if it had some. */
  private paintStripes(drawn: Drawn, band: Band, m: Measured): void {
    const d = this.dom;
    for (const side of ['query', 'key'] as const) {
      const canvas = side === 'query' ? d.queryStripes : d.keyStripes;
      const width = side === 'query' ? m.queryWidth : m.keyWidth;
      const mine = drawn.stripes?.side === side ? drawn.stripes : null;
      if (mine || this.striped[side] || !canvasFits(canvas, width, band.height)) {
        const ctx = prepareCanvas(canvas, width, band.height);
        if (ctx && mine) {
          drawStripes(ctx, mine.input, width, drawn.geometry.rowHeight, drawn.geometry.colorOf, band);
        }
      }
      this.striped[side] = !!mine;
    }
  }
}

/** Writes a style property only when it changes (an unchanged write still invalidates style). */
function setStyle(e: HTMLElement | SVGElement, prop: 'top' | 'height' | 'display', value: string): void {
  if (e.style[prop] !== value) {
    e.style[prop] = value;
  }
}
