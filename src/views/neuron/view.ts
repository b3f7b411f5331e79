/**
 * Neuron view controller: for one (layer, head) and the focused query token, shows the query
 * vector, every key vector, q*k elementwise, scale*q.k and the softmax row the model returned.
 * Reads the shared Selection, writes user actions back to it; never talks to other views.
 *
 * Shown head: selection.openHead when set, else (selection.layer, first active head).
 * Focused query: the hovered token when it is a query, else the pinned query, else none (a hint).
 */
import { focusedQuery, hasVectors, headVectors, HeadVectors, maxAbs, neuronRow, NeuronRow, ShownHead, shownHead } from '../../analysis/neuron';
import { headIds } from '../../selection/ids';
import { settings } from '../../config/settings';
import { resolveTheme, Theme, watchPageTheme } from '../../config/theme';
import { Section, SectionSource } from '../../data/section';
import { markTokens, renderTokenColumn, tokenOfEvent } from '../../render/tokens';
import { escapeInvisible, TextLine } from '../../render/token-text';
import { fillTooltip, placeTooltip } from '../../render/tooltip';
import { CellLayout, cellAt, cellWidthFor, DivergingScale, formatBound, formatExact } from '../../render/vectors';
import { Selection, SelectionState, TokenRef } from '../../selection/state';
import { ViewBase } from '../base';
import { generationOf, markGenerated } from '../step-control';
import { hideControl, setOptions } from '../dom';
import { showFetchStatus, stateOf } from '../fetch-status';
import { buildNeuronViewDom, NeuronRowDom, NeuronViewDom, paintLegend, renderKeyRows } from './dom';
import { fillKeyRows, NeuronMatrices } from './matrices';
import { cellTooltipLines, Matrix, rowTooltipLines } from './tooltip';

/** Space between the key matrix and the q*k matrix, CSS pixels (also in style/base.css). */
const MATRIX_GAP = 8;

export const NO_VECTORS_MESSAGE =
  'The neuron view needs the query and key vectors, and this attention data has none. ' +
  'Get them with attnscope.neuron_view(model, tokenizer, text), or with ' +
  'attnscope.from_model(model, tokenizer, text, with_vectors=True).show(views=["neuron"]).';

/** What the neuron view shows at one moment: enough to draw it again elsewhere (an export). */
export interface NeuronSnapshot {
  section: Section;
  /** The selection state: open head, layer, active heads and pin decide what is shown. */
  state: Readonly<SelectionState>;
  /** The focused token (selection.focus). */
  focus: TokenRef | null;
  rowHeight: number;
  maxTokenChars: number;
}

export class NeuronView extends ViewBase {
  readonly element: HTMLElement;
  private readonly dom: NeuronViewDom;
  private queryEls: HTMLElement[] = [];
  private rowEls: NeuronRowDom[] = [];
  private shown: ShownHead | null = null;
  private hv: HeadVectors | null = null;
  private current: NeuronRow | null = null;
  private layout: CellLayout = { cellWidth: 1, rowHeight: 20 };
  private vectorScale: DivergingScale | null = null;
  private readonly matrices: NeuronMatrices;

  constructor(model: SectionSource, selection: Selection) {
    super(model, selection);
    this.dom = buildNeuronViewDom(document);
    this.element = this.dom.root;
    this.matrices = new NeuronMatrices(this.dom);
    this.addStepControl();
    this.listen();
    this.rebuild();
  }

  /** The shown head and focused query, as now (null without vectors, or while a lazy head is on its way). */
  snapshot(): NeuronSnapshot | null {
    const sec = this.section;
    if (!sec || !hasVectors(sec)) {
      return null;
    }
    if (!this.hv) {
      return null; // a lazy head still on its way
    }
    const { rowHeight, maxTokenChars } = settings.value;
    return { section: sec, state: this.state, focus: this.selection.focus, rowHeight, maxTokenChars };
  }

  // --- data -------------------------------------------------------------------------------------

  private get theme(): Theme {
    return this.element.dataset.theme === 'dark' ? 'dark' : 'light';
  }

  // --- events -----------------------------------------------------------------------------------

  private listen(): void {
    const d = this.dom;
    this.on(d.fetchStatus.retry, 'click', () => {
      const sec = this.section;
      if (sec && hasVectors(sec)) {
        const shown = shownHead(this.state, sec);
        this.retryFetch(shown.layerSlot, [shown.head]);
      }
    });
    this.on<MouseEvent>(d.queryTokens, 'mouseover', e => this.hoverToken(tokenOfEvent(e.target)));
    this.on<MouseEvent>(d.queryTokens, 'click', e => {
      const t = tokenOfEvent(e.target);
      if (t) {
        this.selection.togglePin(t);
      }
    });
    this.on<FocusEvent>(d.queryTokens, 'focusin', e => this.hoverToken(tokenOfEvent(e.target)));
    this.on<KeyboardEvent>(d.queryTokens, 'keydown', e => this.onTokenKey(e, () => this.queryEls));
    // Leaving the query column for the matrices keeps the hovered query: only leaving the body ends it.
    this.on(d.body, 'mouseleave', () => {
      this.selection.hover(null);
      this.hideTooltip();
    });
    this.on<FocusEvent>(d.body, 'focusout', e => {
      if (!(e.relatedTarget instanceof Node && d.body.contains(e.relatedTarget))) {
        this.selection.hover(null);
      }
    });
    const cells: [HTMLCanvasElement, Matrix][] = [[d.qCanvas, 'q'], [d.keysCanvas, 'k'], [d.productCanvas, 'qk']];
    for (const [canvas, which] of cells) {
      this.on<MouseEvent>(canvas, 'mousemove', e => this.showCellTooltip(canvas, which, e));
      this.on(canvas, 'mouseleave', () => this.hideTooltip());
    }
    this.on<MouseEvent>(d.rows, 'mouseover', e => this.showRowTooltip(e.target));
    this.on(d.rows, 'mouseleave', () => this.hideTooltip());

    this.on(d.sectionSelect, 'change', () => this.switchSection(d.sectionSelect.value));
    this.on(d.layerSelect, 'change', () => {
      const layer = Number(d.layerSelect.value);
      const open = this.state.openHead;
      this.selection.batch(() => {
        this.selection.setLayer(layer);
        if (open) {
          this.selection.setOpenHead({ layer, head: open.head });
        }
      });
    });
    this.on(d.headSelect, 'change', () => {
      if (this.shown) {
        this.selection.setOpenHead({ layer: this.shown.layer, head: Number(d.headSelect.value) });
      }
    });

    this.cleanups.push(this.selection.subscribe((_s, changed) => this.onSelection(changed)));
    this.cleanups.push(settings.subscribe(() => this.rebuild()));
    this.cleanups.push(
      watchPageTheme(() => {
        this.applyTheme();
        this.renderHead();
      })
    );
  }

  private hoverToken(t: TokenRef | null): void {
    if (t) {
      this.selection.hover(t);
    }
  }

  private onSelection(changed: ReadonlySet<keyof SelectionState>): void {
    if (changed.has('section')) {
      this.rebuild();
      return;
    }
    const sec = this.section;
    if (!sec || !this.hv) {
      return;
    }
    const next = shownHead(this.state, sec);
    const s = this.shown;
    if (!s || s.layer !== next.layer || s.head !== next.head) {
      this.renderHead();
    } else if (changed.has('hovered') || changed.has('pinned')) {
      this.renderQuery();
    }
  }

  // --- rendering --------------------------------------------------------------------------------

  private applyTheme(): void {
    this.element.dataset.theme = resolveTheme(settings.value.theme);
  }

  protected dataChanged(): void {
    if (!this.hv) {
      this.renderHead();
    }
  }

  private fail(message: string): void {
    const d = this.dom;
    this.hv = null;
    this.current = null;
    this.shown = null;
    d.message.textContent = message;
    d.message.hidden = false;
    d.fetchStatus.root.hidden = true;
    d.body.hidden = true;
    d.legends.hidden = true;
    d.hint.hidden = true;
    d.status.hidden = true;
    hideControl(d.layerSelect, true);
    hideControl(d.headSelect, true);
    this.hideTooltip();
    Object.assign(this.element.dataset, { state: 'error', layer: '', head: '', query: '' });
  }

  /** Controls, query tokens and key rows for the current section, then the head. */
  private rebuild(): void {
    const d = this.dom;
    const sec = this.section;
    this.applyTheme();
    const sections = this.model.sectionList;
    setOptions(d.sectionSelect, sections.map(s => ({ value: s.key, label: s.label })), this.state.section);
    hideControl(d.sectionSelect, sections.length < 2);
    if (!sec) {
      this.fail(`attnscope: no attention section named "${this.state.section}"`);
      return;
    }
    if (!hasVectors(sec)) {
      this.fail(NO_VECTORS_MESSAGE);
      return;
    }
    d.message.hidden = true;
    d.body.hidden = false;
    d.legends.hidden = false;
    d.fetchStatus.root.hidden = true;
    d.status.hidden = false;
    hideControl(d.layerSelect, false);
    hideControl(d.headSelect, false);
    setOptions(d.layerSelect, sec.layers.map(l => ({ value: String(l), label: String(l) })), String(this.state.layer));
    const ids = headIds(sec);
    setOptions(d.headSelect, ids.map((id, slot) => ({ value: String(slot), label: String(id) })), '0');

    const { maxTokenChars: maxChars, rowHeight } = settings.value;
    this.element.style.setProperty('--attnscope-row-height', `${rowHeight}px`);
    this.queryEls = renderTokenColumn(d.queryTokens, sec.queryTokens, 'query', 0, sec.queryTokens.length, maxChars);
    this.rowEls = renderKeyRows(d.rows, sec.keyTokens, maxChars);
    markGenerated(this.queryEls, generationOf(sec, 'query'));
    markGenerated(this.rowEls.map(r => r.row), generationOf(sec, 'key'));
    this.element.dataset.queries = String(sec.queryTokens.length);
    this.element.dataset.keys = String(sec.keyTokens.length);
    this.renderHead();
  }

  /** Everything that depends on (layer, head) only: selects, key vectors, the q/k legend. */
  private renderHead(): void {
    const sec = this.section;
    if (!sec || !hasVectors(sec)) {
      return;
    }
    const d = this.dom;
    const shown = shownHead(this.state, sec);
    const status = sec.request(this.consumerId, shown.layerSlot, [shown.head]);
    showFetchStatus(d.fetchStatus, this.element, status);
    const hv = status.state === 'ready' ? headVectors(sec, shown.layerSlot, shown.head) : null;
    this.shown = shown;
    this.hv = hv;
    this.hideTooltip();
    d.layerSelect.value = String(shown.layer);
    d.headSelect.value = String(shown.head);
    d.body.hidden = !hv;
    d.legends.hidden = !hv;
    if (!hv) {
      const headId = headIds(sec)[shown.head];
      Object.assign(this.element.dataset, { layer: String(shown.layer), head: String(headId), state: stateOf(status) });
      return;
    }

    const rowHeight = settings.value.rowHeight;
    this.layout = { cellWidth: cellWidthFor(hv.dim), rowHeight };
    const width = hv.dim * this.layout.cellWidth;
    this.element.style.setProperty('--attnscope-neuron-vector-width', `${width}px`);
    this.element.style.setProperty('--attnscope-neuron-gap', `${MATRIX_GAP}px`);
    d.dotTitle.textContent = `q\u00b7k \u00d7 ${formatBound(hv.scale)}`;
    d.dotTitle.title = `scale \u00d7 q\u00b7k, scale = ${formatExact(hv.scale)}`;

    this.vectorScale = new DivergingScale(this.theme, maxAbs(hv.queries.data, hv.keys.data));
    paintLegend(d.vectorLegend, this.vectorScale);
    this.matrices.newHead();
    const headId = headIds(sec)[shown.head];
    Object.assign(this.element.dataset, { layer: String(shown.layer), head: String(headId), dim: String(hv.dim) });
    this.renderQuery();
  }

  /** Everything that depends on the focused query. */
  private renderQuery(): void {
    const sec = this.section;
    const hv = this.hv;
    const vectorScale = this.vectorScale;
    if (!sec || !hv || !vectorScale) {
      return;
    }
    const d = this.dom;
    const s = this.state;
    const focus = this.selection.focus;
    const query = focusedQuery(focus, s.pinned, hv.nQueries);
    const row = query === null ? null : neuronRow(hv, query);
    this.current = row;
    const cells = this.matrices.paint(hv, row, this.layout, vectorScale, this.theme);
    d.qLabel.textContent = row ? `query ${row.query}: ${escapeInvisible(sec.queryTokens[row.query])}` : '';
    fillKeyRows(this.rowEls, row, focus, s.pinned);
    markTokens(this.queryEls, 'query', 0, query === null ? null : { side: 'query', index: query }, s.pinned);

    d.hint.hidden = row !== null;
    d.hint.textContent = row ? '' : 'Hover a query token on the left (click to pin it) to see its vectors and scores.';
    d.status.textContent = row
      ? `softmax(${formatBound(hv.scale)} \u00b7 q\u00b7k${hv.causal ? ' + causal mask' : ''}) recomputed here ` +
        `vs. the weights the model returned: max |\u0394| = ${row.maxError.toExponential(1)}`
      : '';
    Object.assign(this.element.dataset, {
      query: row ? String(row.query) : '',
      cells: String(cells),
      causal: String(hv.causal),
      state: 'ready'
    });
  }

  // --- tooltips ---------------------------------------------------------------------------------

  private hideTooltip(): void {
    this.dom.tooltip.hidden = true;
  }

  private placeTooltip(lines: TextLine[], anchor: DOMRect, dx: number, dy: number): void {
    const [title, ...rest] = lines;
    fillTooltip(this.dom.tooltip, title, rest.map(text => ({ text })));
    placeTooltip(this.dom.tooltip, this.element, anchor.left + dx, anchor.top + dy);
  }

  /** Exact value of the vector cell under the mouse, with its token and dimension. */
  private showCellTooltip(canvas: HTMLCanvasElement, which: Matrix, e: MouseEvent): void {
    const sec = this.section;
    const hv = this.hv;
    if (!sec || !hv) {
      return;
    }
    const box = canvas.getBoundingClientRect();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    const cell = cellAt(x, y, this.layout, which === 'q' ? 1 : hv.nKeys, hv.dim);
    const lines = cell && cellTooltipLines(sec, hv, this.current, which, cell);
    if (lines) {
      this.placeTooltip(lines, box, x, y);
    } else {
      this.hideTooltip();
    }
  }

  /** Exact scores of the key row under the mouse. */
  private showRowTooltip(target: EventTarget | null): void {
    const sec = this.section;
    const hv = this.hv;
    const el = target instanceof Element ? target.closest<HTMLElement>('.attnscope-neuron-row') : null;
    if (sec && hv && el) {
      const box = el.getBoundingClientRect();
      this.placeTooltip(rowTooltipLines(sec, hv, this.current, Number(el.dataset.index)), box, box.width / 2, 0);
    }
  }
}
