/**
 * Model view controller: a grid of every (layer, head) thumbnail. Click one to open it large beside
 * the grid (a fixed head view), click it again to close, another to move. The hovered or pinned
 * token of the shared selection is highlighted in every thumbnail.
 */
import { rgb } from 'd3';

import { headStatsText } from '../../analysis/head-stats';
import { PooledHeatmap, poolHeatmap } from '../../analysis/pooling';
import { settings } from '../../config/settings';
import { resolveTheme, watchPageTheme } from '../../config/theme';
import { overview, Section, SectionSource } from '../../data/section';
import { paletteFor } from '../../render/colors';
import { drawHeatFocus, drawThumbnail, heatmapPixels, thumbnailMode } from '../../render/thumbnails';
import { headId, layerSlot } from '../../selection/ids';
import { OpenHead, Selection, TokenRef } from '../../selection/state';
import { ViewBase } from '../base';
import { hideControl, prepareCanvas, setOptions } from '../dom';
import { HeadSnapshot, HeadView } from '../head/view';
import { aggregateCells, aggregateOf, aggregateTooltip, buildAggregatesToggle, paintAggregates } from './aggregates';
import { buildGridViewDom, GridLayout, gridLayout, GridViewDom, headerCell, HEADER_WIDTH, THUMB_BORDER } from './dom';

/** What the model view shows at one moment: enough to draw it again elsewhere (an export). */
export interface ModelSnapshot {
  section: Section;
  /** Current layer (its label is bold, as on screen). */
  layer: number;
  /** The focused token (hovered, else pinned), valid for the section. */
  focus: TokenRef | null;
  /** Open head: real layer and head SLOT. */
  openHead: OpenHead | null;
  colors: readonly string[];
  /** Thumbnail side, CSS pixels (the view's current size; 64 when unknown). */
  thumbSize?: number;
  /** The open head as its panel shows it; drawn beside the grid. */
  panel?: HeadSnapshot | null;
  /** Active head slots whose mean and max end each row (the "aggregates" toggle on), else null. */
  aggregates?: readonly number[] | null;
}
import { showTooltipAt } from '../../render/tooltip';

export class GridView extends ViewBase {
  readonly element: HTMLElement;
  private readonly dom: GridViewDom;
  private thumbs: HTMLCanvasElement[] = [];
  /** Pooled heatmap of each thumbnail (heatmap mode), made once per rebuild, reused by hover repaints. */
  private heat: (PooledHeatmap | undefined)[] = [];
  /** Its pixels at the canvas's device size: a hover repaint copies them and outlines the focus. */
  private heatImages: (ImageData | undefined)[] = [];
  private colors: string[] = [];
  private size = 0;
  private panelView: HeadView | null = null;
  /** The mean and max thumbnails ending each row, when the "aggregates" toggle is on. */
  private aggCells: HTMLCanvasElement[] = [];
  private readonly aggToggle = buildAggregatesToggle(document);

  constructor(model: SectionSource, selection: Selection) {
    super(model, selection);
    this.dom = buildGridViewDom(document);
    this.element = this.dom.root;
    this.dom.sectionSelect.parentElement?.after(this.aggToggle);
    this.listen();
    this.rebuild();
  }

  dispose(): void {
    this.panelView?.dispose();
    this.panelView = null;
    super.dispose();
  }

  /** The grid as shown now, with the open head's panel. */
  snapshot(): ModelSnapshot | null {
    const sec = this.section;
    if (!sec) {
      return null;
    }
    const focus = this.validFocus(sec, this.selection.focus);
    const panel = this.panelView?.snapshot() ?? null;
    return { section: sec, layer: this.state.layer, focus, openHead: this.state.openHead, colors: this.colors, thumbSize: this.size, panel, aggregates: this.aggColumns ? this.state.heads : null };
  }

  private thumbOf(target: EventTarget | null): { layer: number; slot: number; el: HTMLElement } | null {
    const el = target instanceof Element ? target.closest<HTMLElement>('.attnscope-thumb') : null;
    if (!el) {
      return null;
    }
    return { layer: Number(el.dataset.layer), slot: Number(el.dataset.slot), el };
  }

  private listen(): void {
    const d = this.dom;
    const open = (t: { layer: number; slot: number } | null): void => {
      if (t) {
        this.selection.toggleOpenHead({ layer: t.layer, head: t.slot });
      }
    };
    this.on<MouseEvent>(d.grid, 'click', e => open(this.thumbOf(e.target)));
    this.on<KeyboardEvent>(d.grid, 'keydown', e => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(this.thumbOf(e.target));
      }
    });
    this.on<MouseEvent>(d.grid, 'mouseover', e => this.showTooltip(this.thumbOf(e.target)));
    this.on<FocusEvent>(d.grid, 'focusin', e => this.showTooltip(this.thumbOf(e.target)));
    this.on(d.grid, 'mouseleave', () => this.showTooltip(null));
    this.listenAggregates();
    this.on(d.sectionSelect, 'change', () => this.switchSection(d.sectionSelect.value));
    this.cleanups.push(
      this.selection.subscribe((_s, changed) => {
        if (changed.has('section')) {
          this.rebuild();
          return;
        }
        if (changed.has('openHead') && !this.relayout()) {
          this.updateOpen();
        }
        if (changed.has('hovered') || changed.has('pinned') || changed.has('layer') || (changed.has('heads') && this.aggCells.length > 0)) {
          this.paint();
        }
      })
    );
    this.cleanups.push(settings.subscribe(() => this.rebuild()));
    this.cleanups.push(watchPageTheme(() => (this.element.dataset.theme = resolveTheme(settings.value.theme))));
    if (typeof ResizeObserver !== 'undefined') {
      const ro = new ResizeObserver(() => void this.relayout());
      ro.observe(d.root);
      this.cleanups.push(() => ro.disconnect());
    }
  }

  /** Thumbnail size and open-head placement for the view's width now (800 px before layout). */
  private layout(): GridLayout {
    const root = this.dom.root;
    const style = root.ownerDocument.defaultView?.getComputedStyle(root);
    const padding = style ? (parseFloat(style.paddingLeft) || 0) + (parseFloat(style.paddingRight) || 0) : 0;
    const content = root.clientWidth > 0 ? root.clientWidth - padding : 800;
    // the scroller keeps a stable gutter for its vertical scrollbar (style/base.css)
    const gutter = Math.max(0, this.dom.scroll.offsetWidth - this.dom.scroll.clientWidth);
    return gridLayout(content, gutter, (this.section?.shape[1] ?? 1) + this.aggColumns, !!this.state.openHead);
  }

  /** Rebuilds the grid when the view's width or an opened head changes its layout; says whether it did. */
  private relayout(): boolean {
    const l = this.layout();
    if (this.section && (l.size !== this.size || l.layout !== this.dom.body.dataset.layout)) {
      this.rebuild();
      return true;
    }
    return false;
  }

  private rebuild(): void {
    const sec = this.section;
    const d = this.dom;
    this.element.dataset.theme = resolveTheme(settings.value.theme);
    if (!sec) {
      this.element.dataset.state = 'error';
      return;
    }
    const sections = this.model.sectionList;
    setOptions(d.sectionSelect, sections.map(s => ({ value: s.key, label: s.label })), sec.key);
    hideControl(d.sectionSelect, sections.length < 2);

    const [, nHeads, nQ, nK] = sec.shape;
    this.aggToggle.hidden = nHeads < 2; // one head (rollout, flow): its mean and max are itself
    const colors = paletteFor(settings.value.headPalette, nHeads);
    const layout = this.layout();
    this.size = layout.size;
    d.body.dataset.layout = layout.layout;
    d.grid.style.gridTemplateColumns = `${HEADER_WIDTH}px repeat(${nHeads + this.aggColumns}, ${this.size + 2 * THUMB_BORDER}px)`;
    const doc = d.root.ownerDocument;
    const cells: HTMLElement[] = [headerCell(doc, 'L\\H', 'attnscope-grid-corner')];
    sec.heads.forEach(h => cells.push(headerCell(doc, String(h), 'attnscope-grid-head')));
    if (this.aggColumns) {
      cells.push(headerCell(doc, 'mean', 'attnscope-grid-head'), headerCell(doc, 'max', 'attnscope-grid-head'));
    }
    this.aggCells = [];
    this.thumbs = [];
    this.heat = [];
    this.heatImages = [];
    sec.layers.forEach(layer => {
      const rowHeader = headerCell(doc, String(layer), 'attnscope-grid-layer');
      rowHeader.setAttribute('role', 'rowheader');
      rowHeader.dataset.layer = String(layer);
      cells.push(rowHeader);
      sec.heads.forEach((head, slot) => {
        const c = doc.createElement('canvas');
        c.className = 'attnscope-thumb';
        c.dataset.layer = String(layer);
        c.dataset.head = String(head);
        c.dataset.slot = String(slot);
        c.tabIndex = 0;
        c.setAttribute('role', 'button');
        c.setAttribute('aria-label', `Layer ${layer}, head ${head}`);
        c.style.setProperty('--attnscope-chip-color', colors[slot]);
        cells.push(c);
        this.thumbs.push(c);
      });
      if (this.aggColumns) {
        const agg = aggregateCells(doc, layer);
        cells.push(...agg);
        this.aggCells.push(...agg);
      }
    });
    d.grid.replaceChildren(...cells);
    this.element.dataset.mode = thumbnailMode(nQ, nK);
    this.colors = colors;
    this.updateOpen();
    this.paint();
  }

  protected dataChanged(): void {
    // thumbnails come from the summary sent up front; fetched slices refine the aggregates (and the open head)
    if (this.aggCells.length > 0) {
      this.paint();
    }
  }

  /** 2 when the aggregate thumbnails are on (a mean and a max column), else 0. */
  private get aggColumns(): number {
    return !this.aggToggle.hidden && this.aggToggle.getAttribute('aria-pressed') === 'true' ? 2 : 0;
  }

  private listenAggregates(): void {
    const d = this.dom;
    this.on(this.aggToggle, 'click', () => {
      this.aggToggle.setAttribute('aria-pressed', String(!this.aggColumns));
      this.rebuild();
    });
    const select = (e: Event): void => {
      const a = aggregateOf(e.target);
      if (a) {
        this.selection.setLayer(a.layer);
      }
    };
    this.on<MouseEvent>(d.grid, 'click', select);
    this.on<KeyboardEvent>(d.grid, 'keydown', e => {
      if ((e.key === 'Enter' || e.key === ' ') && aggregateOf(e.target)) {
        e.preventDefault();
        select(e);
      }
    });
    const tip = (e: Event): void => {
      const a = aggregateOf(e.target);
      const sec = this.section;
      if (a && sec) {
        d.tooltip.textContent = aggregateTooltip(sec, a.layer, a.kind, this.state.heads);
        showTooltipAt(d.tooltip, this.element, a.el.getBoundingClientRect(), { gap: 4, align: 'end' });
      }
    };
    this.on(d.grid, 'mouseover', tip);
    this.on(d.grid, 'focusin', tip);
  }

  /** Redraws every thumbnail for the current focus. */
  private paint(): void {
    const sec = this.section;
    if (!sec) {
      return;
    }
    const [, , nQ, nK] = sec.shape;
    const focus = this.validFocus(sec, this.selection.focus);
    const heatmaps = thumbnailMode(nQ, nK) === 'heatmap';
    this.thumbs.forEach((c, i) => {
      const li = layerSlot(sec, Number(c.dataset.layer));
      const slot = Number(c.dataset.slot);
      const color = this.colors[slot];
      const src = overview(sec, li, slot);
      if (heatmaps || !src.exact) {
        this.paintHeat(c, i, src.weights, src.rows, src.cols, color);
        if (focus) {
          const ctx = c.getContext('2d');
          if (ctx) {
            drawHeatFocus(ctx, focus, nQ, nK, this.size, color);
          }
        }
        return;
      }
      const ctx = prepareCanvas(c, this.size, this.size);
      if (ctx) {
        drawThumbnail(ctx, { weights: src.weights, nQueries: nQ, nKeys: nK, color, focus }, this.size);
      }
    });
    this.dom.grid.querySelectorAll<HTMLElement>('.attnscope-grid-layer').forEach(h => {
      h.classList.toggle('is-current', Number(h.dataset.layer) === this.state.layer);
    });
    const exactAggs = paintAggregates(this.aggCells, sec, this.state.heads, focus, this.size);
    Object.assign(this.element.dataset, {
      thumbs: String(this.thumbs.length),
      aggregates: this.aggCells.length ? `${this.aggCells.length}` : '',
      aggregatesExact: this.aggCells.length ? String(exactAggs === this.aggCells.length) : '',
      focus: focus ? `${focus.side}:${focus.index}` : '',
      summary: sec.lazy ? 'pooled' : '',
      state: 'ready'
    });
  }

  /** A heatmap thumbnail without focus: pooled and rasterised once, then copied on every repaint. */
  private paintHeat(c: HTMLCanvasElement, i: number, weights: Float32Array, rows: number, cols: number, color: string): void {
    const ctx = prepareCanvas(c, this.size, this.size);
    if (!ctx) {
      return;
    }
    const heat = (this.heat[i] ??= poolHeatmap(weights, rows, cols, this.size));
    let image = this.heatImages[i];
    if (!image || image.width !== c.width || image.height !== c.height) {
      const { r, g, b } = rgb(color);
      const px = heatmapPixels(heat, [r, g, b], c.width, c.height);
      image = typeof ImageData === 'undefined' ? undefined : new ImageData(px, c.width, c.height);
      this.heatImages[i] = image;
    }
    if (image) {
      ctx.putImageData(image, 0, 0);
    }
  }

  private validFocus(sec: Section, t: TokenRef | null): TokenRef | null {
    const n = t ? (t.side === 'query' ? sec.shape[2] : sec.shape[3]) : 0;
    return t && t.index < n ? t : null;
  }

  /** Marks the open thumbnail and shows that head large beside the grid. */
  private updateOpen(): void {
    const open = this.state.openHead;
    const sec = this.section;
    for (const c of this.thumbs) {
      const isOpen = !!open && Number(c.dataset.layer) === open.layer && Number(c.dataset.slot) === open.head;
      c.setAttribute('aria-pressed', String(isOpen));
      c.classList.toggle('is-open', isOpen);
    }
    const panel = this.dom.panel;
    if (!open || !sec) {
      this.panelView?.dispose();
      this.panelView = null;
      panel.hidden = true;
      this.element.dataset.open = '';
      return;
    }
    this.element.dataset.open = `${open.layer}:${headId(sec, open.head)}`;
    if (!this.panelView) {
      const fixed = (): { layer: number; heads: readonly number[] } | null => {
        const o = this.state.openHead;
        return o ? { layer: o.layer, heads: [o.head] } : null;
      };
      this.panelView = new HeadView(this.model, this.selection, { fixed });
      panel.replaceChildren(this.panelTitle(open), this.panelView.element);
    } else if (panel.firstChild) {
      panel.replaceChild(this.panelTitle(open), panel.firstChild);
    }
    panel.hidden = false;
  }

  private panelTitle(open: OpenHead): HTMLElement {
    const title = document.createElement('div');
    title.className = 'attnscope-open-title';
    const sec = this.section;
    title.textContent = `Layer ${open.layer}, head ${sec ? headId(sec, open.head) : open.head}`;
    return title;
  }

  private showTooltip(t: { layer: number; slot: number; el: HTMLElement } | null): void {
    const tip = this.dom.tooltip;
    const sec = this.section;
    if (!t || !sec) {
      tip.hidden = true;
      return;
    }
    const action = `Layer ${t.layer}, head ${headId(sec, t.slot)}: click to ${t.el.classList.contains('is-open') ? 'close' : 'open'}`;
    const li = layerSlot(sec, t.layer);
    const stats = sec.summary ? headStatsText(sec.summary.stats, sec.summary.statNames, li, t.slot, sec.samePositions) : '';
    tip.textContent = stats ? `${action}\n${stats}` : action;
    showTooltipAt(tip, this.element, t.el.getBoundingClientRect(), { gap: 4, align: 'start' });
  }
}
