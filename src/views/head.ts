/**
 * Head view controller: reads the shared Selection, calls the renderers, writes user actions back
 * to the Selection. It never talks to other views.
 */
import { filterRanges, pairFilterOptions, isPairFilter, Range } from '../data/filters';
import { Selection, SelectionState, TokenRef } from '../data/selection';
import { paletteFor } from '../render/colors';
import { collectLinks, drawLinksCanvas, drawLinksSvg, groupLinks, LinkBatch, LinkGeometry, LinkGroups } from '../render/links';
import { drawStripes, StripeInput } from '../render/stripes';
import { markTokens, renderTokenColumn, tokenOfEvent } from '../render/tokens';
import { fillTooltip, showTooltipAt } from '../render/tooltip';
import { layerWeights, Section, SectionSource } from '../sections';
import { LayerWeights } from '../data/tensor';
import { SliceStatus } from '../data/slice-store';
import { settings } from '../settings';
import { resolveTheme, watchPageTheme } from '../theme';
import { attachExport } from '../export/button';
import { headSvg, HeadSvgInput } from '../export/head-svg';
import { ifInput, paletteOf } from '../export/svg';
import { Band, canvasBand, ViewportInput } from '../render/viewport';
import { ViewBase } from './base';
import { canvasFits, prepareCanvas, setOptions } from './dom';
import { buildHeadViewDom, HeadViewDom } from './head-dom';
import { tooltipContent } from './head-tooltip';
import { showFetchStatus, stateOf } from './fetch-status';

export type { ViewHandle } from './base';

/** Lines fainter than one 8-bit alpha step are invisible: unfocused paints skip them. */
const MIN_ALPHA = 1 / 255;

/**
 * Canvases cover only a band of the (scrolling) token rows: the visible part plus this much above
 * and below, so that short scrolls move the drawn pixels with the rows and need no redraw.
 */
const OVERSCAN = 256;
/** However the page lays the view out, no canvas is taller than this (Chromium's limit is 32,767). */
const MAX_CANVAS_HEIGHT = 4096;

/** Stripes of the last paint: on the column `side`, opposite the focused token. */
interface StripesDrawn {
  side: TokenRef['side'];
  input: StripeInput;
}

/** What the last complete paint drew: scroll redraws draw it again over a new band. */
interface Drawn {
  batch: LinkBatch;
  /** The batch grouped for the canvas; null when the lines are SVG (they span every row). */
  groups: LinkGroups | null;
  geometry: LinkGeometry;
  stripes: StripesDrawn | null;
  /** Height of the token rows, CSS pixels. */
  contentHeight: number;
}

/** A head view pinned to one (layer, head slot), as the model view opens it beside the grid. */
export interface HeadViewOptions {
  fixed?: () => { layer: number; heads: readonly number[] } | null;
}

export class HeadView extends ViewBase {
  readonly element: HTMLElement;
  private readonly dom: HeadViewDom;
  private queryEls: HTMLElement[] = [];
  private keyEls: HTMLElement[] = [];
  private colors: string[] = [];
  /** The last complete paint, for scroll redraws; null while none is on screen. */
  private drawn: Drawn | null = null;
  /** The rows the canvases cover now. */
  private band: Band | null = null;
  /** Which stripes canvases hold stripes now (the others are blank). */
  private readonly striped = { query: false, key: false };
  /** Pending animation frame of a scroll redraw. */
  private frame = 0;

  constructor(model: SectionSource, selection: Selection, private readonly options: HeadViewOptions = {}) {
    super(model, selection);
    this.dom = buildHeadViewDom(document);
    this.element = this.dom.root;
    if (options.fixed) {
      this.element.classList.add('attnscope-open-head');
    }
    this.listen();
    if (!options.fixed) {
      this.cleanups.push(attachExport(this.element, () => ifInput(this.exportInput(), headSvg)));
    }
    this.rebuild();
  }

  /** What the export draws: this view's section, layer, heads, filter and focus as shown now. */
  exportInput(): HeadSvgInput | null {
    const sec = this.section;
    if (!sec) {
      return null;
    }
    const { layer, heads } = this.shown;
    const { query, key } = this.ranges(sec);
    const { rowHeight, maxTokenChars } = settings.value;
    const focus = this.visibleFocus(sec, this.selection.focus);
    const palette = paletteOf(this.element);
    return { section: sec, layer, heads, query, key, focus, pinned: this.state.pinned, colors: this.colors, palette, rowHeight, maxTokenChars, linksWidth: this.dom.links.clientWidth };
  }

  // --- data -------------------------------------------------------------------------------------

  /** The layer and active head slots shown: the selection's, unless this view is fixed. */
  private get shown(): { layer: number; heads: readonly number[] } {
    return this.options.fixed?.() ?? { layer: this.state.layer, heads: this.state.heads };
  }

  private ranges(sec: Section): { query: Range; key: Range } {
    const [, , nQ, nK] = sec.shape;
    if (sec.key !== 'self' || nQ !== nK) {
      return { query: { start: 0, end: nQ }, key: { start: 0, end: nK } };
    }
    return filterRanges(nQ, this.model.sentenceBStart, this.state.filter);
  }

  /** The focused token, if it is visible under the current filter. */
  private visibleFocus(sec: Section, t: TokenRef | null): TokenRef | null {
    if (!t) {
      return null;
    }
    const r = this.ranges(sec)[t.side];
    return t.index >= r.start && t.index < r.end ? t : null;
  }

  /**
   * The shown layer's weights for the heads drawn, asking a lazy section for them. Heads above the
   * page's cache bound are left out (`status.heads` are the heads drawn); null until they are here.
   */
  private fetchLayer(sec: Section): { weights: LayerWeights | null; status: SliceStatus } {
    const li = Math.max(0, sec.layers.indexOf(this.shown.layer));
    const status = sec.request(this.consumerId, li, this.shown.heads);
    return { weights: status.state === 'ready' ? layerWeights(sec, li, status.heads) : null, status };
  }

  protected dataChanged(): void {
    this.paint();
  }

  // --- events -----------------------------------------------------------------------------------

  private listen(): void {
    const d = this.dom;
    for (const col of [d.queryTokens, d.keyTokens]) {
      this.on<MouseEvent>(col, 'mouseover', e => this.hover(tokenOfEvent(e.target)));
      this.on<MouseEvent>(col, 'click', e => {
        const t = tokenOfEvent(e.target);
        if (t) {
          this.selection.togglePin(t);
        }
      });
      this.on<FocusEvent>(col, 'focusin', e => this.hover(tokenOfEvent(e.target)));
      this.on<KeyboardEvent>(col, 'keydown', e => this.onTokenKey(e, side => (side === 'query' ? this.queryEls : this.keyEls)));
    }
    this.on(d.body, 'mouseleave', () => this.hover(null));
    this.on<FocusEvent>(d.body, 'focusout', e => {
      if (!(e.relatedTarget instanceof Node && d.body.contains(e.relatedTarget))) {
        this.hover(null);
      }
    });
    this.on<MouseEvent>(d.chips, 'click', e => this.withChip(e, h => this.selection.toggleHead(h)));
    this.on<MouseEvent>(d.chips, 'dblclick', e => this.withChip(e, h => this.selection.soloHead(h)));
    this.on(d.layerSelect, 'change', () => this.selection.setLayer(Number(d.layerSelect.value)));
    this.on(d.filterSelect, 'change', () => {
      if (isPairFilter(d.filterSelect.value)) {
        this.selection.setFilter(d.filterSelect.value);
      }
    });
    this.on(d.sectionSelect, 'change', () => this.switchSection(d.sectionSelect.value));
    this.on(d.fetchStatus.retry, 'click', () => {
      const sec = this.section;
      if (sec) {
        this.model.retry?.(sec.key, Math.max(0, sec.layers.indexOf(this.shown.layer)), this.shown.heads);
      }
    });

    this.on(d.body, 'scroll', () => this.scheduleBand());
    this.cleanups.push(() => cancelAnimationFrame(this.frame));

    this.cleanups.push(this.selection.subscribe((_s, changed) => this.onSelection(changed)));
    this.cleanups.push(settings.subscribe(() => this.rebuild()));
    this.cleanups.push(watchPageTheme(() => this.applyTheme()));
    if (typeof ResizeObserver !== 'undefined') {
      const ro = new ResizeObserver(() => this.resized());
      ro.observe(d.links);
      ro.observe(d.body);
      this.cleanups.push(() => ro.disconnect());
    }
  }

  /** Chips carry the real head id; the selection works with head slots. */
  private withChip(e: MouseEvent, act: (slot: number) => void): void {
    const chip = e.target instanceof Element ? e.target.closest<HTMLElement>('.attnscope-head-chip') : null;
    const slot = chip ? (this.section?.heads.indexOf(Number(chip.dataset.head)) ?? -1) : -1;
    if (slot >= 0) {
      act(slot);
    }
  }

  private hover(t: TokenRef | null): void {
    this.selection.hover(t);
    this.showTooltip(t);
  }

  private onSelection(changed: ReadonlySet<keyof SelectionState>): void {
    if (changed.has('section') || changed.has('filter')) {
      this.rebuild();
      return;
    }
    if (changed.has('layer')) {
      this.dom.layerSelect.value = String(this.state.layer);
    }
    if (changed.has('heads')) {
      this.renderChipState();
    }
    if (['layer', 'heads', 'hovered', 'pinned', 'openHead'].some(k => changed.has(k as keyof SelectionState))) {
      this.paint();
    }
  }

  // --- rendering --------------------------------------------------------------------------------

  private applyTheme(): void {
    this.element.dataset.theme = resolveTheme(settings.value.theme);
  }

  /** Controls, chips and token columns for the current section and filter, then a paint. */
  private rebuild(): void {
    const sec = this.section;
    const d = this.dom;
    this.applyTheme();
    if (!sec) {
      this.element.dataset.state = 'error';
      d.message.hidden = false;
      d.message.textContent = `attnscope: no attention section named "${this.state.section}"`;
      return;
    }
    d.root.querySelector<HTMLElement>('.attnscope-toolbar')!.hidden = !!this.options.fixed;
    d.chips.hidden = !!this.options.fixed;
    const sections = this.model.sectionList;
    setOptions(d.sectionSelect, sections.map(s => ({ value: s.key, label: s.label })), sec.key);
    d.sectionSelect.parentElement!.hidden = sections.length < 2;
    const sb = sec.key === 'self' ? this.model.sentenceBStart : null;
    setOptions(d.filterSelect, pairFilterOptions(sb), this.state.filter);
    d.filterSelect.parentElement!.hidden = sb === null;
    setOptions(d.layerSelect, sec.layers.map(l => ({ value: String(l), label: String(l) })), String(this.state.layer));

    const nHeads = sec.shape[1];
    this.colors = paletteFor(settings.value.headPalette, nHeads);
    d.chips.replaceChildren(
      ...this.colors.map((color, h) => {
        const chip = document.createElement('button');
        chip.type = 'button';
        chip.className = 'attnscope-head-chip';
        const id = sec.heads[h];
        chip.dataset.head = String(id);
        chip.style.setProperty('--attnscope-chip-color', color);
        chip.textContent = String(id);
        chip.title = `Head ${id}: click to toggle, double-click to solo`;
        return chip;
      })
    );
    this.renderChipState();

    const { query, key } = this.ranges(sec);
    const { maxChars, rowH } = { maxChars: settings.value.maxTokenChars, rowH: settings.value.rowHeight };
    this.element.style.setProperty('--attnscope-row-height', `${rowH}px`);
    this.queryEls = renderTokenColumn(d.queryTokens, sec.queryTokens, 'query', query.start, query.end, maxChars);
    this.keyEls = renderTokenColumn(d.keyTokens, sec.keyTokens, 'key', key.start, key.end, maxChars);
    this.element.dataset.queries = String(query.end - query.start);
    this.element.dataset.keys = String(key.end - key.start);
    this.paint();
  }

  private renderChipState(): void {
    const ids = this.section?.heads ?? [];
    const active = new Set(this.shown.heads.map(h => ids[h]));
    this.dom.chips.querySelectorAll<HTMLElement>('.attnscope-head-chip').forEach(chip => {
      chip.setAttribute('aria-pressed', String(active.has(Number(chip.dataset.head))));
    });
    this.element.dataset.heads = Array.from(active).join(',');
  }

  /** Lines, stripes and token marks for the current layer, heads and focus. */
  private paint(): void {
    const sec = this.section;
    const d = this.dom;
    const width = d.links.clientWidth;
    if (!sec || width === 0) {
      return; // not attached yet: the ResizeObserver paints once we have a size
    }
    const s = this.state;
    const shown = this.shown;
    const [, , nQ, nK] = sec.shape;
    const { query, key } = this.ranges(sec);
    const rowH = settings.value.rowHeight;
    const height = Math.max(query.end - query.start, key.end - key.start) * rowH;
    this.drawn = null; // scrolling redraws nothing until this paint is complete
    const { weights, status } = this.fetchLayer(sec);
    showFetchStatus(d.fetchStatus, this.element, status, this.cappedNote(sec, status));
    const focus = this.visibleFocus(sec, this.selection.focus);
    markTokens(this.queryEls, 'query', query.start, focus, s.pinned);
    markTokens(this.keyEls, 'key', key.start, focus, s.pinned);
    if (!weights) {
      // a lazy layer on its way (or not available): no stale lines from another layer
      d.links.style.height = `${height}px`;
      d.linksSvg.replaceChildren();
      prepareCanvas(d.linksCanvas, 1, 1);
      prepareCanvas(d.queryStripes, 1, 1);
      prepareCanvas(d.keyStripes, 1, 1);
      Object.assign(this.element.dataset, { lines: '0', layer: String(shown.layer), focus: focus ? `${focus.side}:${focus.index}` : '', state: stateOf(status) });
      return;
    }
    const heads = status.heads;
    const batch = collectLinks({ weights, nQueries: nQ, nKeys: nK, heads, query, key, focus, minAlpha: MIN_ALPHA });
    const colors = this.colors;
    const geometry: LinkGeometry = {
      width,
      rowHeight: rowH,
      queryOffset: query.start,
      keyOffset: key.start,
      colorOf: h => colors[h]
    };
    d.links.style.height = `${height}px`;
    const useCanvas = batch.count > settings.value.canvasThreshold;
    d.linksCanvas.hidden = !useCanvas;
    d.linksSvg.style.display = useCanvas ? 'none' : '';
    if (useCanvas) {
      d.linksSvg.replaceChildren();
    } else {
      // the hidden canvas keeps its backing store: a hover crossing the threshold reallocates nothing
      d.linksSvg.setAttribute('width', String(width));
      d.linksSvg.setAttribute('height', String(height));
      drawLinksSvg(d.linksSvg, batch, geometry);
    }
    const stripes = this.stripesOf(sec, weights, heads, focus, query, key);
    this.drawn = { batch, groups: useCanvas ? groupLinks(batch) : null, geometry, stripes, contentHeight: height };
    this.band = canvasBand(this.band, this.viewport(height));
    this.paintBand(this.drawn, this.band);
    Object.assign(this.element.dataset, {
      lines: String(batch.count),
      renderer: useCanvas ? 'canvas' : 'svg',
      layer: String(shown.layer),
      heads: heads.map(h => sec.heads[h]).join(','),
      focus: focus ? `${focus.side}:${focus.index}` : '',
      state: 'ready'
    });
  }

  /** Says which heads a capped lazy request draws. */
  private cappedNote(sec: Section, status: SliceStatus): string {
    if (!status.capped) {
      return '';
    }
    const ids = status.heads.map(h => sec.heads[h]);
    const mb = (settings.value.cacheMegabytes).toLocaleString();
    return `Showing ${ids.length} of the ${this.shown.heads.length} active heads (${ids.join(', ')}): all of them would need more than the ${mb} MB this page keeps of fetched data (setting "Fetched data kept"). Solo or toggle heads to see others.`;
  }

  /** The stripes a focus shows, on the column opposite it; null without a focus. */
  private stripesOf(sec: Section, weights: LayerWeights, heads: readonly number[], focus: TokenRef | null, query: Range, key: Range): StripesDrawn | null {
    if (!focus) {
      return null;
    }
    const [, , nQ, nK] = sec.shape;
    const other = focus.side === 'query' ? key : query;
    const input = { weights, nQueries: nQ, nKeys: nK, heads, focusSide: focus.side, focusIndex: focus.index, start: other.start, end: other.end };
    return { side: focus.side === 'query' ? 'key' : 'query', input };
  }

  // --- canvases over the visible rows -------------------------------------------------------------

  /** Where the body is scrolled to, for a band over `contentHeight` pixels of rows. */
  private viewport(contentHeight: number): ViewportInput {
    const body = this.dom.body;
    return { scrollTop: body.scrollTop, viewHeight: body.clientHeight, contentHeight, overscan: OVERSCAN, maxHeight: MAX_CANVAS_HEIGHT };
  }

  /** Scrolls are coalesced into one redraw per animation frame. */
  private scheduleBand(): void {
    if (this.frame) {
      return;
    }
    if (typeof requestAnimationFrame !== 'function') {
      this.scrolled();
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.scrolled();
    });
  }

  /** After a scroll or a height change: the tooltip follows its token; canvases move only when the band does. */
  private scrolled(): void {
    if (!this.dom.tooltip.hidden) {
      this.showTooltip(this.state.hovered);
    }
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

  /** A new width needs new lines; a new height only another band. */
  private resized(): void {
    if (!this.drawn || this.dom.links.clientWidth !== this.drawn.geometry.width) {
      this.paint();
    } else {
      this.scheduleBand();
    }
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
          drawStripes(ctx, mine.input, width, drawn.geometry.rowHeight, h => this.colors[h], band);
        }
      }
      this.striped[side] = !!mine;
    }
  }

  private showTooltip(t: TokenRef | null): void {
    const tip = this.dom.tooltip;
    const sec = this.section;
    const el = t && (t.side === 'query' ? this.queryEls : this.keyEls).find(e => Number(e.dataset.index) === t.index);
    if (!t || !sec || !el) {
      tip.hidden = true;
      return;
    }
    const [, , nQ, nK] = sec.shape;
    const { query, key } = this.ranges(sec);
    const { weights, status } = this.fetchLayer(sec);
    if (!weights) {
      tip.hidden = true;
      return;
    }
    const content = tooltipContent(
      { weights, nQueries: nQ, nKeys: nK, heads: status.heads, headIds: sec.heads, queryTokens: sec.queryTokens, keyTokens: sec.keyTokens, query, key },
      t,
      this.state.pinned
    );
    fillTooltip(tip, content.title, content.rows.map(r => ({ text: r.text, color: this.colors[r.head] })), content.exact);
    showTooltipAt(tip, this.element, el.getBoundingClientRect(), { gap: 4, align: t.side === 'query' ? 'start' : 'end' });
  }
}
