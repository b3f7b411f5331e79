/**
 * @jest-environment jsdom
 */
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import * as links from '../analysis/links';
import { eager } from '../data/eager';
import { Section, SectionSource } from '../data/section';
import { DEFAULT_SETTINGS, settings } from '../config/settings';
import { HeadView } from '../views/head/view';

// n tokens, every query attends half to key 0 and half to itself (query 0: all to key 0).
function attention(heads: number, n: number): Tensor {
  const data = new Float32Array(heads * n * n);
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < n; q++) {
      data[(h * n + q) * n] += 0.5;
      data[(h * n + q) * n + q] += 0.5;
    }
  }
  return new Tensor(data, [1, heads, n, n]);
}

function source(heads: number, n: number, att: Tensor = attention(heads, n)): SectionSource {
  const tokens = Array.from({ length: n }, (_, i) => `t${i}`);
  const sec: Section = eager({ key: 'self', label: 'Attention', attention: att, layers: [0], heads: Array.from({ length: heads }, (_, h) => h), queryTokens: tokens, keyTokens: tokens, queries: null, keys: null, scale: null, causal: false });
  return { sectionList: [sec], section: k => (k === 'self' ? sec : undefined), sentenceBStart: null };
}

/** What a canvas shows since its last clear: line segments and filled rows. */
interface Drawing {
  clears: number;
  segs: number[][];
  rects: number[][];
}
const drawings = new Map<HTMLCanvasElement, Drawing>();
const drawingOf = (c: HTMLCanvasElement): Drawing => drawings.get(c) ?? { clears: 0, segs: [], rects: [] };

let frames: FrameRequestCallback[] = [];
function runFrames(): void {
  const now = frames;
  frames = [];
  now.forEach(cb => cb(0));
}

beforeAll(() => {
  // jsdom does no layout: the line area and the columns are 200 px wide
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 200 });
  // one recording context per canvas, as getContext('2d') returns the same context each time
  const contexts = new WeakMap<HTMLCanvasElement, CanvasRenderingContext2D>();
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) {
    const canvas = this;
    const known = contexts.get(canvas);
    if (known) {
      return known;
    }
    let path: number[][] = [];
    const d: Drawing = { clears: 0, segs: [], rects: [] };
    drawings.set(canvas, d);
    const ctx = {
      lineWidth: 1,
      strokeStyle: '',
      fillStyle: '',
      globalAlpha: 1,
      setTransform: () => undefined,
      clearRect: () => {
        d.clears++;
        d.segs = [];
        d.rects = [];
      },
      beginPath: () => (path = []),
      moveTo: (x: number, y: number) => path.push([x, y]),
      lineTo: (x: number, y: number) => path[path.length - 1].push(x, y),
      stroke: () => d.segs.push(...path),
      fillRect: (x: number, y: number, w: number, h: number) => d.rects.push([x, y, w, h])
    } as unknown as CanvasRenderingContext2D;
    contexts.set(canvas, ctx);
    return ctx;
  } as unknown as HTMLCanvasElement['getContext'];
  window.requestAnimationFrame = cb => frames.push(cb);
  window.cancelAnimationFrame = () => undefined;
});

const views: HeadView[] = [];

afterEach(() => {
  views.splice(0).forEach(v => v.dispose()); // no view of an earlier test repaints on a settings change
  document.body.innerHTML = '';
  frames = [];
  settings.update({ canvasThreshold: DEFAULT_SETTINGS.canvasThreshold });
  jest.restoreAllMocks();
});

interface Mounted {
  root: HTMLElement;
  sel: Selection;
  body: HTMLElement;
  linksCanvas: HTMLCanvasElement;
  focusCanvas: HTMLCanvasElement;
  queryStripes: HTMLCanvasElement;
  keyStripes: HTMLCanvasElement;
  scrollTo(top: number): void;
}

/** A head view whose body shows `viewHeight` px of rows (0: not laid out). */
function mount(heads: number, n: number, viewHeight: number, fixed?: { layer: number; heads: number[] }, att?: Tensor): Mounted {
  settings.update({ canvasThreshold: 100 });
  const sel = new Selection({ section: 'self', layer: 0, nHeads: heads });
  // the body's layout is set before the first paint, as a browser would have it
  const proto = HTMLElement.prototype;
  let scrollTop = 0;
  jest.spyOn(proto, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('attnscope-head-body') ? viewHeight : 0;
  });
  jest.spyOn(proto, 'scrollTop', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('attnscope-head-body') ? scrollTop : 0;
  });
  const view = new HeadView(source(heads, n, att), sel, fixed ? { fixed: () => fixed } : {});
  views.push(view);
  document.body.appendChild(view.element);
  const root = view.element;
  const body = root.querySelector<HTMLElement>('.attnscope-head-body')!;
  return {
    root,
    sel,
    body,
    linksCanvas: root.querySelector<HTMLCanvasElement>('.attnscope-links-canvas')!,
    focusCanvas: root.querySelector<HTMLCanvasElement>('.attnscope-focus-canvas')!,
    queryStripes: root.querySelector<HTMLCanvasElement>('.attnscope-column-query .attnscope-stripes')!,
    keyStripes: root.querySelector<HTMLCanvasElement>('.attnscope-column-key .attnscope-stripes')!,
    scrollTo(top: number) {
      scrollTop = top;
      body.dispatchEvent(new Event('scroll'));
    }
  };
}

const hover = (root: HTMLElement, side: string, i: number): void => {
  root.querySelector(`.attnscope-token[data-side="${side}"][data-index="${i}"]`)!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
};

describe('HeadView over many tokens', () => {
  it('makes canvases as tall as the visible rows plus overscan, not as the 10,240 px of rows', () => {
    const m = mount(2, 512, 600);
    expect(m.root.dataset.state).toBe('ready');
    expect(m.root.dataset.renderer).toBe('canvas');
    // per head: query 0 one line, every other query two
    expect(m.root.dataset.lines).toBe(String(2 * (1 + 511 * 2)));
    expect(m.root.querySelector<HTMLElement>('.attnscope-links')!.style.height).toBe('10240px');
    for (const c of [m.linksCanvas, m.queryStripes, m.keyStripes]) {
      expect([c.width, c.height, c.style.height, c.style.top]).toEqual([200, 1112, '1112px', '0px']);
    }
    // lines within [0, 1112] or crossing it: every query's line to key 0, the diagonal of rows 0..55
    const segs = drawingOf(m.linksCanvas).segs;
    expect(segs).toContainEqual([0, 10230, 200, 10]);
    expect(segs).toContainEqual([0, 1110, 200, 1110]);
    expect(segs).not.toContainEqual([0, 1130, 200, 1130]);
    expect(segs).toHaveLength(2 * (512 + 56 - 1));
  });

  it('on scroll redraws the band from the lines already collected, once per frame', () => {
    const m = mount(2, 512, 600);
    const collect = jest.spyOn(links, 'collectLinks');
    const clears = drawingOf(m.linksCanvas).clears;
    m.scrollTo(4000);
    m.scrollTo(4500);
    m.scrollTo(5000);
    expect(frames).toHaveLength(1);
    runFrames();
    expect(collect).not.toHaveBeenCalled();
    expect(drawingOf(m.linksCanvas).clears).toBe(clears + 1);
    for (const c of [m.linksCanvas, m.queryStripes, m.keyStripes]) {
      expect([c.height, c.style.top]).toEqual([1112, '4744px']);
    }
    const segs = drawingOf(m.linksCanvas).segs;
    // query 511 to key 0: both ends outside [4744, 5856], drawn shifted by the band top
    expect(segs).toContainEqual([0, 10230 - 4744, 200, 10 - 4744]);
    // query 250 on its own row; query 100 to key 0 lies above the band
    expect(segs).toContainEqual([0, 5010 - 4744, 200, 5010 - 4744]);
    expect(segs).not.toContainEqual([0, 2010 - 4744, 200, 10 - 4744]);
    expect(m.root.dataset.lines).toBe(String(2 * (1 + 511 * 2)));
    expect(m.root.dataset.state).toBe('ready');

    // a short scroll inside the band: the canvases scroll with the rows, nothing is redrawn
    m.scrollTo(5200);
    runFrames();
    expect(drawingOf(m.linksCanvas).clears).toBe(clears + 1);
    expect(m.linksCanvas.style.top).toBe('4744px');
    // (the spy does see the paints that collect lines)
    hover(m.root, 'query', 250);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('hover redraws the lines and the stripes of the other column, reallocating no canvas', () => {
    const m = mount(2, 512, 600);
    m.scrollTo(5000);
    runFrames();
    const widths = jest.spyOn(HTMLCanvasElement.prototype, 'width', 'set');
    const heights = jest.spyOn(HTMLCanvasElement.prototype, 'height', 'set');
    const queryClears = drawingOf(m.queryStripes).clears;

    hover(m.root, 'query', 260);
    expect(m.root.dataset.focus).toBe('query:260');
    expect(m.root.dataset.lines).toBe('4');
    expect(m.root.dataset.renderer).toBe('svg');
    // stripes on the keys: key 0 is above the band, key 260 (y 5200..5220) in it
    expect(drawingOf(m.keyStripes).rects).toEqual([
      [0, 5201 - 4744, 100, 18],
      [100, 5201 - 4744, 100, 18]
    ]);
    expect(drawingOf(m.queryStripes).clears).toBe(queryClears);

    settings.update({ canvasThreshold: 1 });
    const keyClears = drawingOf(m.keyStripes).clears;
    hover(m.root, 'key', 0);
    expect(m.root.dataset.renderer).toBe('canvas');
    expect(m.root.dataset.lines).toBe(String(2 * 512));
    // the key column had stripes: cleared once, nothing drawn; the query column gets them
    expect(drawingOf(m.keyStripes).clears).toBe(keyClears + 1);
    expect(drawingOf(m.keyStripes).rects).toEqual([]);
    expect(drawingOf(m.queryStripes).rects).toHaveLength(2 * 56);
    expect(drawingOf(m.focusCanvas).segs).toContainEqual([0, 5010 - 4744, 200, 10 - 4744]);
    // 1,024 lines collected; drawn: those of queries 237 (y 4750) to 511, the others lie above the band
    expect(drawingOf(m.focusCanvas).segs).toHaveLength(2 * (512 - 237));
    expect(m.focusCanvas.hidden).toBe(false);
    expect(m.linksCanvas.classList.contains('is-covered')).toBe(true);

    m.root.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(m.root.dataset.focus).toBe('');
    expect(widths).not.toHaveBeenCalled();
    expect(heights).not.toHaveBeenCalled();
  });

  it('draws 2,048 tokens (40,960 px of rows) with canvases far under the 32,767 px limit', () => {
    const m = mount(1, 2048, 600);
    m.scrollTo(40_960 - 600);
    runFrames();
    for (const c of [m.linksCanvas, m.queryStripes, m.keyStripes]) {
      expect([c.height, c.style.top]).toEqual([1112, `${40_960 - 1112}px`]);
    }
    const segs = drawingOf(m.linksCanvas).segs;
    expect(segs).toContainEqual([0, 40_950 - 39_848, 200, 40_950 - 39_848]);
    expect(segs).toContainEqual([0, 40_950 - 39_848, 200, 10 - 39_848]);
    // 56 rows in the band: their diagonal and their lines to key 0
    expect(segs).toHaveLength(2 * 56);
  });

  it('keeps one canvas over every row of a short view, as before', () => {
    const m = mount(2, 4, 80);
    expect(m.root.dataset.renderer).toBe('svg');
    expect([m.queryStripes.height, m.queryStripes.style.top]).toEqual([80, '0px']);
    hover(m.root, 'query', 3);
    expect(drawingOf(m.keyStripes).rects.map(r => r[1])).toEqual([1, 1, 61, 61]);
  });

  it('does the same in the single head the model view opens beside its grid', () => {
    const m = mount(2, 512, 400, { layer: 0, heads: [1] });
    expect(m.root.classList.contains('attnscope-open-head')).toBe(true);
    expect(m.root.dataset.heads).toBe('1');
    expect([m.linksCanvas.height, m.linksCanvas.style.top]).toEqual([912, '0px']);
    m.scrollTo(3000);
    runFrames();
    expect([m.linksCanvas.height, m.linksCanvas.style.top]).toEqual([912, '2744px']);
    expect(drawingOf(m.linksCanvas).segs).toContainEqual([0, 3010 - 2744, 200, 3010 - 2744]);
  });

  it('without a layout (body height 0) still draws every row up to the cap', () => {
    const m = mount(2, 100, 0);
    expect([m.linksCanvas.height, m.linksCanvas.style.top]).toEqual([2000, '0px']);
  });
});

// Rows as a trained model has them: one key takes 0.9, the other 0.1 is spread over every key.
function peaked(heads: number, n: number): Tensor {
  const data = new Float32Array(heads * n * n).fill(0.1 / n);
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < n; q++) {
      data[(h * n + q) * n + ((q + h) % n)] += 0.9;
    }
  }
  return new Tensor(data, [1, heads, n, n]);
}

describe('work per hover (issue 14: a hover repainted 12 x 512 lines that change no pixel)', () => {
  it('strokes only the focused lines that show at 8-bit alpha; the others stay counted in data-lines', () => {
    const m = mount(12, 512, 600, undefined, peaked(12, 512));
    settings.update({ canvasThreshold: 1 });
    for (const q of [3, 40, 41]) {
      hover(m.root, 'query', q);
      expect(m.root.dataset.focus).toBe(`query:${q}`);
      expect(m.root.dataset.renderer).toBe('canvas');
      // every weight is > 0: 12 heads x 512 keys collected (the tooltip and exports keep them)
      expect(m.root.dataset.lines).toBe(String(12 * 512));
      // alpha 0.1 / 512 / 12 rounds to level 0; the 0.9 keys' alpha 0.9 / 12 to level 19
      expect(m.root.dataset.stroked).toBe('12');
      expect(drawingOf(m.focusCanvas).segs.length).toBeLessThanOrEqual(12);
    }
  });

  it('strokes a line of level 1 (alpha 0.5 / 255 rounds up), not one of 0.49 / 255', () => {
    const n = 4;
    const data = new Float32Array(n * n);
    for (let q = 0; q < n; q++) {
      data.set([1 - 0.5 / 255 - 0.49 / 255, 0.5 / 255, 0.49 / 255, 0], q * n);
    }
    const m = mount(1, n, 80, undefined, new Tensor(data, [1, 1, n, n]));
    settings.update({ canvasThreshold: 0 });
    hover(m.root, 'query', 2);
    expect(m.root.dataset.lines).toBe('3');
    expect(m.root.dataset.stroked).toBe('2');
    expect(drawingOf(m.focusCanvas).segs).toEqual([[0, 50, 200, 10], [0, 50, 200, 30]]);
  });

  it('leaving a token shows the base lines again without drawing them again', () => {
    const m = mount(12, 512, 600, undefined, peaked(12, 512));
    settings.update({ canvasThreshold: 1 });
    const collect = jest.spyOn(links, 'collectLinks');
    const base = drawingOf(m.linksCanvas);
    const baseClears = base.clears;
    const baseSegs = base.segs.length;
    expect(baseSegs).toBeGreaterThan(12 * 56); // every query's 0.9 line crossing the band, at least
    const body = m.root.querySelector('.attnscope-head-body')!;
    for (const q of [5, 6, 7]) {
      hover(m.root, 'query', q);
      expect(m.linksCanvas.classList.contains('is-covered')).toBe(true);
      body.dispatchEvent(new MouseEvent('mouseleave'));
      expect(m.root.dataset.focus).toBe('');
      expect(m.linksCanvas.classList.contains('is-covered')).toBe(false);
      expect(m.focusCanvas.hidden).toBe(true);
    }
    // three hovers collected their own lines; the three leaves reused the base batch and its pixels
    expect(collect).toHaveBeenCalledTimes(3);
    expect(drawingOf(m.linksCanvas).clears).toBe(baseClears);
    expect(drawingOf(m.linksCanvas).segs).toHaveLength(baseSegs);
    // unfocused, only lines of alpha >= 1/255 are collected: each query's 0.9 key in each of 12 heads
    expect(m.root.dataset.lines).toBe(String(12 * 512));
  });

  it('draws the base again after a scroll moved the band while a token was focused', () => {
    const m = mount(2, 512, 600);
    settings.update({ canvasThreshold: 1 });
    const clears = drawingOf(m.linksCanvas).clears;
    hover(m.root, 'query', 3);
    m.scrollTo(5000);
    runFrames();
    m.root.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(drawingOf(m.linksCanvas).clears).toBe(clears + 1);
    expect(m.linksCanvas.style.top).toBe('4744px');
    expect(drawingOf(m.linksCanvas).segs).toContainEqual([0, 5010 - 4744, 200, 5010 - 4744]);
  });
});
