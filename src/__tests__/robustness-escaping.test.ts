/**
 * @jest-environment jsdom
 *
 * Tokens are data. Every hostile string is shown literally (shortened on screen, the full
 * text in the aria-label / title / tooltip) by every view, and nothing in it is ever parsed: no
 * element appears from a token and no handler runs.
 */
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { displayText } from '../render/tokens';
import { Section, SectionSource } from '../data/section';
import { eager } from '../data/eager';
import { settings } from '../config/settings';
import { GridView } from '../views/model/view';
import { HeadView } from '../views/head/view';
import { NeuronView } from '../views/neuron/view';
import { mountViews } from '../registry';

const HOSTILE: readonly string[] = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=1</script>',
  '"><svg onload="window.__pwned=1">',
  '\'single\' "double" `back`',
  '&amp; &lt;b&gt; &#60;',
  'ctrl\u0000\u0007\u001b[31m\u007f',
  'zero\u200bwidth\u200d\ufeff',
  '\u202egnp.exe\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627',
  '\u{1F600}\u{1F469}\u200d\u{1F4BB}\u{1F1EB}\u{1F1F7}',
  'x'.repeat(10_240)
];
const N = HOSTILE.length;
const MAX = settings.value.maxTokenChars;

function section(): Section {
  const L = 1, H = 2, D = 2;
  const att = new Float32Array(L * H * N * N).fill(1 / N);
  return eager({
    key: 'self',
    label: 'Attention',
    attention: new Tensor(att, [L, H, N, N]),
    layers: [0],
    heads: [0, 1],
    queryTokens: [...HOSTILE],
    keyTokens: [...HOSTILE],
    queries: new Tensor(new Float32Array(L * H * N * D).fill(0.5), [L, H, N, D]),
    keys: new Tensor(new Float32Array(L * H * N * D).fill(0.5), [L, H, N, D]),
    scale: 1,
    causal: false
  });
}

const source = (sec: Section = section()): SectionSource => ({
  sectionList: [sec],
  section: k => (k === sec.key ? sec : undefined),
  sentenceBStart: null
});

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

const pwned = (): unknown => (window as unknown as { __pwned?: unknown }).__pwned;

/** Nothing a token could have created: no element of these kinds anywhere, no handler attribute. */
function expectInert(root: HTMLElement): void {
  expect(root.querySelectorAll('img, script, iframe, object, embed, a, style, link')).toHaveLength(0);
  expect(root.querySelectorAll('svg svg, svg foreignObject')).toHaveLength(0);
  for (const el of Array.from(root.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      expect(attr.name.startsWith('on')).toBe(false);
    }
  }
  expect(pwned()).toBeUndefined();
}

function tokensOf(root: HTMLElement, side: 'query' | 'key'): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(`.attnscope-token[data-side="${side}"]`));
}

function expectLiteralTokens(root: HTMLElement, side: 'query' | 'key'): void {
  const els = tokensOf(root, side);
  expect(els).toHaveLength(N);
  els.forEach((el, i) => {
    expect(el.textContent).toBe(displayText(HOSTILE[i], MAX));
    expect(el.getAttribute('aria-label')).toBe(`${side} token ${i}: ${HOSTILE[i]}`);
    expect(el.children).toHaveLength(0);
  });
}

describe('hostile tokens are text in every view', () => {
  it('shortens on code points: emoji and surrogate pairs are never split', () => {
    const long = '\u{1F600}'.repeat(100);
    const shown = displayText(long, MAX);
    expect(Array.from(shown)).toHaveLength(MAX);
    expect(shown.endsWith('\u2026')).toBe(true);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(shown)).toBe(false);
  });

  it('head view: token columns, aria-labels and the hover tooltip', () => {
    const sel = new Selection({ section: 'self', layer: 0, nHeads: 2 });
    const view = new HeadView(source(), sel);
    document.body.appendChild(view.element);
    expect(view.element.dataset.state).toBe('ready');
    expectLiteralTokens(view.element, 'query');
    expectLiteralTokens(view.element, 'key');
    for (let i = 0; i < N; i++) {
      tokensOf(view.element, 'query')[i].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      const tip = view.element.querySelector<HTMLElement>('.attnscope-tooltip')!;
      expect(tip.hidden).toBe(false);
      expect(tip.querySelector('.attnscope-tooltip-title')!.textContent).toBe(`query ${i}: ${HOSTILE[i]}`);
      expectInert(view.element);
    }
    // the line layer holds lines only
    const svg = view.element.querySelector('.attnscope-links-svg')!;
    expect(Array.from(svg.querySelectorAll('*')).every(e => e.tagName.toLowerCase() === 'line' || e.tagName.toLowerCase() === 'g')).toBe(true);
    view.dispose();
  });

  it('model view: the open head beside the grid', () => {
    const sel = new Selection({ section: 'self', layer: 0, nHeads: 2 });
    const view = new GridView(source(), sel);
    document.body.appendChild(view.element);
    sel.setOpenHead({ layer: 0, head: 1 });
    const open = view.element.querySelector<HTMLElement>('.attnscope-open-head')!;
    expect(open.dataset.state).toBe('ready');
    expectLiteralTokens(open, 'query');
    expectLiteralTokens(open, 'key');
    sel.hover({ side: 'key', index: 1 });
    expectInert(view.element);
    view.dispose();
  });

  it('neuron view: query tokens, key rows (full text in the title) and the focused query label', () => {
    const sel = new Selection({ section: 'self', layer: 0, nHeads: 2 });
    const view = new NeuronView(source(), sel);
    document.body.appendChild(view.element);
    expect(view.element.dataset.state).toBe('ready');
    expectLiteralTokens(view.element, 'query');
    const keys = Array.from(view.element.querySelectorAll<HTMLElement>('.attnscope-neuron-row .attnscope-neuron-key'));
    expect(keys.map(k => k.textContent)).toEqual(HOSTILE.map(t => displayText(t, MAX)));
    expect(keys.map(k => k.getAttribute('title'))).toEqual([...HOSTILE]);
    for (let i = 0; i < N; i++) {
      sel.pin({ side: 'query', index: i });
      expect(view.element.querySelector('.attnscope-neuron-qlabel')!.textContent).toBe(`query ${i}: ${HOSTILE[i]}`);
      expectInert(view.element);
    }
    view.dispose();
  });

  it('an error message carrying a hostile string is text too', () => {
    const host = document.createElement('div');
    document.body.appendChild(host);
    const handles = mountViews(host, source(), null, ['head', '<img src=x onerror="window.__pwned=1">'], HOSTILE[1]);
    expect(handles).toHaveLength(2);
    expect(host.querySelectorAll('[data-state="error"]')).toHaveLength(2);
    expect(host.textContent).toContain(HOSTILE[1]);
    expectInert(host);
  });
});
