/**
 * The model view's head triage: a second toolbar row to colour, order and filter the grid by a head
 * score, the score's legend, the state of the kernel's work on the scores, and the heads chart (two
 * scores, one point per head). It holds its own choice (from `view_options`, then the user's), says
 * when the grid must be rebuilt (`onChange`), and reports a hovered or clicked point (`onPoint`);
 * the grid view does the linking. Thumbnail frames get their colour from `frameColor`.
 */
import { Arrangement, arrangeHeads, domainPosition, scoreDomain, TriageChoice } from '../../analysis/head-ranking';
import { Section } from '../../data/section';
import { colorAt } from '../../render/colormap';
import { buildChartSvg, chartLayout } from '../../render/heads-chart';
import { tickLabel } from '../../render/legend';
import { HeadScores } from '../../wire/head-scores';
import { SORTS, SortName, ViewOptions } from '../../wire/view-options';
import { el, labelled, setOptions } from '../dom';

/** Size of the heads chart, CSS pixels. */
export const CHART_SIZE = { width: 340, height: 240 };
const NONE = '';
const SORT_LABELS: Record<SortName, string> = { none: 'model order', layer: 'within each layer', rank: 'rank all heads', similarity: 'similar heads together' };

export interface TriageDom {
  row: HTMLElement;
  score: HTMLSelectElement;
  sort: HTMLSelectElement;
  top: HTMLInputElement;
  min: HTMLInputElement;
  chartToggle: HTMLButtonElement;
  chartX: HTMLSelectElement;
  chartY: HTMLSelectElement;
  legend: HTMLElement;
  status: HTMLElement;
  chart: HTMLElement;
}

function buildDom(doc: Document): TriageDom {
  const row = el(doc, 'div', 'attnscope-toolbar attnscope-triage');
  const score = el(doc, 'select', 'attnscope-score-select');
  const sort = el(doc, 'select', 'attnscope-sort-select');
  setOptions(sort, SORTS.map(s => ({ value: s, label: SORT_LABELS[s] })), 'none');
  const top = el(doc, 'input', 'attnscope-top-input');
  Object.assign(top, { type: 'number', min: '1', step: '1', placeholder: 'all' });
  const min = el(doc, 'input', 'attnscope-min-input');
  Object.assign(min, { type: 'number', step: 'any', placeholder: 'none' });
  const chartToggle = el(doc, 'button', 'attnscope-chart-toggle', 'heads chart');
  chartToggle.type = 'button';
  chartToggle.setAttribute('aria-pressed', 'false');
  chartToggle.title = 'Every head as a point on two scores; hover a point to find its thumbnail, click to open it';
  const chartX = el(doc, 'select', 'attnscope-chart-x');
  const chartY = el(doc, 'select', 'attnscope-chart-y');
  const legend = el(doc, 'span', 'attnscope-score-legend');
  const status = el(doc, 'span', 'attnscope-scores-status');
  status.setAttribute('role', 'status');
  row.append(labelled(doc, 'Score', score), labelled(doc, 'Sort', sort), labelled(doc, 'Top', top), labelled(doc, 'At least', min), legend, chartToggle, labelled(doc, 'x', chartX), labelled(doc, 'y', chartY), status);
  const chart = el(doc, 'div', 'attnscope-chart-panel');
  chart.hidden = true;
  return { row, score, sort, top, min, chartToggle, chartX, chartY, legend, status, chart };
}

/** Default chart axes: how spread the attention is against the first pattern score the table has. */
function defaultAxes(names: readonly string[]): [string, string] {
  const x = names.includes('entropy_norm') ? 'entropy_norm' : names[0];
  const y = ['induction', 'previous', 'first'].find(n => names.includes(n)) ?? names[Math.min(1, names.length - 1)];
  return [x, y];
}

export class Triage {
  readonly dom: TriageDom;
  private choice: TriageChoice = { score: null, sort: 'none', top: null, minScore: null };
  private axes: [string, string] | null = null;
  private chartOn = false;
  private names: string[] = [];
  private domain: [number, number] | null = null;

  constructor(
    doc: Document,
    private readonly onChange: () => void,
    private readonly onPoint: (kind: 'hover' | 'open', layerSlot: number | null, headSlot: number | null) => void
  ) {
    this.dom = buildDom(doc);
    this.listen();
  }

  /** Takes the choice of `view_options` (at first, and when Python changes it). */
  fromOptions(o: ViewOptions): void {
    this.choice = { score: o.score, sort: o.sort, top: o.top, minScore: o.minScore };
    this.axes = o.chart;
    this.chartOn = o.chart !== null;
  }

  private listen(): void {
    const d = this.dom;
    const changed = (): void => {
      const top = parseInt(d.top.value, 10);
      const min = parseFloat(d.min.value);
      this.choice = {
        score: d.score.value || null,
        sort: (d.sort.value as SortName) || 'none',
        top: top > 0 ? top : null,
        minScore: Number.isFinite(min) ? min : null
      };
      this.axes = [d.chartX.value, d.chartY.value];
      this.onChange();
    };
    for (const c of [d.score, d.sort, d.chartX, d.chartY]) {
      c.addEventListener('change', changed);
    }
    for (const c of [d.top, d.min]) {
      c.addEventListener('change', changed);
    }
    d.chartToggle.addEventListener('click', () => {
      this.chartOn = !this.chartOn;
      this.onChange();
    });
    const point = (e: Event): { l: number; h: number } | null => {
      const t = e.target instanceof Element ? e.target.closest<SVGElement>('.attnscope-chart-point') : null;
      return t ? { l: Number(t.dataset.layerSlot), h: Number(t.dataset.slot) } : null;
    };
    d.chart.addEventListener('mouseover', e => {
      const p = point(e);
      this.onPoint('hover', p?.l ?? null, p?.h ?? null);
    });
    d.chart.addEventListener('focusin', e => {
      const p = point(e);
      this.onPoint('hover', p?.l ?? null, p?.h ?? null);
    });
    d.chart.addEventListener('mouseleave', () => this.onPoint('hover', null, null));
    d.chart.addEventListener('click', e => {
      const p = point(e);
      if (p) {
        this.onPoint('open', p.l, p.h);
      }
    });
    d.chart.addEventListener('keydown', e => {
      const p = point(e);
      if (p && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        this.onPoint('open', p.l, p.h);
      }
    });
  }

  /** The grid's arrangement for `sec` now (its scores may not have arrived: then the model's order). */
  arrange(sec: Section): Arrangement {
    return arrangeHeads(sec.scores, this.choice, sec.layers.map(String), sec.headLabels ?? sec.heads.map(String));
  }

  /** The colour of a thumbnail's frame for its score value; '' without a score to colour by. */
  frameColor(value: number): string {
    return this.domain && Number.isFinite(value) ? colorAt('viridis', domainPosition(value, this.domain)) : '';
  }

  /** Brings the controls, legend, status and chart up to date with `sec` (call on every rebuild). */
  update(sec: Section): void {
    const d = this.dom;
    const scores = sec.scores;
    this.names = scores ? scores.names : [];
    const has = (n: string | null): n is string => !!n && this.names.includes(n);
    const picked = has(this.choice.score) ? this.choice.score : null;
    setOptions(d.score, [{ value: NONE, label: 'none' }, ...this.names.map(n => ({ value: n, label: n }))], picked ?? NONE);
    d.sort.value = this.choice.sort;
    d.top.value = this.choice.top === null ? '' : String(this.choice.top);
    d.min.value = this.choice.minScore === null ? '' : String(this.choice.minScore);
    const usable = !!scores && picked !== null;
    for (const c of [d.top, d.min]) {
      c.disabled = !usable;
    }
    d.sort.disabled = !usable && !scores?.similarity;
    // sorting by a score needs one; "similar heads together" needs the kernel's similarity
    Array.from(d.sort.options).forEach(o => (o.disabled = o.value === 'similarity' ? !scores?.similarity : o.value !== 'none' && !usable));
    d.top.disabled = !usable || this.choice.sort !== 'rank';
    this.domain = scores && picked !== null ? scoreDomain(scores, picked) : null;
    this.updateLegend();
    this.updateStatus(sec);
    const axes = scores && this.axes && has(this.axes[0]) && has(this.axes[1]) ? this.axes : scores ? defaultAxes(this.names) : null;
    for (const [select, value] of [[d.chartX, axes?.[0]], [d.chartY, axes?.[1]]] as const) {
      setOptions(select, this.names.map(n => ({ value: n, label: n })), value ?? '');
      select.disabled = !scores;
      if (select.parentElement) {
        select.parentElement.hidden = !this.chartOn;
      }
    }
    d.chartToggle.setAttribute('aria-pressed', String(this.chartOn));
    d.chartToggle.disabled = !scores;
    d.chart.hidden = !this.chartOn || !scores || !axes;
    if (!d.chart.hidden && scores && axes) {
      this.drawChart(sec, scores, axes);
    } else {
      d.chart.replaceChildren();
    }
  }

  private updateLegend(): void {
    const d = this.dom;
    d.legend.replaceChildren();
    if (!this.domain) {
      d.legend.hidden = true;
      return;
    }
    const doc = d.legend.ownerDocument;
    const bar = el(doc, 'span', 'attnscope-score-legend-bar');
    bar.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(t => colorAt('viridis', t)).join(', ')})`;
    d.legend.append(el(doc, 'span', 'attnscope-score-legend-lo', tickLabel(this.domain[0])), bar, el(doc, 'span', 'attnscope-score-legend-hi', tickLabel(this.domain[1])));
    d.legend.title = `Frame colour: ${this.choice.score} from ${this.domain[0]} (dark) to ${this.domain[1]} (bright)`;
    d.legend.hidden = false;
  }

  private updateStatus(sec: Section): void {
    const d = this.dom;
    const p = sec.scoresProgress;
    let state: string;
    let text: string;
    if (sec.scores) {
      state = 'ready';
      text = '';
    } else if (p) {
      state = 'computing';
      text = `head scores: computing in the kernel, ${p.done} of ${p.total} heads`;
    } else if (sec.derived) {
      state = 'none';
      text = `no head scores for ${sec.label.toLowerCase()}`;
    } else {
      state = 'waiting';
      text = 'head scores: waiting for the kernel (a saved page without a kernel has none)';
    }
    d.status.textContent = text;
    d.row.dataset.scores = state;
  }

  /** After a rebuild: say how many heads the filter keeps (the status line). */
  showCounts(a: Arrangement): void {
    if (this.dom.row.dataset.scores === 'ready' && this.domain && (this.choice.minScore !== null || this.choice.sort === 'rank')) {
      this.dom.status.textContent = `${a.kept} of ${a.total} heads shown`;
    }
  }

  private drawChart(sec: Section, scores: HeadScores, axes: [string, string]): void {
    const c = chartLayout(scores, axes[0], axes[1], CHART_SIZE.width, CHART_SIZE.height);
    const svg = buildChartSvg(this.dom.chart.ownerDocument, c, sec.layers, sec.heads);
    const note = c.missing ? el(this.dom.chart.ownerDocument, 'div', 'attnscope-hint', `${c.missing} heads have no value for one of the scores`) : null;
    this.dom.chart.replaceChildren(svg, ...(note ? [note] : []));
    this.dom.chart.dataset.points = String(c.points.length);
  }

  /** Marks the chart point of (layer slot, head slot) as the one whose thumbnail is hovered (null: none). */
  highlightPoint(layerSlot: number | null, headSlot: number | null): void {
    this.dom.chart.querySelectorAll('.attnscope-chart-point.is-highlighted').forEach(p => p.classList.remove('is-highlighted'));
    if (layerSlot === null || headSlot === null) {
      return;
    }
    this.dom.chart.querySelector(`.attnscope-chart-point[data-layer-slot="${layerSlot}"][data-slot="${headSlot}"]`)?.classList.add('is-highlighted');
  }

  /** The score the grid is coloured, sorted and filtered by; null for none. */
  get scoreName(): string | null {
    return this.choice.score;
  }

  get chartShown(): boolean {
    return !this.dom.chart.hidden;
  }
}
