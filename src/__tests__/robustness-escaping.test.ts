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

/**
 * What a tooltip title or a label shows of each: control and invisible characters as visible
 * escapes (the emoji's zero-width joiner between two pictographs is kept), at most 80 characters
 * and the length of the rest (issue 16, items 4 and 5).
 */
const SHOWN: readonly string[] = [
  HOSTILE[0],
  HOSTILE[1],
  HOSTILE[2],
  HOSTILE[3],
  HOSTILE[4],
  'ctrl\u27e8U+0000\u27e9\u27e8U+0007\u27e9\u27e8U+001B\u27e9[31m\u27e8U+007F\u27e9',
  'zero\u27e8U+200B\u27e9width\u27e8U+200D\u27e9\u27e8U+FEFF\u27e9',
  '\u27e8U+202E\u27e9gnp.exe\u27e8U+202C\u27e9 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627',
  HOSTILE[8],
  `${'x'.repeat(80)}\u2026 (10,240 characters)`
];
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
      const title = tip.querySelector('.attnscope-tooltip-title')!;
      expect(title.textContent).toBe(`query ${i}: ${SHOWN[i]}`);
      // the token sits in a <bdi>: its direction cannot reorder the text around it
      expect(title.querySelector('bdi')!.textContent).toBe(SHOWN[i].replace(/\u2026 \(10,240 characters\)$/, ''));
      // when escapes replace characters, the exact text follows (bounded too)
      const exact = tip.querySelector('.attnscope-tooltip-exact');
      expect(exact?.textContent ?? null).toBe(SHOWN[i] !== HOSTILE[i] && i < N - 1 ? `text: ${HOSTILE[i]}` : null);
      // one row per head after it, whatever the token's length
      expect(tip.querySelectorAll('.attnscope-tooltip-row')).toHaveLength(2);
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
    // on screen, control and invisible characters are visible escapes
    expect(keys[5].textContent).toBe('ctrl\u27e8U+0000\u27e9\u27e8U+0007\u27e9\u27e8U+001B\u27e9[31m\u27e8U+007F\u27e9');
    expect(keys.map(k => k.getAttribute('title'))).toEqual([...HOSTILE]);
    for (let i = 0; i < N; i++) {
      sel.pin({ side: 'query', index: i });
      const label = view.element.querySelector('.attnscope-neuron-qlabel')!.textContent!;
      expect(label).toBe(`query ${i}: ${i === N - 1 ? HOSTILE[i] : SHOWN[i]}`);
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
