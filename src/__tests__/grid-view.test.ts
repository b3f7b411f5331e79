/**
 * @jest-environment jsdom
 */
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { Section, SectionSource } from '../data/section';
import { eager } from '../data/eager';
import { GridView } from '../views/model/view';

function section(): Section {
  const L = 2, H = 3, N = 4;
  const data = new Float32Array(L * H * N * N).fill(1 / N);
  return eager({
    key: 'self',
    label: 'Attention',
    attention: new Tensor(data, [L, H, N, N]),
    layers: [3, 5], // include_layers
    heads: [0, 4, 9], // include_heads
    queryTokens: ['a', 'b', 'c', 'd'],
    keyTokens: ['a', 'b', 'c', 'd'],
    queries: null,
    keys: null,
    scale: null,
    causal: false
  });
}

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 600 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

function mount(): { view: GridView; sel: Selection; root: HTMLElement } {
  const sec = section();
  const source: SectionSource = { sectionList: [sec], section: k => (k === 'self' ? sec : undefined), sentenceBStart: null };
  const sel = new Selection({ section: 'self', layer: 3, nHeads: 3 });
  const view = new GridView(source, sel);
  document.body.appendChild(view.element);
  return { view, sel, root: view.element };
}

const all = (root: HTMLElement, css: string): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>(css));
const thumb = (root: HTMLElement, layer: number, head: number): HTMLElement =>
  root.querySelector<HTMLElement>(`.attnscope-thumb[data-layer="${layer}"][data-head="${head}"]`)!;

describe('GridView', () => {
  it('shows every layer x head with the real indices on both axes', () => {
    const { root } = mount();
    expect(root.dataset.state).toBe('ready');
    expect(all(root, '.attnscope-thumb')).toHaveLength(6);
    expect(all(root, '.attnscope-grid-layer').map(e => e.textContent)).toEqual(['3', '5']);
    expect(all(root, '.attnscope-grid-head').map(e => e.textContent)).toEqual(['0', '4', '9']);
    expect(thumb(root, 5, 9).getAttribute('aria-label')).toBe('Layer 5, head 9');
    expect(root.dataset.mode).toBe('lines');
  });

  it('click opens a head beside the grid, again closes, another moves', () => {
    const { root, sel } = mount();
    thumb(root, 5, 4).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(sel.state.openHead).toEqual({ layer: 5, head: 1 });
    expect(root.dataset.open).toBe('5:4');
    const panel = root.querySelector<HTMLElement>('.attnscope-open-panel')!;
    expect(panel.hidden).toBe(false);
    expect(panel.querySelector('.attnscope-open-title')!.textContent).toBe('Layer 5, head 4');
    const open = panel.querySelector<HTMLElement>('.attnscope-head.attnscope-open-head')!;
    expect(open.dataset.layer).toBe('5');
    expect(open.dataset.heads).toBe('4');
    expect(thumb(root, 5, 4).getAttribute('aria-pressed')).toBe('true');

    thumb(root, 3, 9).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(root.dataset.open).toBe('3:9');
    expect(open.dataset.layer).toBe('3');
    expect(open.dataset.heads).toBe('9');
    expect(thumb(root, 5, 4).getAttribute('aria-pressed')).toBe('false');

    thumb(root, 3, 9).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(sel.state.openHead).toBeNull();
    expect(panel.hidden).toBe(true);
    expect(root.querySelector('.attnscope-open-head')).toBeNull();
  });

  it('follows the shared focus: a token hovered elsewhere is highlighted here', () => {
    const { root, sel } = mount();
    sel.hover({ side: 'query', index: 2 });
    expect(root.dataset.focus).toBe('query:2');
    sel.hover(null);
    sel.pin({ side: 'key', index: 1 });
    expect(root.dataset.focus).toBe('key:1');
  });

  it('hovering a token in the open head moves the shared selection', () => {
    const { root, sel } = mount();
    thumb(root, 3, 0).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    root.querySelector('.attnscope-open-head .attnscope-token[data-side="key"][data-index="3"]')!
      .dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(sel.state.hovered).toEqual({ side: 'key', index: 3 });
    expect(root.dataset.focus).toBe('key:3');
  });

  it('keyboard: Enter on a focused thumbnail opens it', () => {
    const { root, sel } = mount();
    thumb(root, 5, 0).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sel.state.openHead).toEqual({ layer: 5, head: 0 });
  });

  it('dispose removes the view and its open head', () => {
    const { view, sel, root } = mount();
    thumb(root, 3, 0).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    view.dispose();
    expect(root.isConnected).toBe(false);
    sel.hover({ side: 'query', index: 1 });
    expect(root.dataset.focus).toBe('');
  });
});
