/**
 * Model view controller: a grid of every (layer, head) thumbnail. Click one to open it large beside
 * the grid (a fixed head view), click it again to close, another to move. The hovered or pinned
 * token of the shared selection is highlighted in every thumbnail.
 */
import { isSigned } from '../../data/derived';
import { absMax, divergingPixels } from '../../render/diverging';
import { rgb } from 'd3';

import { PooledHeatmap, poolHeatmap } from '../../analysis/pooling';
import { settings } from '../../config/settings';
import { resolveTheme, watchPageTheme } from '../../config/theme';
import { overview, Section, SectionSource } from '../../data/section';
import { paletteFor } from '../../render/colors';
import { drawHeatFocus, drawThumbnail, heatmapPixels, thumbnailMode } from '../../render/thumbnails';
import { layerSlot } from '../../selection/ids';
import { Selection, TokenRef } from '../../selection/state';
import { ViewBase } from '../base';
import { hideControl, prepareCanvas, setOptions } from '../dom';
import { aggregateOf, aggregateTooltip, buildAggregatesToggle, paintAggregates } from './aggregates';
import { ModelSnapshot } from './snapshot';
import { buildGridViewDom, GridLayout, gridLayout, GridViewDom, HEADER_WIDTH, THUMB_BORDER } from './dom';
import { gridCells, highlightThumb, thumbTooltip } from './grid-cells';
import { OpenPanel } from './open-panel';
import { Triage } from './triage';
import { ViewOptions } from '../../wire/view-options';

export type { ModelSnapshot } from './snapshot';
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
  private readonly openPanel: OpenPanel;
  /** The mean and max thumbnails ending each row, when the "aggregates" toggle is on. */
  private aggCells: HTMLCanvasElement[] = [];
  private readonly aggToggle = buildAggregatesToggle(document);
  private readonly triage: Triage;
  /** The view_options the triage took its choice from, and the scores the grid was built with. */
  private options: ViewOptions | undefined;
  private builtScores: unknown = null;
  /** A difference section's largest |B - A| over every thumbnail (their common diverging domain); else null. */
  private signedMax: number | null = null;

  constructor(model: SectionSource, selection: Selection) {
    super(model, selection);
    this.dom = buildGridViewDom(document);
    this.element = this.dom.root;
    this.openPanel = new OpenPanel(model, selection, this.dom.panel);
    this.dom.sectionSelect.parentElement?.after(this.aggToggle);
    this.triage = new Triage(document, () => this.rebuild(), (kind, l, h) => this.pointEvent(kind, l, h));
    this.dom.root.querySelector('.attnscope-toolbar')?.after(this.triage.dom.row, this.triage.dom.chart);
    this.takeOptions();
    this.addStepControl(); // thumbnails stay whole at a step: the pinned step token is highlighted in them
    this.listen();
    this.rebuild();
  }

  /** The triage choice of `view_options`, when it changed (at first, or set from Python). */
  private takeOptions(): boolean {
    const o = this.model.viewOptions;
    if (!o || o === this.options) {
      return false;
    }
    this.options = o;
    this.triage.fromOptions(o);
    return true;
  }

  /** A point of the heads chart hovered (its thumbnail lights up and scrolls into sight) or opened. */
  private pointEvent(kind: 'hover' | 'open', layerSlot: number | null, headSlot: number | null): void {
    const sec = this.section;
    if (!sec) {
      return;
    }
    if (kind === 'open' && layerSlot !== null && headSlot !== null) {
      this.selection.toggleOpenHead({ layer: sec.layers[layerSlot], head: headSlot });
      return;
    }
    const lit = highlightThumb(this.thumbs, layerSlot === null ? null : sec.layers[layerSlot], headSlot);
    this.element.dataset.highlighted = lit ? `${lit.dataset.layer}:${lit.dataset.head}` : '';
    lit?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }

  dispose(): void {
    this.openPanel.dispose();
    super.dispose();
  }

  /** The grid as shown now, with the open head's panel. */
  snapshot(): ModelSnapshot | null {
    const sec = this.section;
    if (!sec) {
      return null;
    }
    const focus = this.validFocus(sec, this.selection.focus);
    const panel = this.openPanel.snapshot();
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
    const hover = (t: { layer: number; slot: number; el: HTMLElement } | null): void => {
      this.showTooltip(t);
      const sec = this.section;
      this.triage.highlightPoint(t && sec ? layerSlot(sec, t.layer) : null, t ? t.slot : null);
    };
    this.on<MouseEvent>(d.grid, 'mouseover', e => hover(this.thumbOf(e.target)));
    this.on<FocusEvent>(d.grid, 'focusin', e => hover(this.thumbOf(e.target)));
    this.on(d.grid, 'mouseleave', () => hover(null));
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
    this.triage.update(sec);
    this.builtScores = sec.scores;
    const arranged = this.triage.arrange(sec);
    const byLayer = arranged.rows.every(r => r.layerSlot !== null);
    this.aggToggle.hidden = nHeads < 2 || !byLayer; // one head (rollout, flow): its mean and max are itself
    const colors = paletteFor(settings.value.headPalette, nHeads);
    const layout = this.layout();
    this.size = layout.size;
    d.body.dataset.layout = layout.layout;
    const nCols = Math.max(1, arranged.columns.length);
    d.grid.style.gridTemplateColumns = `${HEADER_WIDTH}px repeat(${nCols + this.aggColumns}, ${this.size + 2 * THUMB_BORDER}px)`;
    this.heat = [];
    this.heatImages = [];
    this.signedMax = null;
    const built = gridCells(d.root.ownerDocument, sec, arranged, { colors, aggregates: this.aggColumns > 0, frameColor: v => this.triage.frameColor(v) });
    const cells = built.cells;
    this.thumbs = built.thumbs;
    this.aggCells = built.aggCells;
    this.triage.showCounts(arranged);
    d.grid.replaceChildren(...cells);
    this.element.dataset.mode = thumbnailMode(nQ, nK);
    this.colors = colors;
    this.updateOpen();
    this.paint();
  }

  /** The kernel's progress with the scores: the triage row's status only, the grid stays as drawn. */
  protected progressChanged(): void {
    const sec = this.section;
    if (sec && !sec.scores) {
      this.triage.update(sec);
    }
  }

  protected dataChanged(): void {
    // new view_options from Python, or the head scores arrived: the grid is arranged again
    const sec = this.section;
    if (this.takeOptions() || (sec && sec.scores !== this.builtScores)) {
      this.rebuild();
      return;
    }
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
    const signed = isSigned(sec);
    const heatmaps = signed || thumbnailMode(nQ, nK) === 'heatmap'; // a difference: always its diverging heatmap
    if (signed && this.signedMax === null) {
      this.signedMax = Math.max(0, ...this.thumbs.map(c => absMax(overview(sec, layerSlot(sec, Number(c.dataset.layer)), Number(c.dataset.slot)).weights)));
    }
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
      signed: signed ? 'true' : '',
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
      const px = this.signedMax !== null ? divergingPixels(heat.pooled, heat.rows, heat.cols, c.width, c.height, this.signedMax) : heatmapPixels(heat, [r, g, b], c.width, c.height);
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
    for (const c of this.thumbs) {
      const isOpen = !!open && Number(c.dataset.layer) === open.layer && Number(c.dataset.slot) === open.head;
      c.setAttribute('aria-pressed', String(isOpen));
      c.classList.toggle('is-open', isOpen);
    }
    this.element.dataset.open = this.openPanel.update(this.section, open);
  }

  private showTooltip(t: { layer: number; slot: number; el: HTMLElement } | null): void {
    const tip = this.dom.tooltip;
    const sec = this.section;
    if (!t || !sec) {
      tip.hidden = true;
      return;
    }
    const picked = this.triage.scoreName;
    const lines = thumbTooltip(sec, t.layer, t.slot, t.el.classList.contains('is-open'), picked, t.el.dataset.rank);
    tip.textContent = lines.join('\n');
    showTooltipAt(tip, this.element, t.el.getBoundingClientRect(), { gap: 4, align: 'start' });
  }
}
