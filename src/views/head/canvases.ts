/**
 * The head view's line area and stripes as drawn: SVG lines for small paints, canvas lines once
 * they number in the thousands, and the per-head stripes. Canvases cover only a band of the
 * (scrolling) token rows, the visible part plus some overscan, and are redrawn only when a scroll
 * leaves the band; what the last complete paint collected is kept for those redraws.
 */
import { LinkBatch } from '../../analysis/links';
import { drawLinksCanvas, drawLinksSvg, groupLinks, LinkGeometry, LinkGroups, strokedCount } from '../../render/links';
import { drawStripes, StripeInput } from '../../render/stripes';
import { Band, canvasBand, ViewportInput } from '../../render/viewport';
import { TokenRef } from '../../selection/state';
import { canvasFits, prepareCanvas } from '../dom';
import { HeadViewDom } from './dom';

/**
 * Canvases cover only a band of the (scrolling) token rows: the visible part plus this much above
 * and below, so that short scrolls move the drawn pixels with the rows and need no redraw.
 */
const OVERSCAN = 256;
/** However the page lays the view out, no canvas is taller than this (Chromium's limit is 32,767). */
const MAX_CANVAS_HEIGHT = 4096;

/** Stripes of a paint: on the column `side`, opposite the focused token. */
export interface StripesDrawn {
  side: TokenRef['side'];
  input: StripeInput;
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
}

/** What the last complete paint drew: scroll redraws draw it again over a new band. */
interface Drawn extends HeadPaint {
  /** The batch grouped for the canvas; null when the lines are SVG (they span every row). */
  groups: LinkGroups | null;
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

  constructor(private readonly dom: HeadViewDom) {}

  /** A paint begins: scrolling redraws nothing until it is complete. */
  begin(): void {
    this.drawn = null;
  }

  /** True when the line area is `width` wide but the last paint was drawn for another width. */
  needsPaint(width: number): boolean {
    return !this.drawn || this.drawn.geometry.width !== width;
  }

  /** Nothing to draw (a lazy layer on its way): no stale lines from another layer. */
  blank(height: number): void {
    const d = this.dom;
    d.links.style.height = `${height}px`;
    d.linksSvg.replaceChildren();
    prepareCanvas(d.linksCanvas, 1, 1);
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
    d.links.style.height = `${height}px`;
    d.linksCanvas.hidden = !paint.useCanvas;
    d.linksSvg.style.display = paint.useCanvas ? 'none' : '';
    if (paint.useCanvas) {
      d.linksSvg.replaceChildren();
    } else {
      // the hidden canvas keeps its backing store: a hover crossing the threshold reallocates nothing
      d.linksSvg.setAttribute('width', String(width));
      d.linksSvg.setAttribute('height', String(height));
      drawLinksSvg(d.linksSvg, paint.batch, paint.geometry);
    }
    const groups = paint.useCanvas ? groupLinks(paint.batch) : null;
    this.drawn = { ...paint, groups };
    this.band = canvasBand(this.band, this.viewport(height));
    this.paintBand(this.drawn, this.band);
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
    const band = canvasBand(this.band, this.viewport(drawn.contentHeight));
    if (band !== this.band) {
      this.band = band;
      this.paintBand(drawn, band);
    }
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
  }

  /** Where the body is scrolled to, for a band over `contentHeight` pixels of rows. */
  private viewport(contentHeight: number): ViewportInput {
    const body = this.dom.body;
    return { scrollTop: body.scrollTop, viewHeight: body.clientHeight, contentHeight, overscan: OVERSCAN, maxHeight: MAX_CANVAS_HEIGHT };
  }

  /** Places the canvases at the band and draws into them what the last paint collected. */
  private paintBand(drawn: Drawn, band: Band): void {
    const d = this.dom;
    const top = `${band.top}px`;
    for (const canvas of [d.linksCanvas, d.queryStripes, d.keyStripes]) {
      if (canvas.style.top !== top) {
        canvas.style.top = top;
      }
    }
    const { width } = drawn.geometry;
    if (drawn.groups) {
      const ctx = prepareCanvas(d.linksCanvas, width, band.height);
      if (ctx) {
        drawLinksCanvas(ctx, drawn.batch, { ...drawn.geometry, band }, drawn.groups);
      }
    } else if (!canvasFits(d.linksCanvas, width, band.height)) {
      prepareCanvas(d.linksCanvas, width, band.height); // hidden, but sized: a later paint reuses it
    }
    this.paintStripes(drawn, band);
  }

  /** Stripes on the column that has them; the other one is cleared only if it had some. */
  private paintStripes(drawn: Drawn, band: Band): void {
    const d = this.dom;
    for (const side of ['query', 'key'] as const) {
      const canvas = side === 'query' ? d.queryStripes : d.keyStripes;
      const width = (side === 'query' ? d.queryColumn : d.keyColumn).clientWidth;
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
