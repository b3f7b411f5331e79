/**
 * @jest-environment jsdom
 *
 * Every view at a generation step: the head, matrix and text views show the prompt and generated
 * tokens 0..t, the query of generated token t is focused (pinned) in all of them, generated tokens
 * carry `is-generated`; the model view's thumbnails stay whole. One Selection links them; the step
 * is moved through one view's control.
 */
import { eager } from '../data/eager';
import { Section, SectionSource } from '../data/section';
import { mountViews } from '../registry';
import { createSelection } from '../selection/mirror';
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';

const TOKENS = ['<s>', 'The', 'capital', ' Paris', ' is', '.', '\n'];
const N = TOKENS.length;
const P = 3;

/** Causal weights, every weight on or below the diagonal non-zero, rows sum to 1. */
function causal(L: number, H: number, n: number): Tensor {
  const data = new Float32Array(L * H * n * n);
  for (let lh = 0; lh < L * H; lh++) {
    for (let q = 0; q < n; q++) {
      const raw = Array.from({ length: q + 1 }, (_, k) => ((lh + q * 3 + k * 5) % 4) + 1);
      const sum = raw.reduce((a, b) => a + b, 0);
      raw.forEach((v, k) => (data[(lh * n + q) * n + k] = v / sum));
    }
  }
  return new Tensor(data, [L, H, n, n]);
}

const GEN_SECTION: Section = eager({ key: 'gen', label: 'Generation', attention: causal(1, 2, N), layers: [0], heads: [0, 1], queryTokens: TOKENS, keyTokens: TOKENS, causal: true, generation: { promptLength: P, generated: [3, 4, 5, 6] } });
const PLAIN: Section = eager({ key: 'plain', label: 'Plain', attention: causal(1, 2, 3), layers: [0], heads: [0, 1], queryTokens: ['a', 'b', 'c'], keyTokens: ['a', 'b', 'c'], causal: true });

function sourceOf(secs: Section[]): SectionSource {
  return { sectionList: secs, section: k => secs.find(s => s.key === k), sentenceBStart: null };
}

beforeAll(() => {
  // jsdom does no layout and has no 2D canvas: give elements a width so that the head view paints
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 200 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

interface Mounted {
  sel: Selection;
  view: (name: string) => HTMLElement;
  dispose: () => void;
}

function mount(secs: Section[] = [GEN_SECTION], names = ['head', 'matrix', 'text', 'model']): Mounted {
  const host = document.createElement('div');
  document.body.append(host);
  const source = sourceOf(secs);
  const sel = createSelection(source, {})!;
  const handles = mountViews(host, source, sel, names, null);
  return { sel, view: name => host.querySelector<HTMLElement>(`.attnscope-${name}`)!, dispose: () => handles.forEach(h => h.dispose()) };
}

const all = (root: HTMLElement, css: string): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>(css));
const indices = (els: HTMLElement[]): number[] => els.map(e => Number(e.dataset.index));
const key = (target: HTMLElement, k: string): void => void target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
const generatedOf = (els: HTMLElement[]): number[] => indices(els.filter(e => e.classList.contains('is-generated')));
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('views at a generation step', () => {
  it('every view has the step control; moving one moves all, the views show 0..P+t with query P+t focused', () => {
    const { sel, view } = mount();
    const controls = ['head', 'matrix', 'text', 'model'].map(n => view(n).querySelector<HTMLElement>('.attnscope-toolbar .attnscope-step-control')!);
    expect(controls.every(c => c && !c.hidden)).toBe(true);
    const slider = controls[1].querySelector<HTMLElement>('.attnscope-step-slider')!;
    key(slider, 'ArrowRight');
    key(slider, 'ArrowRight');
    const t = 1;
    const q = P + t;
    expect(sel.state.step).toBe(t);
    expect(controls.map(c => c.dataset.step)).toEqual(['1', '1', '1', '1']);

    const head = view('head');
    expect(indices(all(head, '.attnscope-token[data-side="query"]'))).toEqual(range(0, q + 1));
    expect(indices(all(head, '.attnscope-token[data-side="key"]'))).toEqual(range(0, q + 1));
    expect(head.dataset.queries).toBe(String(q + 1));
    expect(head.dataset.focus).toBe(`query:${q}`);
    // the focused query's lines only: 2 heads x keys 0..q (causal, every weight there non-zero)
    expect(head.dataset.lines).toBe(String(2 * (q + 1)));
    expect(all(head, '.attnscope-links-svg line')).toHaveLength(2 * (q + 1));
    expect(indices(all(head, '.attnscope-token.is-focused'))).toEqual([q]);
    expect(generatedOf(all(head, '.attnscope-token[data-side="query"]'))).toEqual([3, 4]);
    expect(generatedOf(all(head, '.attnscope-token[data-side="key"]'))).toEqual([3, 4]);

    const matrix = view('matrix');
    expect(matrix.dataset.cells).toBe(String((q + 1) * (q + 1)));
    expect(indices(all(matrix, '.attnscope-matrix-label[data-side="query"]'))).toEqual(range(0, q + 1));
    expect(indices(all(matrix, '.attnscope-matrix-label[data-side="key"]'))).toEqual(range(0, q + 1));
    expect(matrix.dataset.focus).toBe(`query:${q}`);
    expect(matrix.dataset.crosshair).toBe(`${q},`);
    expect(all(matrix, '.attnscope-matrix-label.is-focused').map(e => `${e.dataset.side}:${e.dataset.index}`)).toEqual([`query:${q}`]);
    expect(generatedOf(all(matrix, '.attnscope-matrix-label[data-side="query"]'))).toEqual([3, 4]);
    expect(generatedOf(all(matrix, '.attnscope-matrix-label[data-side="key"]'))).toEqual([3, 4]);
    expect(matrix.querySelector('.attnscope-matrix-caption')!.textContent).toContain(`${q + 1} queries \u00d7 ${q + 1} keys`);

    const text = view('text');
    const spans = all(text, '.attnscope-text-token');
    expect(indices(spans)).toEqual(range(0, q + 1));
    expect(text.dataset.units).toBe(String(q + 1));
    expect(text.dataset.focus).toBe(`query:${q}`);
    expect(indices(spans.filter(s => s.classList.contains('is-focused')))).toEqual([q]);
    expect(generatedOf(spans)).toEqual([3, 4]);
    const att = GEN_SECTION.attention!;
    spans.forEach((s, k) => expect(Number(s.dataset.weight)).toBeCloseTo((att.get(0, 0, q, k) + att.get(0, 1, q, k)) / 2, 6));

    const model = view('model');
    expect(model.dataset.focus).toBe(`query:${q}`);
    expect(model.dataset.thumbs).toBe('2');
  });

  it('End shows the whole generation up to its last token; "all" shows every token again with the pin kept', () => {
    const { sel, view } = mount();
    const slider = view('text').querySelector<HTMLElement>('.attnscope-step-slider')!;
    key(slider, 'End');
    expect(sel.state.step).toBe(3);
    expect(view('head').dataset.focus).toBe(`query:${N - 1}`);
    expect(view('matrix').dataset.cells).toBe(String(N * N));
    key(slider, 'Home');
    expect(view('matrix').dataset.cells).toBe(String((P + 1) * (P + 1)));
    expect(all(view('text'), '.attnscope-text-token')).toHaveLength(P + 1);
    key(slider, 'ArrowLeft'); // left of the first step: the whole sequence
    expect(sel.state.step).toBeNull();
    expect(all(view('head'), '.attnscope-token[data-side="query"]')).toHaveLength(N);
    expect(view('matrix').dataset.cells).toBe(String(N * N));
    expect(all(view('text'), '.attnscope-text-token')).toHaveLength(N);
    expect(['head', 'matrix', 'text'].map(n => view(n).dataset.focus)).toEqual(new Array(3).fill(`query:${P}`));
    // generated tokens stay marked at every step
    expect(generatedOf(all(view('text'), '.attnscope-text-token'))).toEqual([3, 4, 5, 6]);
  });

  it('a hover still overrides the step pin while it lasts', () => {
    const { sel, view } = mount();
    sel.batch(() => {
      sel.setStep(0);
      sel.pin({ side: 'query', index: P });
    });
    const head = view('head');
    all(head, '.attnscope-token[data-side="query"]')[1].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(head.dataset.focus).toBe('query:1');
    expect(head.dataset.lines).toBe('4');
    head.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(head.dataset.focus).toBe(`query:${P}`);
  });

  it('a section without generation has no control, no marks, and the step resets when switching to it', () => {
    const { sel, view } = mount([GEN_SECTION, PLAIN]);
    sel.setStep(2);
    const select = view('head').querySelector<HTMLSelectElement>('.attnscope-section-select')!;
    select.value = 'plain';
    select.dispatchEvent(new Event('change'));
    expect(sel.state.section).toBe('plain');
    expect(sel.state.step).toBeNull();
    for (const name of ['head', 'matrix', 'text', 'model']) {
      expect(view(name).querySelector<HTMLElement>('.attnscope-step-control')!.hidden).toBe(true);
      expect(view(name).querySelectorAll('.is-generated')).toHaveLength(0);
    }
    expect(all(view('head'), '.attnscope-token[data-side="query"]')).toHaveLength(3);
  });

  it('dispose removes the controls and stops their timers', () => {
    jest.useFakeTimers();
    try {
      const { view, dispose } = mount();
      const slider = view('head').querySelector<HTMLElement>('.attnscope-step-slider')!;
      key(slider, ' ');
      expect(jest.getTimerCount()).toBe(1);
      dispose();
      expect(jest.getTimerCount()).toBe(0);
      expect(document.querySelector('.attnscope-step-control')).toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });
});
