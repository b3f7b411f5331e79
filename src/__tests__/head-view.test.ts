/**
 * @jest-environment jsdom
 */
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { Section, SectionSource } from '../data/section';
import { eager } from '../data/eager';
import { settings } from '../config/settings';
import { HeadView } from '../views/head/view';

// 2 layers x 3 heads x 4 tokens; every weight non-zero, rows sum to 1.
function attention(): Tensor {
  const L = 2, H = 3, N = 4;
  const data = new Float32Array(L * H * N * N);
  for (let i = 0; i < L * H * N; i++) {
    const raw = [1, 2, 3, 4].map(k => ((i * 7 + k * 3) % 5) + 1);
    const sum = raw.reduce((a, b) => a + b, 0);
    raw.forEach((v, k) => (data[i * N + k] = v / sum));
  }
  return new Tensor(data, [L, H, N, N]);
}

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const tokens = ['[CLS]', 'the', HOSTILE, '[SEP]'];

function source(sentenceBStart: number | null = null): SectionSource {
  const sec: Section = eager({ key: 'self', label: 'Attention', attention: attention(), layers: [4, 5], heads: [0, 1, 2], queryTokens: tokens, keyTokens: tokens, queries: null, keys: null, scale: null, causal: false });
  return { sectionList: [sec], section: k => (k === 'self' ? sec : undefined), sentenceBStart };
}

beforeAll(() => {
  // jsdom does no layout: give the line area a width so that paints happen.
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 200 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});

function mount(sb: number | null = null): { view: HeadView; sel: Selection; root: HTMLElement } {
  const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
  const view = new HeadView(source(sb), sel);
  document.body.appendChild(view.element);
  return { view, sel, root: view.element };
}

const q = (root: HTMLElement, css: string): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>(css));

afterEach(() => (document.body.innerHTML = ''));

describe('HeadView', () => {
  it('renders tokens, layer options and head chips, then reports ready', () => {
    const { root } = mount();
    expect(root.dataset.state).toBe('ready');
    expect(q(root, '.attnscope-token[data-side="query"]')).toHaveLength(4);
    expect(q(root, '.attnscope-token[data-side="key"]')).toHaveLength(4);
    expect(q(root, '.attnscope-layer-select option').map(o => o.textContent)).toEqual(['4', '5']);
    expect(q(root, '.attnscope-head-chip').map(c => c.getAttribute('aria-pressed'))).toEqual(['true', 'true', 'true']);
    // every weight is >= 1/14 so every line of every head is visible: 3 heads x 16 pairs
    expect(root.dataset.lines).toBe('48');
    expect(root.dataset.renderer).toBe('svg');
    expect(root.querySelectorAll('.attnscope-links-svg line')).toHaveLength(48);
  });

  it('shows tokens as text, never as HTML', () => {
    const { root } = mount();
    const el = q(root, '.attnscope-token[data-index="2"]')[0];
    expect(el.textContent).toBe(HOSTILE.slice(0, 23) + '\u2026');
    expect(root.querySelector('img')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('hovering a query token leaves only its lines and shades the keys', () => {
    const { root, sel } = mount();
    q(root, '.attnscope-token[data-side="query"][data-index="1"]')[0].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(sel.state.hovered).toEqual({ side: 'query', index: 1 });
    expect(root.dataset.lines).toBe('12');
    const ys = new Set(q(root, '.attnscope-links-svg line').map(l => l.getAttribute('y1')));
    expect(Array.from(ys)).toEqual(['30']);
    expect(q(root, '.is-focused').map(e => e.dataset.index)).toEqual(['1']);
    const tip = root.querySelector<HTMLElement>('.attnscope-tooltip')!;
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toContain('query 1: the');
    root.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(root.dataset.lines).toBe('48');
    expect(tip.hidden).toBe(true);
  });

  it('setting "Hovered lines": row-maximum makes each head\'s strongest line of the hovered token opaque', () => {
    const { root } = mount();
    const hoverQuery1 = (): number[][] => {
      q(root, '.attnscope-token[data-side="query"][data-index="1"]')[0].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      const byHead: number[][] = [[], [], []];
      for (const l of q(root, '.attnscope-links-svg line')) {
        byHead[Number(l.dataset.head)].push(Number(l.getAttribute('stroke-opacity')));
      }
      return byHead;
    };
    // default, BertViz's rule: weight / 3 heads, so no line is above 1/3
    const shared = hoverQuery1();
    expect(Math.max(...shared.flat())).toBeLessThanOrEqual(1 / 3 + 1e-4);
    try {
      settings.update({ hoverContrast: 'row-maximum' });
      const contrast = hoverQuery1();
      expect(contrast.map(head => Math.max(...head))).toEqual([1, 1, 1]);
      // the same lines, in the same proportions within a head
      contrast.forEach((head, h) => head.forEach((a, i) => expect(a / Math.max(...head)).toBeCloseTo(shared[h][i] / Math.max(...shared[h]), 3)));
    } finally {
      settings.update({ hoverContrast: 'shared' });
    }
  });

  it('click pins, hover overrides the pin while it lasts', () => {
    const { root, sel } = mount();
    const key0 = q(root, '.attnscope-token[data-side="key"][data-index="0"]')[0];
    key0.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(sel.state.pinned).toEqual({ side: 'key', index: 0 });
    expect(root.dataset.focus).toBe('key:0');
    q(root, '.attnscope-token[data-side="query"][data-index="3"]')[0].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(root.dataset.focus).toBe('query:3');
    root.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(root.dataset.focus).toBe('key:0');
    expect(key0.classList.contains('is-pinned')).toBe(true);
  });

  it('head chips: click toggles, double-click solos and restores', () => {
    const { root } = mount();
    const chip = (h: number): HTMLElement => q(root, `.attnscope-head-chip[data-head="${h}"]`)[0];
    chip(1).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(root.dataset.heads).toBe('0,2');
    expect(chip(1).getAttribute('aria-pressed')).toBe('false');
    expect(root.dataset.lines).toBe('32');
    chip(2).dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    expect(root.dataset.heads).toBe('2');
    chip(2).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(root.dataset.heads).toBe('2'); // the last active head stays
    chip(2).dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    expect(root.dataset.heads).toBe('0,1,2');
  });

  it('keyboard: Enter pins, arrows move along the side, Escape unpins', () => {
    const { root, sel } = mount();
    const key = (side: string, i: number): HTMLElement =>
      root.querySelector<HTMLElement>(`.attnscope-token[data-side="${side}"][data-index="${i}"]`)!;
    key('key', 1).focus();
    key('key', 1).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sel.state.pinned).toEqual({ side: 'key', index: 1 });
    key('key', 1).dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(key('key', 2));
    key('key', 2).dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    expect(document.activeElement).toBe(key('key', 1));
    key('key', 1).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(sel.state.pinned).toBeNull();
  });

  it('switches layer from the picker', () => {
    const { root, sel } = mount();
    const select = root.querySelector<HTMLSelectElement>('.attnscope-layer-select')!;
    select.value = '5';
    select.dispatchEvent(new Event('change'));
    expect(sel.state.layer).toBe(5);
    expect(root.dataset.layer).toBe('5');
  });

  it('filters sentence pairs when sentence_b_start is given', () => {
    const { root } = mount(2);
    const select = root.querySelector<HTMLSelectElement>('.attnscope-filter-select')!;
    expect(select.parentElement!.hidden).toBe(false);
    select.value = 'ab';
    select.dispatchEvent(new Event('change'));
    expect(q(root, '.attnscope-token[data-side="query"]').map(e => e.dataset.index)).toEqual(['0', '1']);
    expect(q(root, '.attnscope-token[data-side="key"]').map(e => e.dataset.index)).toEqual(['2', '3']);
    expect(root.dataset.lines).toBe(String(3 * 2 * 2));
  });

  it('switches to canvas above the threshold and back', () => {
    settings.update({ canvasThreshold: 10 });
    const { root } = mount();
    expect(root.dataset.renderer).toBe('canvas');
    expect(root.querySelectorAll('.attnscope-links-svg line')).toHaveLength(0);
    settings.update({ canvasThreshold: 2000 });
    expect(root.dataset.renderer).toBe('svg');
  });

  it('dispose removes the element and stops listening', () => {
    const { view, sel, root } = mount();
    view.dispose();
    expect(root.isConnected).toBe(false);
    sel.setLayer(5);
    expect(root.dataset.layer).toBe('4');
  });
});
