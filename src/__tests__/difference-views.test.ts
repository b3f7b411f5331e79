/**
 * @jest-environment jsdom
 */
/**
 * A comparison's difference section (B - A, attnscope.compare) as a user sees it: the diverging
 * scale (pure: positions, colours, ticks), the matrix view's legend, data attributes and signed
 * tooltip, the head view's gained (red) and lost (blue) lines with opacity |difference| / max, the
 * model view's diverging thumbnails, the text view's shading, the tokens that differ marked on every
 * axis, and the words a derived section's layer gets.
 */
import { eager } from '../data/eager';
import { isCumulative, isSigned, layerWords } from '../data/derived';
import { Section, SectionSource } from '../data/section';
import { absMax, divergingColor, divergingPixels, divergingRGBA, GAINED, LOST, signedPosition, signedTicks } from '../render/diverging';
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { HeadChoice } from '../analysis/aggregate';
import { keptChoice } from '../views/base';
import { HeadView } from '../views/head/view';
import { MatrixView } from '../views/matrix/view';
import { GridView } from '../views/model/view';
import { TextView } from '../views/text/view';

const TOKENS = ['the', 'trophy', 'was', 'large'];
/** [1 layer, 2 heads, 4, 4]: head 0 = D0 (signed), head 1 all zero */
const D0 = [
  [0.2, -0.1, 0, -0.1],
  [0, 0.4, -0.4, 0],
  [0, 0, 0, 0],
  [-0.05, 0, 0.05, 0]
];

function diff(): Section {
  const data = new Float32Array(2 * 16);
  D0.flat().forEach((v, i) => (data[i] = v));
  return eager({
    key: 'difference', label: 'small \u2212 large', attention: new Tensor(data, [1, 2, 4, 4]), layers: [0], heads: [0, 1],
    queryTokens: TOKENS, keyTokens: TOKENS, derived: 'difference', derivedFrom: 'b', params: { a: 'large', b: 'small' }, differingTokens: [3]
  });
}

function source(sec: Section): SectionSource {
  return { sectionList: [sec], section: k => (k === sec.key ? sec : undefined), sentenceBStart: null };
}

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 600 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

describe('the diverging scale', () => {
  it.each([
    [0, 1, 0.5, '#f7f7f7'],
    [1, 1, 1, '#67001f'],
    [-1, 1, 0, '#053061'],
    [0.5, 2, 0.625, null],
    [3, 1, 1, '#67001f'],
    [-0.3, 0, 0.5, '#f7f7f7']
  ])('v = %p on [-%p, %p]: position %p', (v, m, t, color) => {
    expect(signedPosition(v, m)).toBeCloseTo(t, 6);
    if (color) {
      expect(divergingColor(v, m)).toBe(color);
    }
  });
  it('is symmetric: equal changes of either sign are equally far from white', () => {
    for (const v of [0.1, 0.33, 0.8]) {
      expect(signedPosition(v, 1) - 0.5).toBeCloseTo(0.5 - signedPosition(-v, 1), 9);
    }
  });
  it('ticks -m .. m with signs; the largest |value|', () => {
    expect(signedTicks(0.4).map(t => [t.label, t.t])).toEqual([['-0.4', 0], ['-0.2', 0.25], ['0', 0.5], ['+0.2', 0.75], ['+0.4', 1]]);
    expect(absMax(Float32Array.from(D0.flat()))).toBeCloseTo(0.4, 6);
  });
  it('pixels: red where gained, blue where lost, transparent where nothing changed', () => {
    const px = divergingRGBA(Float32Array.from(D0.flat()), 4, { r0: 0, r1: 4, c0: 0, c1: 4 }, 0.4);
    const at = (r: number, c: number) => Array.from(px.slice((r * 4 + c) * 4, (r * 4 + c) * 4 + 4));
    expect(at(1, 1)).toEqual([103, 0, 31, 255]); // +0.4: #67001f
    expect(at(1, 2)).toEqual([5, 48, 97, 255]); // -0.4: #053061
    expect(at(2, 2)).toEqual([247, 247, 247, 255]); // 0: white in the matrix
    const thumb = divergingPixels(Float32Array.from(D0.flat()), 4, 4, 4, 4, 0.4);
    expect(thumb[(2 * 4 + 2) * 4 + 3]).toBe(0); // 0: transparent in a thumbnail
  });
});

describe('derived sections', () => {
  it.each([
    [null, 3, 'layer 3', false],
    ['rollout', 3, 'rollout through layer 3', true],
    ['gradient_rollout', 2, 'gradient rollout through layer 2', true],
    ['attention_x_gradient', 2, 'attention \u00d7 gradient, layer 2', false],
    ['difference', 1, 'difference, layer 1', false]
  ])('%s', (derived, layer, words, cumulative) => {
    expect(layerWords({ derived }, layer)).toBe(words);
    expect(isCumulative({ derived })).toBe(cumulative);
    expect(isSigned({ derived })).toBe(derived === 'difference');
  });
});

describe('views of a difference', () => {
  it('matrix view: the diverging legend, symmetric ticks, a signed tooltip, the differing token marked', () => {
    const sel = new Selection({ section: 'difference', layer: 0, nHeads: 2 });
    const view = new MatrixView(source(diff()), sel);
    document.body.appendChild(view.element);
    const root = view.element;
    root.querySelector<HTMLSelectElement>('.attnscope-source-select')!.value = 'head:0';
    root.querySelector<HTMLSelectElement>('.attnscope-source-select')!.dispatchEvent(new Event('change'));
    expect(root.dataset.colormap).toBe('rdbu');
    expect(root.dataset.scale).toBe('signed');
    expect(Number(root.dataset.max)).toBeCloseTo(0.4, 6);
    expect(Array.from(root.querySelectorAll('.attnscope-matrix-legend-ticks > *')).map(e => e.textContent)).toEqual(['-0.4', '-0.2', '0', '+0.2', '+0.4']);
    expect(root.querySelector<HTMLSelectElement>('.attnscope-colormap-select')!.disabled).toBe(true);
    expect(root.querySelector('.attnscope-matrix-legend-bar')!.getAttribute('title')).toContain('small \u2212 large: red where small gives more weight than large');
    const marked = Array.from(root.querySelectorAll<HTMLElement>('.attnscope-token.is-differing')).map(e => `${e.dataset.side}:${e.dataset.index}`);
    expect(marked.sort()).toEqual(['key:3', 'query:3']);
    root.querySelector<HTMLCanvasElement>('.attnscope-matrix-canvas')!.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: 1 * 28 + 14, clientY: 1 * 28 + 14 }));
    expect(root.querySelector('.attnscope-tooltip')!.textContent).toMatch(/^\+0\.4000 · trophy → trophy/);
    view.dispose();
  });

  it('head view: gained lines red, lost lines blue, opacity |difference| / max', () => {
    const sel = new Selection({ section: 'difference', layer: 0, nHeads: 2 });
    sel.setHeads([0]);
    const view = new HeadView(source(diff()), sel);
    document.body.appendChild(view.element);
    const root = view.element;
    expect(root.dataset.signed).toBe('true');
    const lines = Array.from(root.querySelectorAll('line')).map(l => [l.getAttribute('stroke'), Number(l.getAttribute('stroke-opacity'))] as const);
    const red = lines.filter(([c]) => c === GAINED).map(([, a]) => a).sort();
    const blue = lines.filter(([c]) => c === LOST).map(([, a]) => a).sort();
    expect(red).toEqual([0.125, 0.5, 1].map(v => expect.closeTo(v, 3)));
    expect(blue).toEqual([0.125, 0.25, 0.25, 1].map(v => expect.closeTo(v, 3)));
    expect(root.dataset.lines).toBe(String(red.length + blue.length));
    expect(Array.from(root.querySelectorAll<HTMLElement>('.attnscope-token.is-differing')).map(e => e.dataset.index)).toEqual(['3', '3']);
    view.dispose();
  });

  it('model view: thumbnails are diverging heatmaps, even for short inputs', () => {
    const sel = new Selection({ section: 'difference', layer: 0, nHeads: 2 });
    const view = new GridView(source(diff()), sel);
    document.body.appendChild(view.element);
    expect(view.element.dataset.signed).toBe('true');
    view.dispose();
  });

  it('text view: shading red where B gives more weight, blue where less', () => {
    const sel = new Selection({ section: 'difference', layer: 0, nHeads: 2 });
    const view = new TextView(source(diff()), sel);
    document.body.appendChild(view.element);
    const root = view.element;
    root.querySelector<HTMLSelectElement>('.attnscope-source-select')!.value = 'head:0';
    root.querySelector<HTMLSelectElement>('.attnscope-source-select')!.dispatchEvent(new Event('change'));
    sel.pin({ side: 'query', index: 1 });
    const spans = Array.from(root.querySelectorAll<HTMLElement>('.attnscope-text-token'));
    expect(root.dataset.signed).toBe('true');
    expect(spans[1].style.getPropertyValue('--attnscope-shade')).toBe(GAINED);
    expect(spans[2].style.getPropertyValue('--attnscope-shade')).toBe(LOST);
    expect(Number(spans[1].style.getPropertyValue('--attnscope-alpha'))).toBeCloseTo(Number(spans[2].style.getPropertyValue('--attnscope-alpha')), 6);
    expect(spans[3].classList.contains('is-differing')).toBe(true);
    view.dispose();
  });
});

describe('keptChoice (a section switch)', () => {
  it.each([
    [null, null],
    [{ kind: 'max' }, { kind: 'max' }],
    [{ kind: 'head', head: 1 }, { kind: 'head', head: 1 }],
    [{ kind: 'head', head: 2 }, null]
  ])('%j on a section of 2 heads -> %j', (picked, want) => {
    expect(keptChoice(picked as HeadChoice | null, diff())).toEqual(want);
  });
});
