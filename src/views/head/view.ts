/**
 * Head view controller: reads the shared Selection, calls the renderers, writes user actions back
 * to the Selection. It never talks to other views.
 */
import { isSigned } from '../../data/derived';
import { collectLinks, LineContrast } from '../../analysis/links';
import { RENDER_CONSTANTS } from '../../config/render-constants';
import { settings } from '../../config/settings';
import { resolveTheme, watchPageTheme } from '../../config/theme';
import { layerWeights, Section, SectionSource } from '../../data/section';
import { SliceStatus } from '../../data/slice-store';
import { paletteFor } from '../../render/colors';
import { LinkGeometry } from '../../render/links';
import { markTokens, renderTokenColumn, tokenOfEvent } from '../../render/tokens';
import { fillTooltip, showTooltipAt } from '../../render/tooltip';
import { filterRanges, pairFilterOptions, isPairFilter, Range } from '../../selection/filters';
import { headIdsOf, layerSlotOrFirst } from '../../selection/ids';
import { Selection, SelectionState, TokenRef } from '../../selection/state';
import { LayerWeights } from '../../wire/tensor';
import { ViewBase } from '../base';
import { hideControl, markIndices, setOptions } from '../dom';
import { generationOf, limitRanges, markGenerated } from '../step-control';
import { showFetchStatus, stateOf } from '../fetch-status';
import { aggregateRows, AggregateMode, buildAggregateChip, DrawnCache, markAggregateChip, nextAggregate } from './aggregate-chip';
import { HeadCanvases, stripesOf } from './canvases';
import { chipSlotOfEvent, markChips, renderChips } from './chips';
import { buildHeadViewDom, HeadViewDom } from './dom';
import { tooltipContent } from './tooltip';
import { BaseLines } from './base-lines';



/** A head view pinned to one (layer, head slot), as the model view opens it beside the grid. */
export interface HeadViewOptions {
  fixed?: () => { layer: number; heads: readonly number[] } | null;
}

/** What a head view shows at one moment: enough to draw it again elsewhere (an export). */
export interface HeadSnapshot {
  section: Section;
  /** Real layer index shown. */
  layer: number;
  /** Active head SLOTS (axis 1 of the section's attention), in display order. */
  heads: readonly number[];
  /** Token ranges shown (sentence pair filter). */
  query: Range;
  key: Range;
  /** The focused token (hovered, else pinned), already checked to be visible. */
  focus: TokenRef | null;
  pinned: TokenRef | null;
  /** Colour of every head slot. */
  colors: readonly string[];
  rowHeight: number;
  maxTokenChars: number;
  /** Width of the line area, CSS pixels (the view's current width; 240 when unknown). */
  linksWidth?: number;
  /** Opacity rule of the focused token's lines ('shared' when absent). */
  contrast?: LineContrast;
  /** Lines of the mean or max of the active heads, in one colour, instead of one set per head. */
  aggregate?: AggregateMode;
}

export class HeadView extends ViewBase {
  readonly element: HTMLElement;
  private readonly dom: HeadViewDom;
  private queryEls: HTMLElement[] = [];
  private keyEls: HTMLElement[] = [];
  private colors: string[] = [];
  private readonly canvases: HeadCanvases;
  private readonly aggChip = buildAggregateChip(document);
  private aggregate: AggregateMode = 'off';
  private readonly drawnCache = new DrawnCache();
  private readonly baseLines = new BaseLines();

  constructor(model: SectionSource, selection: Selection, private readonly options: HeadViewOptions = {}) {
    super(model, selection);
    this.dom = buildHeadViewDom(document);
    this.element = this.dom.root;
    this.canvases = new HeadCanvases(this.dom);
    this.addStepControl();
    if (options.fixed) {
      this.element.classList.add('attnscope-open-head');
    }
    this.listen();
    this.rebuild();
  }

  /** What this view shows now (section, layer, heads, filter, focus), e.g. for an export. */
  snapshot(): HeadSnapshot | null {
    const sec = this.section;
    if (!sec) {
      return null;
    }
    const { layer, heads } = this.shown;
    const { query, key } = this.ranges(sec);
    const { rowHeight, maxTokenChars, hoverContrast } = settings.value;
    const focus = this.visibleFocus(sec, this.selection.focus);
    return { section: sec, layer, heads, query, key, focus, pinned: this.state.pinned, colors: this.colors, rowHeight, maxTokenChars, linksWidth: this.dom.links.clientWidth, contrast: hoverContrast, aggregate: this.aggregate };
  }

  // --- data -------------------------------------------------------------------------------------

  /** The layer and active head slots shown: the selection's, unless this view is fixed. */
  private get shown(): { layer: number; heads: readonly number[] } {
    return this.options.fixed?.() ?? { layer: this.state.layer, heads: this.state.heads };
  }

  /** Token ranges shown: the sentence pair filter's, cut at the generation step's last token. */
  private ranges(sec: Section): { query: Range; key: Range } {
    const [, , nQ, nK] = sec.shape;
    const sb = this.sentenceBStart(sec);
    const r = sb === null ? { query: { start: 0, end: nQ }, key: { start: 0, end: nK } } : filterRanges(nQ, sb, this.state.filter);
    return limitRanges(sec, r, this.stepLimit);
  }

  /** Where sentence B starts, when the section's queries and keys are that one token sequence. */
  private sentenceBStart(sec: Section): number | null {
    return sec.samePositions ? this.model.sentenceBStart : null;
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
    const li = layerSlotOrFirst(sec, this.shown.layer);
    const status = sec.request(this.consumerId, li, this.shown.heads);
    return { weights: status.state === 'ready' ? layerWeights(sec, li, status.heads) : null, status };
  }

  /** Shows no scores: their arrival redraws nothing (at M that would raster 23,000 lines again). */
  protected scoresChanged(): void {}

  protected dataChanged(): void {
    this.drawnCache.clear(); // new slices: an aggregate or a split difference is made again
    this.baseLines.clear();
    this.canvases.forgetBase();
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
    this.on(this.aggChip, 'click', () => {
      this.aggregate = nextAggregate(this.aggregate);
      this.renderChipState();
      this.paint();
    });
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
        this.retryFetch(layerSlotOrFirst(sec, this.shown.layer), this.shown.heads);
      }
    });

    this.on(d.body, 'scroll', () => this.canvases.schedule(() => this.scrolled()));
    this.cleanups.push(() => this.canvases.dispose());

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
    const slot = chipSlotOfEvent(e.target, this.section);
    if (slot >= 0) {
      act(slot);
    }
  }

  private hover(t: TokenRef | null): void {
    // read where the token is before the paint writes to the page (a read after it lays the page out again)
    const anchor = t ? this.tokenElement(t)?.getBoundingClientRect() : undefined;
    this.selection.hover(t);
    this.showTooltip(t, anchor);
  }

  private tokenElement(t: TokenRef): HTMLElement | undefined {
    const els = t.side === 'query' ? this.queryEls : this.keyEls;
    const first = els.length ? Number(els[0].dataset.index) : 0;
    const el = els[t.index - first];
    return el && Number(el.dataset.index) === t.index ? el : els.find(e => Number(e.dataset.index) === t.index);
  }

  private onSelection(changed: ReadonlySet<keyof SelectionState>): void {
    if (changed.has('section') || changed.has('filter') || changed.has('step')) {
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
    const d = this.dom;
    this.applyTheme();
    this.baseLines.clear();
    const sec = this.sectionOrError(d.message);
    if (!sec) {
      return;
    }
    const toolbar = d.root.querySelector<HTMLElement>('.attnscope-toolbar');
    if (toolbar) {
      toolbar.hidden = !!this.options.fixed;
    }
    d.chips.hidden = !!this.options.fixed;
    const sections = this.model.sectionList;
    setOptions(d.sectionSelect, sections.map(s => ({ value: s.key, label: s.label })), sec.key);
    hideControl(d.sectionSelect, sections.length < 2);
    const sb = this.sentenceBStart(sec);
    setOptions(d.filterSelect, pairFilterOptions(sb), this.state.filter);
    hideControl(d.filterSelect, sb === null);
    setOptions(d.layerSelect, sec.layers.map(l => ({ value: String(l), label: String(l) })), String(this.state.layer));

    const nHeads = sec.shape[1];
    this.colors = paletteFor(settings.value.headPalette, nHeads);
    renderChips(d.chips, sec, this.colors);
    d.chips.append(this.aggChip);
    this.aggChip.hidden = nHeads < 2;
    this.aggregate = nHeads < 2 ? 'off' : this.aggregate; // one head: its mean and max are itself
    this.renderChipState();

    const { query, key } = this.ranges(sec);
    const { maxChars, rowH } = { maxChars: settings.value.maxTokenChars, rowH: settings.value.rowHeight };
    this.element.style.setProperty('--attnscope-row-height', `${rowH}px`);
    this.queryEls = renderTokenColumn(d.queryTokens, sec.queryTokens, 'query', query.start, query.end, maxChars);
    this.keyEls = renderTokenColumn(d.keyTokens, sec.keyTokens, 'key', key.start, key.end, maxChars);
    markIndices([...this.queryEls, ...this.keyEls], sec.differingTokens, 'is-differing');
    [this.queryEls, this.keyEls].forEach((els, i) => markGenerated(els, generationOf(sec, i ? 'key' : 'query')));
    this.element.dataset.queries = String(query.end - query.start);
    this.element.dataset.keys = String(key.end - key.start);
    this.paint();
  }

  private renderChipState(): void {
    const sec = this.section;
    const active = new Set(sec ? headIdsOf(sec, this.shown.heads) : []);
    markChips(this.dom.chips, active);
    markAggregateChip(this.aggChip, this.aggregate, active.size);
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
    this.canvases.begin(); // scrolling redraws nothing until this paint is complete
    const { weights, status } = this.fetchLayer(sec);
    showFetchStatus(d.fetchStatus, this.element, status, this.cappedNote(sec, status));
    const focus = this.visibleFocus(sec, this.selection.focus);
    markTokens(this.queryEls, 'query', query.start, focus, s.pinned);
    markTokens(this.keyEls, 'key', key.start, focus, s.pinned);
    if (!weights) {
      // a lazy layer on its way (or not available): no stale lines from another layer
      this.canvases.blank(height);
      Object.assign(this.element.dataset, { lines: '0', stroked: '0', layer: String(shown.layer), focus: focus ? `${focus.side}:${focus.index}` : '', state: stateOf(status) });
      return;
    }
    const drawn = this.drawnCache.get(sec, this.shown.layer, weights, status.heads, this.aggregate, this.colors);
    const contrast = settings.value.hoverContrast;
    const linkQuery = { weights: drawn.weights, nQueries: nQ, nKeys: nK, heads: drawn.heads, query, key, focus, minAlpha: RENDER_CONSTANTS.min_line_alpha, contrast };
    const batch = focus ? collectLinks(linkQuery) : this.baseLines.get([sec.key, shown.layer, status.heads.join(','), drawn.aggregate ?? ''], linkQuery);
    const geometry: LinkGeometry = { width, rowHeight: rowH, queryOffset: query.start, keyOffset: key.start, colorOf: drawn.colorOf };
    const useCanvas = batch.count > settings.value.canvasThreshold;
    const stripes = stripesOf(sec.shape, drawn.weights, drawn.heads, focus, query, key);
    const stroked = this.canvases.draw({ batch, geometry, stripes, contentHeight: height, useCanvas, focused: !!focus });
    Object.assign(this.element.dataset, {
      lines: String(batch.count),
      stroked: String(stroked),
      renderer: useCanvas ? 'canvas' : 'svg',
      layer: String(shown.layer),
      heads: headIdsOf(sec, status.heads).join(','),
      aggregate: drawn.aggregate ?? '',
      signed: isSigned(sec) ? 'true' : '',
      focus: focus ? `${focus.side}:${focus.index}` : '',
      state: 'ready'
    });
  }

  /** Says which heads a capped lazy request draws. */
  private cappedNote(sec: Section, status: SliceStatus): string {
    if (!status.capped) {
      return '';
    }
    const ids = headIdsOf(sec, status.heads);
    const mb = (settings.value.cacheMegabytes).toLocaleString();
    return `Showing ${ids.length} of the ${this.shown.heads.length} active heads (${ids.join(', ')}): all of them would need more than the ${mb} MB this page keeps of fetched data (setting "Fetched data kept"). Solo or toggle heads to see others.`;
  }

  // --- canvases over the visible rows -------------------------------------------------------------

  /** After a scroll or a height change: the tooltip follows its token; canvases move only when the band does. */
  private scrolled(): void {
    if (!this.dom.tooltip.hidden) {
      this.showTooltip(this.state.hovered);
    }
    this.canvases.scrolled();
  }

  /** A new width needs new lines; a new height only another band. */
  private resized(): void {
    if (this.canvases.needsPaint(this.dom.links.clientWidth)) {
      this.paint();
    } else {
      this.canvases.schedule(() => this.scrolled());
    }
  }

  private showTooltip(t: TokenRef | null, anchor?: DOMRect): void {
    const tip = this.dom.tooltip;
    const sec = this.section;
    const el = t && this.tokenElement(t);
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
    const input = { weights, nQueries: nQ, nKeys: nK, heads: status.heads, headIds: sec.heads, queryTokens: sec.queryTokens, keyTokens: sec.keyTokens, query, key };
    const content = tooltipContent(input, t, this.state.pinned);
    const rows = [...aggregateRows(input, this.aggregate, t, this.state.pinned), ...content.rows.map(r => ({ text: r.text, color: this.colors[r.head] }))];
    fillTooltip(tip, content.title, rows, content.exact);
    showTooltipAt(tip, this.element, anchor ?? el.getBoundingClientRect(), { gap: 4, align: t.side === 'query' ? 'start' : 'end' });
  }
}
