/**
 * @jest-environment jsdom
 */
import { EagerFields, eager } from '../data/eager';
import { Section, SectionSource } from '../data/section';
import { Selection } from '../selection/state';
import { TextView } from '../views/text/view';
import { attention } from './fixtures/svg';
import { ViewOptions, DEFAULT_VIEW_OPTIONS } from '../wire/view-options';
import { mountViews } from '../registry';
import { displayText } from '../render/tokens';

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

function mount(secs: Section[] = [sectionOf()], viewOptions?: ViewOptions, nHeads = 3): { view: TextView; sel: Selection; root: HTMLElement; sec: Section } {
  const sel = new Selection({ section: secs[0].key, layer: 4, nHeads });
  const view = new TextView(sourceOf(secs, viewOptions), sel);
  document.body.appendChild(view.element);
  return { view, sel, root: view.element, sec: secs[0] };
}

const spans = (root: HTMLElement): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>('.attnscope-text-token'));
const weightOf = (el: HTMLElement): number => Number(el.dataset.weight);
const caption = (root: HTMLElement): string => root.querySelector('.attnscope-text-caption')!.textContent ?? '';
const mean3 = (sec: Section, q: number, k: number, layer = 0): number => [0, 1, 2].reduce((a, h) => a + sec.attention!.get(layer, h, q, k), 0) / 3;

afterEach(() => (document.body.innerHTML = ''));

describe('TextView', () => {
  it('renders the tokens as spans of running text, ready, with the column mean by default', () => {
    const { root, sec } = mount();
    expect(root.classList.contains('attnscope-text')).toBe(true);
    expect(root.dataset.state).toBe('ready');
    expect(root.dataset.source).toBe('mean');
    expect(root.dataset.exact).toBe('true');
    expect(root.dataset.shade).toBe('column-mean');
    const s = spans(root);
    expect(s).toHaveLength(N);
    expect(s.map(e => e.dataset.side)).toEqual(new Array(N).fill('key'));
    expect(s.map(e => e.dataset.index)).toEqual(TOKENS.map((_, i) => String(i)));
    expect(s[3].textContent).toBe('ing');
    // "play" and "ing" are joined: no space between their spans
    expect(root.querySelector('.attnscope-text-body')!.textContent).toContain('playing');
    let colMean = 0;
    for (let q = 0; q < N; q++) {
      colMean += mean3(sec, q, 5);
    }
    expect(weightOf(s[5])).toBeCloseTo(colMean / N, 6);
    expect(caption(root)).toBe(`mean weight received over all ${N} queries, mean of all heads, layer 4`);
    expect(root.querySelector('.attnscope-text-legend-max')!.textContent).not.toBe('');
  });

  it('keeps hostile tokens as text', () => {
    const { root } = mount();
    // shortened as every view shows tokens (setting "maxTokenChars"); the exact text in aria-label
    expect(spans(root)[4].textContent).toBe(displayText(HOSTILE, 24));
    expect(spans(root)[4].getAttribute('aria-label')).toBe(`token 4: ${HOSTILE}`);
    expect(root.querySelector('img')).toBeNull();
  });

  it('a focused query token shades the keys by its row, with a caption and an outline', () => {
    const { root, sel, sec } = mount();
    sel.pin({ side: 'query', index: 5 });
    const s = spans(root);
    expect(root.dataset.focus).toBe('query:5');
    expect(root.dataset.shade).toBe('row');
    expect(weightOf(s[2])).toBeCloseTo(mean3(sec, 5, 2), 6);
    expect(s[5].classList.contains('is-focused')).toBe(true);
    expect(s[5].classList.contains('is-pinned')).toBe(true);
    expect(caption(root)).toBe('weights received from \u2018it\u2019 (query 5), mean of all heads, layer 4');
    // hover overrides the pin (from another view)
    sel.hover({ side: 'query', index: 1 });
    expect(weightOf(s[2])).toBeCloseTo(mean3(sec, 1, 2), 6);
    expect(s[1].classList.contains('is-focused')).toBe(true);
  });

  it('a focused key token shows its column: what attends to it', () => {
    const { root, sel, sec } = mount();
    sel.hover({ side: 'key', index: 2 });
    expect(root.dataset.shade).toBe('column');
    expect(weightOf(spans(root)[6])).toBeCloseTo(mean3(sec, 6, 2), 6);
    expect(caption(root)).toContain('weights given to \u2018play\u2019 (key 2) by each token');
  });

  it('the matrix picker: one head, max of the active heads; the open head of this layer by default', () => {
    const { root, sel, sec } = mount();
    sel.pin({ side: 'query', index: 0 });
    const select = root.querySelector<HTMLSelectElement>('.attnscope-source-select')!;
    expect(Array.from(select.options).map(o => o.value)).toEqual(['mean', 'max', 'head:0', 'head:1', 'head:2']);
    select.value = 'max';
    select.dispatchEvent(new Event('change'));
    expect(root.dataset.source).toBe('max');
    const max = Math.max(...[0, 1, 2].map(h => sec.attention!.get(0, h, 0, 3)));
    expect(weightOf(spans(root)[3])).toBeCloseTo(max, 6);
    select.value = 'head:1';
    select.dispatchEvent(new Event('change'));
    expect(weightOf(spans(root)[3])).toBeCloseTo(sec.attention!.get(0, 1, 0, 3), 6);
    expect(caption(root)).toContain(', head 1, layer 4');

    const other = mount();
    other.sel.setOpenHead({ layer: 4, head: 2 });
    expect(other.root.dataset.source).toBe('head:2');
    other.sel.setLayer(5);
    expect(other.root.dataset.source).toBe('mean');
  });

  it('mean of the active heads only', () => {
    const { root, sel, sec } = mount();
    sel.setHeads([0, 2]);
    sel.pin({ side: 'query', index: 1 });
    const want = (sec.attention!.get(0, 0, 1, 4) + sec.attention!.get(0, 2, 1, 4)) / 2;
    expect(weightOf(spans(root)[4])).toBeCloseTo(want, 6);
    expect(caption(root)).toContain('mean of 2 heads');
  });

  it('hovering a token hovers it as a query; click pins; with a pin, hover only reads', () => {
    const { root, sel } = mount();
    const s = spans(root);
    s[5].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(sel.state.hovered).toEqual({ side: 'query', index: 5 });
    const tip = root.querySelector<HTMLElement>('.attnscope-tooltip')!;
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toContain('token 5: it');
    expect(tip.textContent).toContain(`weight ${Number(s[5].dataset.weight).toFixed(4)}`);
    s[5].click();
    expect(sel.state.pinned).toEqual({ side: 'query', index: 5 });
    root.querySelector('.attnscope-text-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(sel.state.hovered).toBeNull();
    s[1].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(sel.state.hovered).toBeNull(); // the pinned row stays shown
    expect(root.dataset.focus).toBe('query:5');
    s[5].click();
    expect(sel.state.pinned).toBeNull();
  });

  it('keyboard: one tab stop, arrows move it, Enter pins, Escape unpins', () => {
    const { root, sel } = mount();
    const s = spans(root);
    expect(s.filter(e => e.tabIndex === 0)).toHaveLength(1);
    s[0].focus();
    expect(sel.state.hovered).toEqual({ side: 'query', index: 0 });
    s[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    expect(document.activeElement).toBe(s[1]);
    expect(s[1].tabIndex).toBe(0);
    expect(s[0].tabIndex).toBe(-1);
    expect(sel.state.hovered).toEqual({ side: 'query', index: 1 });
    s[1].dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    expect(document.activeElement).toBe(s[N - 1]);
    s[N - 1].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sel.state.pinned).toEqual({ side: 'query', index: N - 1 });
    s[N - 1].dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(sel.state.pinned).toBeNull();
  });

  it('words: toggle when the section has word groups, initial state from view_options', () => {
    const sec = sectionOf({ words: WORDS });
    const { root, sel } = mount([sec], { ...DEFAULT_VIEW_OPTIONS, colormap: null, scale: null, group: 'word' });
    const toggle = root.querySelector<HTMLButtonElement>('.attnscope-words-toggle')!;
    expect(toggle.hidden).toBe(false);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(root.dataset.group).toBe('word');
    let s = spans(root);
    expect(s.map(e => e.textContent)).toEqual(WORDS.keyLabels.map(t => displayText(t, 24)));
    expect(s[2].dataset.word).toBe('2');
    expect(s[2].dataset.index).toBe('2');
    // hovering a word focuses its first token as a query: the word's row (mean over its queries, sum over a word's keys)
    s[2].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(sel.state.hovered).toEqual({ side: 'query', index: 2 });
    const m = (q: number, k: number): number => mean3(sec, q, k);
    expect(weightOf(s[2])).toBeCloseTo((m(2, 2) + m(2, 3) + m(3, 2) + m(3, 3)) / 2, 6);
    expect(caption(root)).toBe('weights received from the word \u2018playing\u2019 (queries 2\u20133), mean of all heads, layer 4');
    toggle.click();
    s = spans(root);
    expect(s).toHaveLength(N);
    expect(root.dataset.group).toBe('token');

    const plain = mount([sectionOf({ key: 'plain' })]);
    expect(plain.root.querySelector<HTMLButtonElement>('.attnscope-words-toggle')!.hidden).toBe(true);
  });

  it('rollout sections: the output token by default, first for encoders, last for causal decoders', () => {
    const roll = (causal: boolean): Section =>
      sectionOf({ key: 'rollout', label: 'Rollout', attention: attention(2, 1, N, N), heads: [0], derived: 'rollout', derivedFrom: 'self', headLabels: ['rollout'], causal });
    const enc = mount([roll(false)], undefined, 1);
    expect(enc.root.dataset.source).toBe('head:0');
    expect(enc.root.dataset.shade).toBe('output');
    expect(weightOf(spans(enc.root)[3])).toBeCloseTo(enc.sec.attention!.get(0, 0, 0, 3), 6);
    expect(spans(enc.root)[0].classList.contains('is-output')).toBe(true);
    expect(caption(enc.root)).toBe('weights received from \u2018[CLS]\u2019 (query 0, the output token), rollout up to layer 4');
    expect(enc.root.querySelector<HTMLSelectElement>('.attnscope-source-select')!.parentElement!.hidden).toBe(true);
    const dec = mount([roll(true)], undefined, 1);
    expect(weightOf(spans(dec.root)[3])).toBeCloseTo(dec.sec.attention!.get(0, 0, N - 1, 3), 6);
    expect(caption(dec.root)).toContain(`\u2018[SEP]\u2019 (query ${N - 1}, the output token)`);
  });

  it('is mounted by the registry as "text"', () => {
    const host = document.createElement('div');
    const sec = sectionOf();
    const handles = mountViews(host, sourceOf([sec]), new Selection({ section: 'self', layer: 4, nHeads: 3 }), ['text'], null);
    expect(host.querySelector('.attnscope-text')).not.toBeNull();
    handles.forEach(h => h.dispose());
    expect(host.querySelector('.attnscope-text')).toBeNull();
  });
});

describe('TextView sections', () => {
  it('an unknown section is a visible error; switching sections keeps the picked matrix while it exists', () => {
    const a = sectionOf();
    const b = sectionOf({ key: 'enc', label: 'Encoder' });
    const sel = new Selection({ section: 'nope', layer: 4, nHeads: 3 });
    const view = new TextView(sourceOf([a, b]), sel);
    document.body.appendChild(view.element);
    expect(view.element.dataset.state).toBe('error');
    expect(view.element.querySelector('.attnscope-message')!.textContent).toContain('no attention section named "nope"');
    sel.setSection('self', 3, 4);
    expect(view.element.dataset.state).toBe('ready');
    expect(view.element.querySelector<HTMLElement>('.attnscope-message')!.hidden).toBe(true);
    const select = view.element.querySelector<HTMLSelectElement>('.attnscope-source-select')!;
    select.value = 'max';
    select.dispatchEvent(new Event('change'));
    expect(view.element.dataset.source).toBe('max');
    const sections = view.element.querySelector<HTMLSelectElement>('.attnscope-section-select')!;
    expect(Array.from(sections.options).map(o => o.textContent)).toEqual(['Attention', 'Encoder']);
    sections.value = 'enc';
    sections.dispatchEvent(new Event('change'));
    expect(sel.state.section).toBe('enc');
    expect(view.element.dataset.source).toBe('max'); // same heads (A / B / B - A of a comparison): kept
    select.value = 'head:2';
    select.dispatchEvent(new Event('change'));
    view.element.querySelector<HTMLSelectElement>('.attnscope-section-select')!.value = 'self';
    view.element.querySelector<HTMLSelectElement>('.attnscope-section-select')!.dispatchEvent(new Event('change'));
    expect(view.element.dataset.source).toBe('head:2');
  });
});

describe('TextView on cross attention', () => {
  it('the text is the keys: a query focus shades its row, a key focus is marked and said, hover is the key', () => {
    const queries = ['<s>', 'le', 'chat'];
    const keys = ['[CLS]', 'the', 'cat', '[SEP]'];
    const sec = eager({ key: 'cross', label: 'Cross attention', attention: attention(1, 2, 3, 4), layers: [0], heads: [0, 1], queryTokens: queries, keyTokens: keys });
    const sel = new Selection({ section: 'cross', layer: 0, nHeads: 2 });
    const view = new TextView(sourceOf([sec]), sel);
    document.body.appendChild(view.element);
    const root = view.element;
    const s = spans(root);
    expect(s.map(e => e.textContent)).toEqual(keys);
    sel.hover({ side: 'query', index: 2 });
    const mean = (q: number, k: number): number => (sec.attention!.get(0, 0, q, k) + sec.attention!.get(0, 1, q, k)) / 2;
    expect(weightOf(s[1])).toBeCloseTo(mean(2, 1), 6);
    expect(caption(root)).toContain('weights received from \u2018chat\u2019 (query 2)');
    expect(root.querySelectorAll('.is-focused')).toHaveLength(0); // the query is not in this text
    sel.hover(null);
    s[2].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(sel.state.hovered).toEqual({ side: 'key', index: 2 });
    expect(s[2].classList.contains('is-focused')).toBe(true);
    expect(root.dataset.shade).toBe('column-mean');
    expect(caption(root)).toContain('(key 2 is focused: what attends to it are queries, not shown here)');
  });
});
