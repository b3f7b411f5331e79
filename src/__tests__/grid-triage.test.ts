/**
 * @jest-environment jsdom
 */
/**
 * The model view's head triage as a user sees it: thumbnails coloured by a score with a legend,
 * sorted within each layer or ranked as one list (top N), filtered by a threshold, the heads chart
 * linked to the grid (hover a point: its thumbnail lights up; hover a thumbnail: its point; click a
 * point: the head opens), the kernel's progress before the scores arrive, and view_options from Python.
 */
import { eager } from '../data/eager';
import { DataChange, Section, SectionSource } from '../data/section';
import { colorAt } from '../render/colormap';
import { Selection } from '../selection/state';
import { HeadScores } from '../wire/head-scores';
import { Tensor } from '../wire/tensor';
import { decodeViewOptions, ViewOptions } from '../wire/view-options';
import { GridView } from '../views/model/view';

const N = 4;
/** induction of (layer slot, head slot): head 2 of layer 1 is the induction head */
const INDUCTION = [
  [0.1, 0.3, 0.05],
  [0.2, 0.6, 0.9]
];
const FIRST = [
  [0.9, 0.2, 0.1],
  [0.4, 0.3, 0.05]
];

function table(): HeadScores {
  const data: number[] = [];
  INDUCTION.forEach((row, l) => row.forEach((v, h) => data.push(v, FIRST[l][h])));
  const labels = INDUCTION.map(row => row.map(v => (v >= 0.4 ? [{ label: 'induction', text: `induction: induction ${v} >= 0.4` }] : [])));
  // layer 0: heads 0 and 2 alike; layer 1 collapsed (every head alike)
  const similarity = { order: [[0, 2, 1], [2, 0, 1]], redundant: [[0, 0, 2, 0.95]] as [number, number, number, number][], collapsed: [1], threshold: 0.9, measure: '1 - JSD' };
  return { names: ['induction', 'first'], values: new Tensor(Float32Array.from(data), [2, 3, 2]), labels, rules: [], similarity };
}

function section(withScores: boolean): Section {
  const sec = eager({
    key: 'self',
    label: 'Attention',
    attention: new Tensor(new Float32Array(2 * 3 * N * N).fill(1 / N), [2, 3, N, N]),
    layers: [3, 5],
    heads: [0, 4, 9],
    queryTokens: ['a', 'b', 'c', 'd'],
    keyTokens: ['a', 'b', 'c', 'd']
  });
  sec.scores = withScores ? table() : null;
  return sec;
}

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 600 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

function mount(options: Record<string, unknown> = {}, withScores = true) {
  const sec = section(withScores);
  const listeners = new Set<(change?: DataChange) => void>();
  const source: SectionSource & { viewOptions: ViewOptions } = {
    sectionList: [sec],
    section: k => (k === 'self' ? sec : undefined),
    sentenceBStart: null,
    viewOptions: decodeViewOptions(options),
    onData: fn => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    }
  };
  const sel = new Selection({ section: 'self', layer: 3, nHeads: 3 });
  const view = new GridView(source, sel);
  document.body.appendChild(view.element);
  const notify = (change?: DataChange): void => listeners.forEach(fn => fn(change));
  return { view, sel, root: view.element, sec, source, notify };
}

const all = (root: HTMLElement, css: string): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>(css));
const order = (root: HTMLElement): string[] => all(root, '.attnscope-thumb').map(t => `${t.dataset.layer}:${t.dataset.head}`);
const choose = (root: HTMLElement, css: string, value: string): void => {
  const c = root.querySelector<HTMLInputElement | HTMLSelectElement>(css)!;
  c.value = value;
  c.dispatchEvent(new Event('change'));
};

describe('model view head triage', () => {
  it('colours each frame by the score on a sequential scale, with a legend of its range', () => {
    const { root } = mount({ score: 'induction' });
    const t = root.querySelector<HTMLElement>('.attnscope-thumb[data-layer="5"][data-head="9"]')!;
    expect(t.classList.contains('has-score')).toBe(true);
    expect(t.style.getPropertyValue('--attnscope-score-color')).toBe(colorAt('viridis', 1)); // the highest
    const low = root.querySelector<HTMLElement>('.attnscope-thumb[data-layer="3"][data-head="9"]')!;
    expect(low.style.getPropertyValue('--attnscope-score-color')).toBe(colorAt('viridis', 0)); // the lowest
    expect(t.dataset.rank).toBe('1');
    expect(root.querySelector('.attnscope-score-legend-lo')!.textContent).toBe('0.05');
    expect(root.querySelector('.attnscope-score-legend-hi')!.textContent).toBe('0.9');
    expect(order(root)).toEqual(['3:0', '3:4', '3:9', '5:0', '5:4', '5:9']); // not sorted unless asked
  });

  it('sorts within each layer, then ranks the whole grid with top N, from the controls', () => {
    const { root } = mount({ score: 'induction' });
    choose(root, '.attnscope-sort-select', 'layer');
    expect(order(root)).toEqual(['3:4', '3:0', '3:9', '5:9', '5:4', '5:0']);
    expect(all(root, '.attnscope-grid-head').map(h => h.textContent)).toEqual(['1st', '2nd', '3rd']);
    choose(root, '.attnscope-sort-select', 'rank');
    choose(root, '.attnscope-top-input', '2');
    expect(order(root)).toEqual(['5:9', '5:4']);
    expect(all(root, '.attnscope-grid-layer').map(h => h.textContent)).toEqual(['#1\u20132']);
    expect(root.querySelector('.attnscope-scores-status')!.textContent).toBe('2 of 6 heads shown');
  });

  it('filters: heads below the threshold fade in place, and leave a ranking', () => {
    const { root } = mount({ score: 'induction', min_score: 0.5 });
    expect(all(root, '.attnscope-thumb.is-filtered').map(t => `${t.dataset.layer}:${t.dataset.head}`)).toEqual(['3:0', '3:4', '3:9', '5:0']);
    choose(root, '.attnscope-sort-select', 'rank');
    expect(order(root)).toEqual(['5:9', '5:4']);
  });

  it('the heads chart: one point per head; hover a point lights its thumbnail, hover a thumbnail its point, click opens', () => {
    const { root, sel } = mount({ chart: ['first', 'induction'] });
    const points = all(root, '.attnscope-chart-point');
    expect(points).toHaveLength(6);
    expect(root.querySelector('.attnscope-heads-chart')!.getAttribute('aria-label')).toBe('Heads chart: induction against first, one point per head');
    const p = root.querySelector<SVGElement>('.attnscope-chart-point[data-layer="5"][data-head="9"]')!;
    p.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(all(root, '.attnscope-thumb.is-highlighted').map(t => `${t.dataset.layer}:${t.dataset.head}`)).toEqual(['5:9']);
    expect(root.dataset.highlighted).toBe('5:9');
    root.querySelector('.attnscope-chart-panel')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(all(root, '.attnscope-thumb.is-highlighted')).toHaveLength(0);
    root.querySelector('.attnscope-thumb[data-layer="3"][data-head="0"]')!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(all(root, '.attnscope-chart-point.is-highlighted').map(q => `${q.dataset.layer}:${q.dataset.head}`)).toEqual(['3:0']);
    p.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(sel.state.openHead).toEqual({ layer: 5, head: 2 }); // head slot 2 = head 9
    expect(root.dataset.open).toBe('5:9');
    // a point's place follows its scores: the induction head is the highest point
    const ys = points.map(q => Number(q.getAttribute('cy')));
    expect(Number(p.getAttribute('cy'))).toBe(Math.min(...ys));
  });

  it('the chart toggle and its axes, from the toolbar', () => {
    const { root } = mount();
    const panel = root.querySelector<HTMLElement>('.attnscope-chart-panel')!;
    expect(panel.hidden).toBe(true);
    root.querySelector<HTMLButtonElement>('.attnscope-chart-toggle')!.click();
    expect(panel.hidden).toBe(false);
    choose(root, '.attnscope-chart-x', 'induction');
    expect(root.querySelector('.attnscope-chart-title')!.textContent).toBe('induction');
  });

  it('says the kernel is computing, then arranges the grid when the scores arrive', () => {
    const { root, sec, notify } = mount({ score: 'induction', sort: 'rank' }, false);
    const row = root.querySelector<HTMLElement>('.attnscope-triage')!;
    expect(row.dataset.scores).toBe('waiting');
    expect(order(root)).toHaveLength(6);
    sec.scoresProgress = { done: 2, total: 6 };
    const thumbs = root.querySelectorAll('.attnscope-thumb');
    notify('progress'); // as the widget model reports a progress message
    expect(row.dataset.scores).toBe('computing');
    expect(root.querySelectorAll('.attnscope-thumb')[0]).toBe(thumbs[0]); // the grid stays as built
    expect(root.querySelector('.attnscope-scores-status')!.textContent).toBe('head scores: computing in the kernel, 2 of 6 heads');
    sec.scores = table();
    sec.scoresProgress = null;
    notify('scores');
    expect(row.dataset.scores).toBe('ready');
    expect(order(root)).toEqual(['5:9', '5:4', '3:4', '5:0', '3:0', '3:9']);
  });

  it('a thumbnail tooltip gives the score, its rank and the labels with their rule', () => {
    const { root } = mount({ score: 'induction' });
    root.querySelector('.attnscope-thumb[data-layer="5"][data-head="9"]')!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(root.querySelector('.attnscope-tooltip')!.textContent).toBe('Layer 5, head 9: click to open\ninduction 0.900 (rank 1 of 6)\ninduction: induction 0.9 >= 0.4');
  });

  it('similar heads together: the kernel\'s order within each layer, collapsed layers and redundant pairs said', () => {
    const { root } = mount({ sort: 'similarity' });
    expect(order(root)).toEqual(['3:0', '3:9', '3:4', '5:9', '5:0', '5:4']);
    const collapsed = all(root, '.attnscope-grid-layer.is-collapsed');
    expect(collapsed.map(h => h.textContent)).toEqual(['5']);
    expect(collapsed[0].title).toContain('every head alike');
    root.querySelector('.attnscope-thumb[data-layer="3"][data-head="9"]')!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(root.querySelector('.attnscope-tooltip')!.textContent).toContain('redundant with head 0 (0.95): similarity >= 0.9');
    const sort = root.querySelector<HTMLSelectElement>('.attnscope-sort-select')!;
    expect(Array.from(sort.options).filter(o => o.disabled).map(o => o.value)).toEqual(['layer', 'rank']); // no score chosen
  });

  it('new view_options from Python arrange the grid again', () => {
    const { root, source, notify } = mount({ score: 'induction' });
    source.viewOptions = decodeViewOptions({ score: 'first', sort: 'rank', top: 1 });
    notify();
    expect(order(root)).toEqual(['3:0']);
  });
});
