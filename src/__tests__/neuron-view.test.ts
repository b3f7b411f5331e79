/**
 * @jest-environment jsdom
 */
import { Selection } from '../selection/state';
import { formatWeight } from '../render/format';
import { Section, SectionSource } from '../data/section';
import { eager } from '../data/eager';
import { settings } from '../config/settings';
import { NeuronView } from '../views/neuron/view';
import { tensorOf } from './fixtures/tensors';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const tokens = ['[CLS]', HOSTILE, 'cat'];
const L = 2, H = 2, N = 3, D = 4;
const SCALE = 0.5;
const ROW_H = settings.value.rowHeight; // 20
const CELL_W = 8; // cellWidthFor(4)

// Fixed q/k: values in {-1.5, -1, ..., 1.5}, exact in float32.
const qAt = (l: number, h: number, i: number, t: number): number => (((l * 7 + h * 5 + i * 3 + t * 2) % 7) - 3) / 2;
const kAt = (l: number, h: number, j: number, t: number): number => (((l * 3 + h * 2 + j * 5 + t * 3) % 5) - 2) / 2;
const vec = (f: (t: number) => number): number[] => Array.from({ length: D }, (_, t) => f(t));

/** scale * q.k, written out independently of the code under test. */
function score(l: number, h: number, i: number, j: number): number {
  return SCALE * vec(t => qAt(l, h, i, t) * kAt(l, h, j, t)).reduce((a, b) => a + b, 0);
}

/** The "model's" weights: softmax(scale * q.k + mask). */
function weights(l: number, h: number, i: number, causal: boolean): number[] {
  const s = Array.from({ length: N }, (_, j) => (causal && j > i ? -Infinity : score(l, h, i, j)));
  const e = s.map(x => Math.exp(x - Math.max(...s)));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map(x => x / z);
}

function section(opts: { causal?: boolean; vectors?: boolean; key?: string } = {}): Section {
  const causal = opts.causal ?? false;
  const vectors = opts.vectors ?? true;
  return eager({
    key: opts.key ?? 'self',
    label: opts.key ?? 'Attention',
    attention: tensorOf([L, H, N, N], ([l, h, i, j]) => weights(l, h, i, causal)[j]),
    layers: [4, 5],
    heads: [2, 6], // include_heads: real ids differ from the slots
    queryTokens: tokens,
    keyTokens: tokens,
    queries: vectors ? tensorOf([L, H, N, D], ([l, h, i, t]) => qAt(l, h, i, t)) : null,
    keys: vectors ? tensorOf([L, H, N, D], ([l, h, j, t]) => kAt(l, h, j, t)) : null,
    scale: SCALE,
    causal
  });
}

function source(...secs: Section[]): SectionSource {
  return { sectionList: secs, section: k => secs.find(s => s.key === k), sentenceBStart: null };
}

// A recording 2D context per canvas: the image data of its last paint (one pixel per cell).
const painted = new Map<HTMLCanvasElement, ImageData>();

beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) {
    const canvas = this;
    return {
      fillStyle: '#000000',
      setTransform: (): void => undefined,
      clearRect: (): void => undefined,
      fillRect: (): void => undefined,
      createImageData: (width: number, height: number) => ({ data: new Uint8ClampedArray(width * height * 4), width, height }),
      putImageData: (image: ImageData): void => {
        painted.set(canvas, image);
      }
    };
  } as unknown as HTMLCanvasElement['getContext'];
});

/** Which rows of a painted matrix have any opaque cell. */
function paintedRows(canvas: HTMLCanvasElement): number[] {
  const image = painted.get(canvas)!;
  const rows: number[] = [];
  for (let r = 0; r < image.height; r++) {
    const line = image.data.subarray(r * image.width * 4, (r + 1) * image.width * 4);
    if (line.some((v, i) => i % 4 === 3 && v > 0)) {
      rows.push(r);
    }
  }
  return rows;
}

afterEach(() => {
  document.body.innerHTML = '';
  painted.clear();
});

function mount(src: SectionSource = source(section())): { view: NeuronView; sel: Selection; root: HTMLElement } {
  const sel = new Selection({ section: src.sectionList[0].key, layer: 4, nHeads: H });
  const view = new NeuronView(src, sel);
  document.body.appendChild(view.element);
  return { view, sel, root: view.element };
}

const all = (root: HTMLElement, css: string): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>(css));
const queryToken = (root: HTMLElement, i: number): HTMLElement =>
  root.querySelector<HTMLElement>(`.attnscope-token[data-side="query"][data-index="${i}"]`)!;
const texts = (root: HTMLElement, role: string): string[] =>
  all(root, `.attnscope-neuron-row [data-role="${role}"]`).map(e => e.textContent ?? '');
const over = (el: Element): boolean => el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
const leave = (root: HTMLElement): boolean => root.querySelector('.attnscope-neuron-body')!.dispatchEvent(new MouseEvent('mouseleave'));
const tooltip = (root: HTMLElement): HTMLElement => root.querySelector<HTMLElement>('.attnscope-tooltip')!;

function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change'));
}

describe('NeuronView', () => {
  it('renders one row per key, the query tokens and the controls, then reports ready', () => {
    const { root } = mount();
    expect(root.classList.contains('attnscope-view')).toBe(true);
    expect(root.classList.contains('attnscope-neuron')).toBe(true);
    expect(root.dataset.state).toBe('ready');
    expect(all(root, '.attnscope-neuron-row').map(r => r.dataset.index)).toEqual(['0', '1', '2']);
    expect(all(root, '.attnscope-token[data-side="query"]')).toHaveLength(N);
    const heads = all(root, '.attnscope-neuron-head-select option');
    expect(heads.map(o => [o.getAttribute('value'), o.textContent])).toEqual([['0', '2'], ['1', '6']]);
    expect(all(root, '.attnscope-layer-select option').map(o => o.textContent)).toEqual(['4', '5']);
    expect(root.dataset.layer).toBe('4');
    expect(root.dataset.head).toBe('2');
    // no query yet: a hint, empty numbers, only the key vectors drawn
    expect(root.dataset.query).toBe('');
    expect(root.querySelector<HTMLElement>('.attnscope-neuron-hint')!.hidden).toBe(false);
    expect(texts(root, 'dot')).toEqual(['', '', '']);
    expect(root.dataset.cells).toBe(String(N * D));
    // the q/k legend is symmetric around zero with m = max |q|, |k| of this head
    const legend = root.querySelector<HTMLElement>('.attnscope-neuron-legend[data-role="vectors"]')!;
    expect(Number(legend.dataset.max)).toBe(1.5);
    expect(Number(legend.dataset.min)).toBe(-1.5);
    expect(legend.textContent).toContain('-1.5');
  });

  it('labels the query vector row on the left, apart from the first key row (issue 16, item 11)', () => {
    const { root } = mount();
    const body = root.querySelector('.attnscope-neuron-body')!;
    const cells = Array.from(body.children) as HTMLElement[];
    const qRow = cells.findIndex(c => c.classList.contains('attnscope-neuron-qrow'));
    // the grid has two columns: the cell left of the query vector row is its label
    expect(qRow % 2).toBe(1);
    expect(cells[qRow - 1].classList.contains('attnscope-neuron-qrow-label')).toBe(true);
    expect(cells[qRow - 1].textContent).toBe('query q');
    // the key rows are in the next grid row, not in the query vector's
    expect(cells[qRow + 2].classList.contains('attnscope-neuron-table')).toBe(true);
  });

  it('hovering a query token shows its q.k scores and the model softmax row', () => {
    const { root, sel } = mount();
    over(queryToken(root, 1));
    expect(sel.state.hovered).toEqual({ side: 'query', index: 1 });
    expect(root.dataset.query).toBe('1');
    expect(texts(root, 'dot')).toEqual([0, 1, 2].map(j => formatWeight(score(0, 0, 1, j))));
    expect(texts(root, 'softmax')).toEqual(weights(0, 0, 1, false).map(formatWeight));
    expect(all(root, '.attnscope-token.is-focused').map(e => e.dataset.index)).toEqual(['1']);
    expect(root.querySelector('.attnscope-neuron-qlabel')!.textContent).toBe(`query 1: ${HOSTILE}`);
    expect(root.querySelector<HTMLElement>('.attnscope-neuron-hint')!.hidden).toBe(true);
    // q (1 x d) + keys (N x d) + q*k (N x d)
    expect(root.dataset.cells).toBe(String(D + 2 * N * D));
    expect(root.querySelector('.attnscope-neuron-status')!.textContent).toMatch(/max \|\u0394\| = \d/);
    const products = root.querySelector<HTMLElement>('.attnscope-neuron-legend[data-role="products"]')!;
    expect(Number(products.dataset.min)).toBe(-Number(products.dataset.max));
    leave(root);
    expect(sel.state.hovered).toBeNull();
    expect(root.dataset.query).toBe('');
  });

  it('a pinned query stays; hover overrides it while it lasts; a focused key keeps the pinned query', () => {
    const { root, sel } = mount();
    queryToken(root, 2).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(sel.state.pinned).toEqual({ side: 'query', index: 2 });
    leave(root);
    expect(root.dataset.query).toBe('2');
    expect(queryToken(root, 2).classList.contains('is-pinned')).toBe(true);
    over(queryToken(root, 0));
    expect(root.dataset.query).toBe('0');
    sel.hover({ side: 'key', index: 1 }); // e.g. from the head view
    expect(root.dataset.query).toBe('2');
    expect(all(root, '.attnscope-neuron-row.is-focused').map(r => r.dataset.index)).toEqual(['1']);
  });

  it('tokens are reachable from the keyboard', () => {
    const { root, sel } = mount();
    queryToken(root, 0).focus();
    expect(root.dataset.query).toBe('0');
    queryToken(root, 0).dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(queryToken(root, 1));
    expect(root.dataset.query).toBe('1');
    queryToken(root, 1).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sel.state.pinned).toEqual({ side: 'query', index: 1 });
    queryToken(root, 1).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(sel.state.pinned).toBeNull();
  });

  it('the head select opens that head; the layer select moves the open head', () => {
    const { root, sel } = mount();
    sel.pin({ side: 'query', index: 0 });
    choose(root.querySelector<HTMLSelectElement>('.attnscope-neuron-head-select')!, '1');
    expect(sel.state.openHead).toEqual({ layer: 4, head: 1 });
    expect(root.dataset.head).toBe('6');
    expect(texts(root, 'dot')).toEqual([0, 1, 2].map(j => formatWeight(score(0, 1, 0, j))));
    choose(root.querySelector<HTMLSelectElement>('.attnscope-layer-select')!, '5');
    expect(sel.state.layer).toBe(5);
    expect(sel.state.openHead).toEqual({ layer: 5, head: 1 });
    expect(root.dataset.layer).toBe('5');
    expect(texts(root, 'softmax')).toEqual(weights(1, 1, 0, false).map(formatWeight));
  });

  it('follows the open head, the layer and the active heads set elsewhere', () => {
    const { root, sel } = mount();
    sel.setOpenHead({ layer: 5, head: 1 });
    expect([root.dataset.layer, root.dataset.head]).toEqual(['5', '6']);
    expect(root.querySelector<HTMLSelectElement>('.attnscope-neuron-head-select')!.value).toBe('1');
    sel.setOpenHead(null);
    expect([root.dataset.layer, root.dataset.head]).toEqual(['4', '2']);
    sel.setHeads([1]);
    expect(root.dataset.head).toBe('6');
    sel.setLayer(5);
    expect(root.dataset.layer).toBe('5');
    expect(root.querySelector<HTMLSelectElement>('.attnscope-layer-select')!.value).toBe('5');
  });

  it('a causal section hides the future keys of the focused query', () => {
    const { root, sel } = mount(source(section({ causal: true })));
    sel.pin({ side: 'query', index: 0 });
    expect(all(root, '.attnscope-neuron-row.is-masked').map(r => r.dataset.index)).toEqual(['1', '2']);
    expect(texts(root, 'dot')).toEqual([formatWeight(score(0, 0, 0, 0)), '\u2013', '\u2013']);
    expect(texts(root, 'softmax')).toEqual(['1.0000', '\u2013', '\u2013']);
    // only the visible key is drawn, in k and in q*k
    expect(root.dataset.cells).toBe(String(3 * D));
    const keys = root.querySelector<HTMLCanvasElement>('.attnscope-neuron-keys')!;
    const products = root.querySelector<HTMLCanvasElement>('.attnscope-neuron-products')!;
    expect([keys.width, keys.height, keys.style.width, keys.style.height]).toEqual([D, N, `${D * CELL_W}px`, `${N * ROW_H}px`]);
    expect(paintedRows(keys)).toEqual([0]);
    expect(paintedRows(products)).toEqual([0]);
    sel.pin({ side: 'query', index: 2 });
    expect(all(root, '.attnscope-neuron-row.is-masked')).toHaveLength(0);
    expect(paintedRows(keys)).toEqual([0, 1, 2]);
    expect(texts(root, 'softmax')).toEqual(weights(0, 0, 2, true).map(formatWeight));
    expect(root.dataset.cells).toBe(String(D + 2 * N * D));
  });

  it('hovering a vector cell shows its exact value, token and dimension', () => {
    const { root } = mount();
    over(queryToken(root, 1));
    const at = (css: string, row: number, dim: number): void => {
      root.querySelector(css)!.dispatchEvent(new MouseEvent('mousemove', { clientX: dim * CELL_W + 1, clientY: row * ROW_H + 5 }));
    };
    at('.attnscope-neuron-products', 2, 3);
    const tip = tooltip(root);
    expect(tip.hidden).toBe(false);
    const q = qAt(0, 0, 1, 3), k = kAt(0, 0, 2, 3);
    expect(tip.textContent).toContain('key 2: cat');
    expect(tip.textContent).toContain(`q[3] \u00d7 k[3] = ${q} \u00d7 ${k}`);
    expect(tip.textContent).toContain(`= ${q * k}`);
    at('.attnscope-neuron-keys', 0, 1);
    expect(tip.textContent).toBe(`key 0: [CLS]k[1] = ${kAt(0, 0, 0, 1)}`);
    at('.attnscope-neuron-q', 0, 2);
    expect(tip.textContent).toBe(`query 1: ${HOSTILE}q[2] = ${qAt(0, 0, 1, 2)}`);
    root.querySelector('.attnscope-neuron-q')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(tip.hidden).toBe(true);
    over(root.querySelector('.attnscope-neuron-row[data-index="2"] [data-role="softmax"]')!);
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toContain('softmax from the model = ');
    expect(tip.textContent).toContain('softmax recomputed here = ');
  });

  it('says how to get vectors when the section has none, and recovers on another section', () => {
    const { root, sel } = mount(source(section({ vectors: false, key: 'encoder' }), section({ key: 'decoder' })));
    expect(root.dataset.state).toBe('error');
    const message = root.querySelector<HTMLElement>('.attnscope-message')!;
    expect(message.hidden).toBe(false);
    expect(message.textContent).toContain('neuron_view(model, tokenizer, text)');
    expect(message.textContent).toContain('with_vectors=True');
    expect(root.querySelector<HTMLElement>('.attnscope-neuron-body')!.hidden).toBe(true);
    const sections = root.querySelector<HTMLSelectElement>('.attnscope-section-select')!;
    expect(sections.parentElement!.hidden).toBe(false);
    choose(sections, 'decoder');
    expect(sel.state.section).toBe('decoder');
    expect(root.dataset.state).toBe('ready');
    expect(message.hidden).toBe(true);
    expect(all(root, '.attnscope-neuron-row')).toHaveLength(N);
  });

  it('shows tokens as text, never as HTML', () => {
    const { root } = mount();
    expect(queryToken(root, 1).textContent).toBe(HOSTILE.slice(0, 23) + '\u2026');
    expect(root.querySelector('.attnscope-neuron-row[data-index="1"] .attnscope-neuron-key')!.getAttribute('title')).toBe(HOSTILE);
    expect(root.querySelector('img')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('dispose removes the element and stops listening', () => {
    const { view, sel, root } = mount();
    view.dispose();
    expect(root.isConnected).toBe(false);
    sel.setLayer(5);
    sel.pin({ side: 'query', index: 0 });
    expect(root.dataset.layer).toBe('4');
    expect(root.dataset.query).toBe('');
  });
});
