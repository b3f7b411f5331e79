/**
 * Matrix (heatmap) view controller: rows queries, columns keys, colour the weight of a head or the
 * mean/max of the active heads, ONE image (1 px per cell, scaled up unsmoothed); Selection only.
 *
 * Interaction (docs/matrix-view.md): hovering a cell hovers its query (every view follows) and shows
 * "0.4123 · it → trophy" with a row/column crosshair; hovering an axis label hovers that token on
 * its side; a click pins / unpins; the Selection's focus from any view highlights its row (query) or
 * column (key). Wheel zooms around the pointer, a dragged rectangle zooms to it, "reset" shows all.
 * Keyboard: the canvas is one tab stop; arrows move a cell cursor, Enter/Space pin, Escape unpins.
 */
import { choiceId, HeadChoice, MEAN, parseChoice } from '../../analysis/aggregate';
import { fullWindow, inWindow, isFull, keyStep, rectWindow, showCell, WHEEL_FACTOR, zoomAt, ZoomWindow } from '../../analysis/zoom';
import { settings } from '../../config/settings';
import { resolveTheme, watchPageTheme } from '../../config/theme';
import { SectionSource } from '../../data/section';
import { Tick } from '../../render/legend';
import { tokenOfEvent } from '../../render/tokens';
import { fillTooltip, showTooltipAt } from '../../render/tooltip';
import { layerSlotOrFirst } from '../../selection/ids';
import { Selection, SelectionState, TokenRef } from '../../selection/state';
import { COLORMAPS, ColormapName, SCALES, ScaleName } from '../../wire/view-options';
import { keptChoice, ViewBase } from '../base';
import { showFetchStatus, stateOf } from '../fetch-status';
import { defaultChoice } from '../text/shown';
import { buildMatrixViewDom, fillToolbar, MatrixViewDom, pickOf, MAX_CELL, MAX_PLOT, placeBox } from './dom';
import { crosshair, dragBox, drawMatrix, markLabels, paintAxes, paintLegend, pngOf, ticksOf } from './paint';
import { emptyMatrixCache, matrixCaption, MatrixShown, matrixShown, tokensOfUnit } from './shown';
import { matrixTooltip } from './tooltip';
import { limitMatrix } from './step';

type Cell = { row: number; col: number };

/** What the matrix view shows now, for the export. */
export interface MatrixSnapshot {
  shown: MatrixShown;
  window: ZoomWindow;
  colormap: ColormapName;
  scale: ScaleName;
  ticks: Tick[];
  /** PNG data URL of the visible window at cell resolution; null where no canvas can encode. */
  image: string | null;
  maxTokenChars: number;
  focus: TokenRef | null;
}

export class MatrixView extends ViewBase {
  readonly element: HTMLElement;
  private readonly dom: MatrixViewDom;
  private picked: HeadChoice | null = null;
  private grouped = false;
  /** The user's picks in the view; else the kernel's view_options, else the user setting. */
  private userColormap: ColormapName | null = null;
  private userScale: ScaleName | null = null;
  private win: ZoomWindow | null = null;
  private shown: MatrixShown | null = null;
  private hoverCell: Cell | null = null;
  private cursor: Cell = { row: 0, col: 0 };
  private drag: { row: number; col: number } | null = null;
  private cellW = 1;
  private cellH = 1;
  private offscreen: HTMLCanvasElement | null = null;
  private readonly cache = emptyMatrixCache();

  constructor(model: SectionSource, selection: Selection) {
    super(model, selection);
    this.dom = buildMatrixViewDom(document);
    this.element = this.dom.root;
    this.grouped = model.viewOptions?.group === 'word';
    this.addStepControl();
    this.listen();
    this.rebuild();
  }

  snapshot(): MatrixSnapshot | null {
    const s = this.shown;
    if (!s || !s.weights) {
      return null;
    }
    const { colormap, scale } = this;
    return { shown: s, window: this.window(s), colormap, scale, ticks: ticksOf(s, scale), image: pngOf(this.offscreen), maxTokenChars: settings.value.maxTokenChars, focus: this.selection.focus };
  }

  protected dataChanged(): void {
    this.paint();
  }

  private get colormap(): ColormapName {
    return this.userColormap ?? this.model.viewOptions?.colormap ?? settings.value.matrixColormap;
  }

  private get scale(): ScaleName {
    return this.userScale ?? this.model.viewOptions?.scale ?? settings.value.matrixScale;
  }

  private get choice(): HeadChoice {
    const sec = this.section;
    return this.picked ?? (sec ? defaultChoice(sec, this.state.layer, this.state.openHead) : MEAN);
  }

  private window(s: MatrixShown): ZoomWindow {
    const w = this.win;
    return w && w.r1 <= s.rows && w.c1 <= s.cols ? w : fullWindow(s.rows, s.cols);
  }

  private listen(): void {
    const d = this.dom;
    const c = d.canvas;
    this.on<MouseEvent>(c, 'mousemove', e => this.move(this.cellAt(e, false)));
    this.on(c, 'mouseleave', () => this.leave());
    this.on<MouseEvent>(c, 'mousedown', e => {
      if (e.button === 0) {
        this.drag = this.cellAt(e, true);
      }
    });
    this.on<MouseEvent>(c, 'mouseup', e => this.release(e));
    const wheel = (e: WheelEvent): void => this.wheel(e);
    c.addEventListener('wheel', wheel, { passive: false });
    this.cleanups.push(() => c.removeEventListener('wheel', wheel));
    this.on<KeyboardEvent>(c, 'keydown', e => this.onKey(e));
    this.on(c, 'focus', () => this.shown && this.setHover(inWindow(this.cursor, this.window(this.shown)), true));
    this.on(c, 'blur', () => this.leave());
    const token = (e: Event, fn: (t: TokenRef) => void): void => {
      const t = tokenOfEvent(e.target);
      return t ? fn(t) : undefined;
    };
    for (const axis of [d.rowAxis, d.colAxis]) {
      this.on(axis, 'mouseover', e => token(e, t => this.selection.hover(t)));
      this.on(axis, 'mouseleave', () => this.selection.hover(null));
      this.on(axis, 'click', e => token(e, t => this.selection.togglePin(t)));
    }
    this.on(d.layerSelect, 'change', () => this.selection.setLayer(Number(d.layerSelect.value)));
    this.on(d.sectionSelect, 'change', () => this.switchSection(d.sectionSelect.value));
    this.on(d.sourceSelect, 'change', () => {
      this.picked = parseChoice(d.sourceSelect.value);
      this.paint();
    });
    this.on(d.colormapSelect, 'change', () => {
      this.userColormap = pickOf(d.colormapSelect, COLORMAPS);
      this.paint();
    });
    this.on(d.scaleSelect, 'change', () => {
      this.userScale = pickOf(d.scaleSelect, SCALES);
      this.paint();
    });
    this.on(d.wordsToggle, 'click', () => {
      this.grouped = !this.grouped;
      this.paint();
    });
    this.on(d.resetButton, 'click', () => this.zoomTo(null));
    this.on(d.fetchStatus.retry, 'click', () => {
      const sec = this.section;
      if (sec) {
        this.retryFetch(layerSlotOrFirst(sec, this.state.layer), this.state.heads);
      }
    });
    this.cleanups.push(this.selection.subscribe((_s, changed) => this.onSelection(changed)));
    this.cleanups.push(settings.subscribe(() => this.rebuild()));
    this.cleanups.push(watchPageTheme(() => (this.element.dataset.theme = resolveTheme(settings.value.theme))));
  }

  private onSelection(changed: ReadonlySet<keyof SelectionState>): void {
    if (changed.has('section')) {
      // A / B / B - A of a comparison have the same heads: a head picked stays picked
      this.picked = keptChoice(this.picked, this.section);
      this.grouped = this.model.viewOptions?.group === 'word';
      this.win = null;
      this.rebuild();
      return;
    }
    if (changed.has('layer')) {
      this.dom.layerSelect.value = String(this.state.layer);
    }
    if (['layer', 'heads', 'openHead', 'step'].some(k => changed.has(k as keyof SelectionState))) {
      this.paint();
    } else if (changed.has('hovered') || changed.has('pinned')) {
      this.overlay();
    }
  }

  /** The cell under a mouse event (fractional when `exact`), or null outside the matrix. */
  private cellAt(e: MouseEvent, exact: boolean): Cell | null {
    const s = this.shown;
    if (!s || !s.weights) {
      return null;
    }
    const w = this.window(s);
    const r = this.dom.canvas.getBoundingClientRect();
    const row = w.r0 + (e.clientY - r.top) / this.cellH;
    const col = w.c0 + (e.clientX - r.left) / this.cellW;
    if (row < w.r0 || col < w.c0 || row >= w.r1 || col >= w.c1) {
      return null;
    }
    return exact ? { row, col } : { row: Math.floor(row), col: Math.floor(col) };
  }

  private move(cell: Cell | null): void {
    if (this.drag && cell && this.shown) {
      placeBox(this.dom.dragRect, dragBox(this.drag, cell, this.window(this.shown), this.cellW, this.cellH));
    }
    return cell ? this.setHover(cell, false) : this.leave();
  }

  private release(e: MouseEvent): void {
    const start = this.drag;
    this.drag = null;
    this.dom.dragRect.hidden = true;
    const end = this.cellAt(e, true);
    const s = this.shown;
    if (!start || !end || !s) {
      return;
    }
    if (Math.floor(start.row) !== Math.floor(end.row) || Math.floor(start.col) !== Math.floor(end.col)) {
      this.zoomTo(rectWindow(start.row, start.col, end.row, end.col, s.rows, s.cols));
    } else {
      this.selection.togglePin(this.queryOf(Math.floor(end.row)));
    }
  }

  private wheel(e: WheelEvent): void {
    const s = this.shown;
    const at = this.cellAt(e, true);
    if (!s || !at || e.deltaY === 0) {
      return;
    }
    e.preventDefault();
    this.zoomTo(zoomAt(this.window(s), s.rows, s.cols, at.row, at.col, e.deltaY < 0 ? WHEEL_FACTOR : 1 / WHEEL_FACTOR));
  }

  private zoomTo(w: ZoomWindow | null): void {
    this.win = w && this.shown && !isFull(w, this.shown.rows, this.shown.cols) ? w : null;
    this.paint();
  }

  private onKey(e: KeyboardEvent): void {
    const s = this.shown;
    if (!s || !s.weights) {
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.selection.togglePin(this.queryOf(this.cursor.row));
    } else if (e.key === 'Escape') {
      this.selection.pin(null);
    } else if (keyStep(this.cursor, e.key, s.rows, s.cols)) {
      e.preventDefault();
      const { row, col } = keyStep(this.cursor, e.key, s.rows, s.cols) ?? this.cursor;
      const w = this.window(s);
      const moved = showCell(w, s.rows, s.cols, row, col);
      this.cursor = { row, col };
      if (moved.r0 !== w.r0 || moved.c0 !== w.c0) {
        this.zoomTo(moved);
      }
      this.setHover(this.cursor, true);
    }
  }

  /** The Selection token of a row: its (first) query token. */
  private queryOf(row: number): TokenRef {
    return { side: 'query', index: this.shown ? tokensOfUnit(this.shown, 'query', row)[0] : row };
  }

  private setHover(cell: Cell, keyboard: boolean): void {
    const s = this.shown;
    if (!s || !s.weights) {
      return;
    }
    this.hoverCell = cell;
    if (keyboard) {
      this.cursor = cell;
    }
    const ref = this.queryOf(cell.row);
    const h = this.state.hovered;
    if (!h || h.side !== ref.side || h.index !== ref.index) {
      this.selection.hover(ref);
    } else {
      this.overlay();
    }
    this.showTooltip(cell, keyboard);
  }

  private leave(): void {
    this.hoverCell = this.drag = null;
    this.dom.dragRect.hidden = true;
    this.dom.tooltip.hidden = true;
    this.dom.cursor.hidden = true;
    if (this.state.hovered) {
      this.selection.hover(null);
    } else {
      this.overlay();
    }
  }

  private rebuild(): void {
    const d = this.dom;
    this.element.dataset.theme = resolveTheme(settings.value.theme);
    const sec = this.sectionOrError(d.message);
    if (!sec) {
      return;
    }
    fillToolbar(d, this.model.sectionList, sec, this.state.layer, choiceId(this.choice));
    this.paint();
  }

  private paint(): void {
    const sec = this.section;
    const d = this.dom;
    if (!sec) {
      return;
    }
    const s = limitMatrix(matrixShown(
      { section: sec, layer: this.state.layer, choice: this.choice, heads: this.state.heads, grouped: this.grouped, request: (li, slots) => sec.request(this.consumerId, li, slots) },
      this.cache
    ), this.stepLimit);
    // the pooled summary and the exact matrix (or words and tokens) have different cells: show all again
    this.win = this.shown && (this.shown.rows !== s.rows || this.shown.cols !== s.cols) ? null : this.win;
    this.shown = s;
    d.colormapSelect.value = this.colormap;
    d.scaleSelect.value = this.scale;
    d.colormapSelect.disabled = d.scaleSelect.disabled = s.signed; // a difference has its own diverging scale
    d.wordsToggle.setAttribute('aria-pressed', String(s.grouped));
    if (d.sourceSelect.value !== choiceId(s.choice)) {
      d.sourceSelect.value = choiceId(s.choice);
    }
    const w = this.window(s);
    const rows = w.r1 - w.r0;
    const cols = w.c1 - w.c0;
    d.resetButton.disabled = isFull(w, s.rows, s.cols);
    d.caption.textContent = matrixCaption(s, w);
    let cells = 0;
    if (s.weights && rows > 0 && cols > 0) {
      const plotW = Math.min(MAX_PLOT, cols * MAX_CELL);
      const plotH = Math.min(MAX_PLOT, rows * MAX_CELL);
      this.cellW = plotW / cols;
      this.cellH = plotH / rows;
      drawMatrix(d, (this.offscreen ??= document.createElement('canvas')), s, w, plotW, plotH, this.colormap, this.scale);
      cells = rows * cols;
      paintAxes(d, s, w, this.cellW, this.cellH, settings.value.maxTokenChars);
      paintLegend(d, s, this.colormap, this.scale);
    } else {
      d.rowAxis.replaceChildren();
      d.colAxis.replaceChildren();
      d.legendTicks.replaceChildren();
    }
    showFetchStatus(d.fetchStatus, this.element, s.weights ? null : s.status);
    Object.assign(this.element.dataset, {
      state: s.weights ? 'ready' : stateOf(s.status) === 'ready' ? 'loading' : stateOf(s.status),
      source: choiceId(s.choice),
      colormap: s.signed ? 'rdbu' : this.colormap,
      scale: s.signed ? 'signed' : this.scale,
      cells: String(cells),
      exact: String(s.exact),
      layer: String(s.layer),
      group: s.grouped ? 'word' : 'token',
      zoom: `${w.r0},${w.r1},${w.c0},${w.c1}`,
      max: String(s.max)
    });
    this.overlay();
  }

  /** Crosshair: the focused row (query) or column (key) of the Selection, and the hovered cell's row and column. */
  private overlay(): void {
    const s = this.shown;
    const d = this.dom;
    const focus = this.selection.focus;
    this.element.dataset.focus = focus ? `${focus.side}:${focus.index}` : '';
    if (!s || !s.weights) {
      placeBox(d.rowBand, null);
      placeBox(d.colBand, null);
      return;
    }
    const { row, col, rowBox, colBox } = crosshair(s, this.window(s), focus, this.hoverCell, this.cellW, this.cellH);
    placeBox(d.rowBand, rowBox);
    placeBox(d.colBand, colBox);
    d.root.dataset.crosshair = `${row ?? ''},${col ?? ''}`;
    markLabels(d, row, col, this.state.pinned);
  }

  private showTooltip(cell: Cell, keyboard: boolean): void {
    const s = this.shown;
    const d = this.dom;
    if (!s) {
      return;
    }
    const w = this.window(s);
    const { title, rows } = matrixTooltip(s, cell.row, cell.col);
    fillTooltip(d.tooltip, title, rows);
    const r = d.canvas.getBoundingClientRect();
    const x = r.left + (cell.col - w.c0) * this.cellW;
    const y = r.top + (cell.row - w.r0) * this.cellH;
    const box = { x: x - r.left, y: y - r.top, w: this.cellW, h: this.cellH };
    placeBox(d.cursor, keyboard ? box : null);
    showTooltipAt(d.tooltip, this.element, { left: x, top: y, right: x + this.cellW, bottom: y + this.cellH }, { gap: 4, align: 'start' });
  }
}
