/**
 * @jest-environment jsdom
 */
import { decodeSections } from '../data/sections';
import { EagerFields, eager } from '../data/eager';
import { Section, SectionSource } from '../data/section';
import { SliceStore } from '../data/slice-store';
import { matrixSvg } from '../export/matrix-svg';
import { PALETTES } from '../export/svg';
import { mountViews } from '../registry';
import { colormapTable } from '../render/colormap';
import { displayText } from '../render/tokens';
import { Selection } from '../selection/state';
import { settings } from '../config/settings';
import { Tensor } from '../wire/tensor';
import { MatrixView } from '../views/matrix/view';
import { FetchRequest } from '../wire/messages';
import { ViewOptions, DEFAULT_VIEW_OPTIONS } from '../wire/view-options';
import { lazySection, reply } from './fixtures/lazy';
import { attention, parse } from './fixtures/svg';

/** jsdom has no 2D canvas: a fake context that records the one image drawn. */
interface FakeCtx {
  images: { width: number; height: number; data: Uint8ClampedArray }[];
  drawn: number[][];
  imageSmoothingEnabled: boolean;
}
const contexts = new Map<HTMLCanvasElement, FakeCtx>();
beforeAll(() => {
  // no PNG encoder in jsdom either: toDataURL gives an empty data URL, the export falls back to rectangles
  HTMLCanvasElement.prototype.toDataURL = () => 'data:,';
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) {
    let ctx = contexts.get(this);
    if (!ctx) {
      const c: FakeCtx & Record<string, unknown> = {
        images: [],
        drawn: [],
        imageSmoothingEnabled: true,
        createImageData: (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) }),
        putImageData: (img: FakeCtx['images'][number]) => c.images.push(img),
        drawImage: (_src: unknown, ...args: number[]) => c.drawn.push(args),
        setTransform: () => undefined,
        clearRect: () => undefined
      };
      ctx = c;
      contexts.set(this, ctx);
    }
    return ctx;
  } as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => {
  document.body.innerHTML = '';
  contexts.clear();
});

const HOSTILE = '<img src=x onerror=alert(1)>';
const TOKENS = ['[CLS]', 'the', 'play', '##ing', HOSTILE, 'it', '[SEP]'];
const N = TOKENS.length;
const WORDS = { query: [0, 1, 2, 2, 3, 4, 5], key: [0, 1, 2, 2, 3, 4, 5], queryLabels: ['[CLS]', 'the', 'playing', HOSTILE, 'it', '[SEP]'], keyLabels: ['[CLS]', 'the', 'playing', HOSTILE, 'it', '[SEP]'] };

function sectionOf(over: Partial<EagerFields> = {}): Section {
  return eager({ key: 'self', label: 'Attention', attention: attention(2, 3, N, N), layers: [4, 5], heads: [0, 1, 2], queryTokens: TOKENS, keyTokens: TOKENS, ...over });
}

function sourceOf(secs: Section[], viewOptions?: ViewOptions): SectionSource {
  return { sectionList: secs, section: k => secs.find(s => s.key === k), sentenceBStart: null, viewOptions };
}

function mount(secs: Section[] = [sectionOf()], viewOptions?: ViewOptions, nHeads = 3) {
  const sel = new Selection({ section: secs[0].key, layer: 4, nHeads });
  const view = new MatrixView(sourceOf(secs, viewOptions), sel);
  document.body.appendChild(view.element);
  return { view, sel, root: view.element, sec: secs[0] };
}

const labels = (root: HTMLElement, side: string): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>(`.attnscope-token[data-side="${side}"]`));
const canvasOf = (root: HTMLElement): HTMLCanvasElement => root.querySelector<HTMLCanvasElement>('.attnscope-matrix-canvas')!;
const mean3 = (sec: Section, q: number, k: number, layer = 0): number => [0, 1, 2].reduce((a, h) => a + sec.attention!.get(layer, h, q, k), 0) / 3;
/** Mouse at the centre of cell (row, col); the canvas sits at (0, 0) in jsdom, cells are 28 px. */
function mouse(root: HTMLElement, type: string, row: number, col: number, extra: MouseEventInit = {}): void {
  canvasOf(root).dispatchEvent(new MouseEvent(type, { bubbles: true, clientX: col * 28 + 14, clientY: row * 28 + 14, ...extra }));
}

describe('MatrixView', () => {
  it('draws the mean of the heads as one image with token labels on both axes', () => {
    const { root } = mount();
    expect(root.classList.contains('attnscope-matrix')).toBe(true);
    expect(root.dataset).toMatchObject({ state: 'ready', source: 'mean', colormap: 'viridis', scale: 'linear', cells: String(N * N), exact: 'true', layer: '4', group: 'token', zoom: `0,${N},0,${N}`, focus: '' });
    expect(labels(root, 'query').map(e => e.dataset.index)).toEqual(TOKENS.map((_, i) => String(i)));
    expect(labels(root, 'key').map(e => e.textContent)).toEqual(TOKENS.map(t => displayText(t, 24)));
    const off = [...contexts.entries()].find(([c]) => c !== canvasOf(root))![1];
    expect(off.images).toHaveLength(1);
    expect([off.images[0].width, off.images[0].height]).toEqual([N, N]);
    const vis = contexts.get(canvasOf(root))!;
    expect(vis.imageSmoothingEnabled).toBe(false);
    expect(vis.drawn).toHaveLength(1);
    expect(root.querySelectorAll('.attnscope-matrix-plot > *')).toHaveLength(5);
    expect(canvasOf(root).tabIndex).toBe(0);
    expect(canvasOf(root).getAttribute('aria-label')).toMatch(/queries/);
  });

  it('offers mean, max and each head; picking one repaints that head', () => {
    const { root, sec } = mount();
    const select = root.querySelector<HTMLSelectElement>('.attnscope-source-select')!;
    expect(Array.from(select.options).map(o => o.textContent)).toEqual(['mean of active heads', 'max of active heads', 'head 0', 'head 1', 'head 2']);
    select.value = 'head:1';
    select.dispatchEvent(new Event('change'));
    expect(root.dataset.source).toBe('head:1');
    mouse(root, 'mousemove', 2, 5);
    const title = root.querySelector('.attnscope-tooltip-title')!.textContent;
    expect(title).toBe(`${sec.attention!.get(0, 1, 2, 5).toFixed(4)} \u00b7 play \u2192 it`);
  });

  it('colour map and scale from view_options, else the default; the selects change them', () => {
    const { root } = mount([sectionOf()], { ...DEFAULT_VIEW_OPTIONS, colormap: 'magma', scale: 'log', group: 'token' });
    expect(root.dataset).toMatchObject({ colormap: 'magma', scale: 'log' });
    const ticks = Array.from(root.querySelectorAll('.attnscope-matrix-tick')).map(t => t.textContent);
    expect(ticks[ticks.length - 1]).not.toBe('0');
    const cm = root.querySelector<HTMLSelectElement>('.attnscope-colormap-select')!;
    cm.value = 'greys';
    cm.dispatchEvent(new Event('change'));
    const sc = root.querySelector<HTMLSelectElement>('.attnscope-scale-select')!;
    sc.value = 'sqrt';
    sc.dispatchEvent(new Event('change'));
    expect(root.dataset).toMatchObject({ colormap: 'greys', scale: 'sqrt' });
    const off = [...contexts.entries()].find(([c]) => c !== canvasOf(root))![1];
    const last = off.images[off.images.length - 1].data;
    const greys = colormapTable('greys');
    expect(Array.from(greys.slice(0, 3))).toContain(255);
    expect(last[3]).toBe(255);
  });

  it('without view_options the user settings choose the colour map and scale', () => {
    settings.update({ matrixColormap: 'blues', matrixScale: 'sqrt' });
    try {
      expect(mount().root.dataset).toMatchObject({ colormap: 'blues', scale: 'sqrt' });
      expect(mount([sectionOf()], { ...DEFAULT_VIEW_OPTIONS, colormap: 'magma', scale: null, group: 'token' }).root.dataset).toMatchObject({ colormap: 'magma', scale: 'sqrt' });
    } finally {
      settings.update({ matrixColormap: 'viridis', matrixScale: 'linear' });
    }
  });

  it('draws a 2,048 x 2,048 head as one 2,048 x 2,048 image with thinned labels', () => {
    const n = 2048;
    const data = new Float32Array(n * n).map((_, i) => ((i * 2654435761) % 1000) / 1000 / n);
    const toks = Array.from({ length: n }, (_, i) => `t${i}`);
    const sec = sectionOf({ attention: new Tensor(data, [1, 1, n, n]), layers: [4], heads: [0], queryTokens: toks, keyTokens: toks });
    const t0 = Date.now();
    const { root } = mount([sec], undefined, 1);
    const ms = Date.now() - t0;
    expect(root.dataset).toMatchObject({ state: 'ready', cells: String(n * n), source: 'head:0' });
    const off = [...contexts.entries()].find(([c]) => c !== canvasOf(root))![1];
    expect([off.images[0].width, off.images[0].height]).toEqual([n, n]);
    expect(labels(root, 'query').length).toBeLessThanOrEqual(560 / 14 + 1);
    expect(ms).toBeLessThan(5000);
  });

  it('a Selection focus from any view highlights its row (query) or column (key)', () => {
    const { root, sel } = mount();
    sel.hover({ side: 'query', index: 3 });
    expect(root.dataset.focus).toBe('query:3');
    expect(root.dataset.crosshair).toBe('3,');
    expect(root.querySelector<HTMLElement>('.attnscope-matrix-row-band')!.hidden).toBe(false);
    expect(root.querySelector<HTMLElement>('.attnscope-matrix-col-band')!.hidden).toBe(true);
    sel.hover({ side: 'key', index: 2 });
    expect(root.dataset.focus).toBe('key:2');
    expect(root.dataset.crosshair).toBe(',2');
    expect(labels(root, 'key')[2].classList.contains('is-focused')).toBe(true);
    sel.hover(null);
    expect(root.dataset.focus).toBe('');
  });

  it('hovering a cell hovers its query in the Selection, with the crosshair and the tooltip; click pins', () => {
    const { root, sel, sec } = mount();
    mouse(root, 'mousemove', 5, 2);
    expect(sel.state.hovered).toEqual({ side: 'query', index: 5 });
    expect(root.dataset.crosshair).toBe('5,2');
    expect(root.querySelector('.attnscope-tooltip-title')!.textContent).toBe(`${mean3(sec, 5, 2).toFixed(4)} \u00b7 it \u2192 play`);
    mouse(root, 'mousedown', 5, 2, { button: 0 });
    mouse(root, 'mouseup', 5, 2);
    expect(sel.state.pinned).toEqual({ side: 'query', index: 5 });
    canvasOf(root).dispatchEvent(new MouseEvent('mouseleave'));
    expect(sel.state.hovered).toBeNull();
    expect(root.dataset.focus).toBe('query:5');
    // hovering an axis label hovers that token on its side
    labels(root, 'key')[1].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(sel.state.hovered).toEqual({ side: 'key', index: 1 });
    labels(root, 'key')[1].dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(sel.state.pinned).toEqual({ side: 'key', index: 1 });
  });

  it('keyboard: arrows move a cell cursor with the tooltip, Enter pins, Escape unpins', () => {
    const { root, sel } = mount();
    const c = canvasOf(root);
    c.dispatchEvent(new FocusEvent('focus'));
    expect(sel.state.hovered).toEqual({ side: 'query', index: 0 });
    const key = (k: string): boolean => c.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    key('ArrowDown');
    key('ArrowDown');
    key('ArrowRight');
    expect(sel.state.hovered).toEqual({ side: 'query', index: 2 });
    expect(root.dataset.crosshair).toBe('2,1');
    expect(root.querySelector<HTMLElement>('.attnscope-matrix-cursor')!.hidden).toBe(false);
    expect(root.querySelector('.attnscope-tooltip-title')!.textContent).toMatch(/play \u2192 the$/);
    key('Enter');
    expect(sel.state.pinned).toEqual({ side: 'query', index: 2 });
    key('Escape');
    expect(sel.state.pinned).toBeNull();
  });

  it('zoom: a dragged rectangle, the wheel and reset; axes follow the window', () => {
    const big = 40;
    const toks = Array.from({ length: big }, (_, i) => `t${i}`);
    const { root } = mount([sectionOf({ attention: attention(2, 3, big, big), queryTokens: toks, keyTokens: toks })]);
    expect(root.dataset.zoom).toBe(`0,${big},0,${big}`);
    // 40 cells in 560 px: 14 px cells, every label shown
    expect(labels(root, 'query')).toHaveLength(big);
    const at = (row: number, col: number): MouseEventInit => ({ clientX: col * 14 + 7, clientY: row * 14 + 7 });
    const c = canvasOf(root);
    c.dispatchEvent(new MouseEvent('mousedown', { button: 0, ...at(10, 20) }));
    c.dispatchEvent(new MouseEvent('mousemove', at(15, 29)));
    expect(root.querySelector<HTMLElement>('.attnscope-matrix-drag')!.hidden).toBe(false);
    c.dispatchEvent(new MouseEvent('mouseup', at(15, 29)));
    expect(root.dataset.zoom).toBe('10,16,20,30');
    expect(root.dataset.cells).toBe(String(6 * 10));
    expect(labels(root, 'query').map(e => e.dataset.index)).toEqual(['10', '11', '12', '13', '14', '15']);
    expect(labels(root, 'key')[0].dataset.index).toBe('20');
    const reset = root.querySelector<HTMLButtonElement>('.attnscope-matrix-reset')!;
    expect(reset.disabled).toBe(false);
    reset.click();
    expect(root.dataset.zoom).toBe(`0,${big},0,${big}`);
    c.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, cancelable: true, ...at(20, 20) }));
    expect(root.dataset.zoom).toBe('4,36,4,36');
  });

  it('thins the labels when cells are smaller than a label', () => {
    const big = 200;
    const toks = Array.from({ length: big }, (_, i) => `t${i}`);
    const { root } = mount([sectionOf({ attention: attention(1, 1, big, big), layers: [4], heads: [0], queryTokens: toks, keyTokens: toks })], undefined, 1);
    // 200 cells in 560 px = 2.8 px: every 5th label
    expect(labels(root, 'query')).toHaveLength(40);
    expect(labels(root, 'query')[1].dataset.index).toBe('5');
    expect(labels(root, 'key')[1].title).toBe('t5');
    expect(root.dataset.cells).toBe(String(big * big));
  });

  it('rollout sections: "rollout through layer N" and the one head by default', () => {
    const roll = sectionOf({ key: 'rollout', label: 'Rollout', attention: attention(2, 1, N, N), heads: [0], derived: 'rollout', derivedFrom: 'self', headLabels: ['rollout'] });
    const { root } = mount([roll], undefined, 1);
    const opts = Array.from(root.querySelectorAll<HTMLOptionElement>('.attnscope-layer-select option')).map(o => o.textContent);
    expect(opts).toEqual(['rollout through layer 4', 'rollout through layer 5']);
    expect(root.dataset.source).toBe('head:0');
    expect(root.querySelector('.attnscope-matrix-caption')!.textContent).toMatch(/^rollout, rollout through layer 4/);
  });

  it('words: the toggle groups rows and columns into words (initially from view_options)', () => {
    const sec = sectionOf({ words: WORDS });
    const { root } = mount([sec], { ...DEFAULT_VIEW_OPTIONS, colormap: null, scale: null, group: 'word' });
    const toggle = root.querySelector<HTMLButtonElement>('.attnscope-words-toggle')!;
    expect(toggle.hidden).toBe(false);
    expect(root.dataset.group).toBe('word');
    expect(root.dataset.cells).toBe('36');
    expect(labels(root, 'query').map(e => e.textContent)).toEqual(WORDS.queryLabels.map(t => displayText(t, 24)));
    expect(labels(root, 'key')[3].dataset.index).toBe('4');
    mouse(root, 'mousemove', 2, 2);
    // the word "playing" attends to itself: mean over its 2 queries of the sum over its 2 keys
    const w = (mean3(sec, 2, 2) + mean3(sec, 2, 3) + mean3(sec, 3, 2) + mean3(sec, 3, 3)) / 2;
    expect(root.querySelector('.attnscope-tooltip-title')!.textContent).toBe(`${w.toFixed(4)} \u00b7 playing \u2192 playing`);
    toggle.click();
    expect(root.dataset.group).toBe('token');
    expect(root.dataset.cells).toBe(String(N * N));
    expect(mount([sectionOf()]).root.querySelector<HTMLButtonElement>('.attnscope-words-toggle')!.hidden).toBe(true);
  });

  it('follows the Selection layer and the open head; the layer picker sets the layer', () => {
    const { root, sel, sec } = mount();
    sel.setLayer(5);
    expect(root.dataset.layer).toBe('5');
    sel.setOpenHead({ layer: 5, head: 2 });
    expect(root.dataset.source).toBe('head:2');
    mouse(root, 'mousemove', 1, 1);
    expect(root.querySelector('.attnscope-tooltip-title')!.textContent).toBe(`${sec.attention!.get(1, 2, 1, 1).toFixed(4)} · the → the`);
    const layer = root.querySelector<HTMLSelectElement>('.attnscope-layer-select')!;
    layer.value = '4';
    layer.dispatchEvent(new Event('change'));
    expect(sel.state.layer).toBe(4);
    expect(root.dataset).toMatchObject({ layer: '4', source: 'mean' });
  });

  it('keeps hostile tokens as text', () => {
    const { root } = mount();
    const l = labels(root, 'query')[4];
    expect(l.textContent).toBe(displayText(HOSTILE, 24));
    expect(l.title).toBe(HOSTILE);
    expect(root.querySelector('img')).toBeNull();
  });

  it('lazy sections: paints the pooled summary at once, then the exact weights when the slices come', () => {
    const d = decodeSections([lazySection({ n: 100, r: 64 })]);
    if (!d.ok) {
      throw new Error(d.error);
    }
    const store = d.store as SliceStore;
    const sent: FetchRequest[] = [];
    store.attach({ send: req => (sent.push(req), true) });
    const src: SectionSource = { sectionList: d.sections, section: k => d.sections.find(s => s.key === k), sentenceBStart: null, onData: fn => store.subscribe(fn) };
    const sel = new Selection({ section: 'self', layer: 3, nHeads: 2 });
    const view = new MatrixView(src, sel);
    document.body.appendChild(view.element);
    const root = view.element;
    expect(root.dataset).toMatchObject({ state: 'ready', exact: 'false', cells: String(64 * 64) });
    expect(root.querySelector('.attnscope-matrix-caption')!.textContent).toMatch(/pooled summary/);
    expect(sent[0]).toMatchObject({ type: 'fetch', section: 'self', layer: 3, heads: [4, 9] });
    // a zoom into the pooled cells is dropped when the exact matrix (other cells) arrives
    canvasOf(root).dispatchEvent(new WheelEvent('wheel', { deltaY: -100, cancelable: true, clientX: 100, clientY: 100 }));
    expect(root.dataset.zoom).not.toBe('0,64,0,64');
    const { content, buffers } = reply(sent[0], 100);
    store.receive(content, buffers);
    expect(root.dataset).toMatchObject({ state: 'ready', exact: 'true', cells: String(100 * 100), zoom: '0,100,0,100' });
    view.dispose();
  });

  it('exports an SVG with the labels (escaped), the legend and the matrix', () => {
    const { view } = mount();
    const s = view.snapshot()!;
    const out = matrixSvg({ ...s, palette: PALETTES.light });
    expect(out.name).toBe('attnscope-matrix-L4-Hmean');
    expect(out.svg).not.toContain('<img');
    const doc = parse(out.svg);
    const q = Array.from(doc.querySelectorAll('.attnscope-token[data-side="query"]')).map(e => e.textContent);
    expect(q).toEqual(TOKENS.map(t => displayText(t, 24)));
    expect(doc.querySelectorAll('.attnscope-token[data-side="key"]')).toHaveLength(N);
    expect(doc.querySelector('[data-role="legend"]')!.getAttribute('data-colormap')).toBe('viridis');
    // jsdom cannot encode a PNG: the small window is drawn as rectangles
    expect(doc.querySelectorAll('[data-role="matrix"] rect')).toHaveLength(N * N + 1);
    expect(doc.querySelector('[data-role="focus"]')).toBeNull();
    const withImage = parse(matrixSvg({ ...s, image: 'data:image/png;base64,AAAA', palette: PALETTES.dark, focus: { side: 'key', index: 2 } }).svg);
    expect(withImage.querySelector('[data-role="focus"]')!.getAttribute('data-side')).toBe('key');
    expect(withImage.querySelectorAll('[data-role="matrix"] rect')).toHaveLength(2);
    expect(withImage.querySelector('image')!.getAttribute('href')).toBe('data:image/png;base64,AAAA');
  });

  it('mounts as "matrix" in the registry with an export button', () => {
    const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
    const container = document.createElement('div');
    const [h] = mountViews(container, sourceOf([sectionOf()]), sel, ['matrix'], null);
    expect(h.element.classList.contains('attnscope-matrix')).toBe(true);
    expect(h.element.querySelector('.attnscope-export')).not.toBeNull();
    h.dispose();
  });
});
