/**
 * @jest-environment jsdom
 */
import { decodeSections } from '../data/sections';
import { Section, SectionSource } from '../data/section';
import { SliceStore } from '../data/slice-store';
import { Selection } from '../selection/state';
import { FetchRequest } from '../wire/messages';
import { GridView } from '../views/model/view';
import { attention, els, parse, section, TOKENS } from './fixtures/svg';
import { modelSvg } from '../export/model-svg';
import { PALETTES } from '../export/svg';
import { lazySection, reply } from './fixtures/lazy';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 600 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

const all = (root: Element, css: string): HTMLElement[] => Array.from(root.querySelectorAll<HTMLElement>(css));

function lazySource(n: number, r: number) {
  const d = decodeSections([lazySection({ n, r })]);
  if (!d.ok) {
    throw new Error(d.error);
  }
  const store = d.store as SliceStore;
  const sent: FetchRequest[] = [];
  store.attach({ send: req => (sent.push(req), true) });
  const src: SectionSource = { sectionList: d.sections, section: k => d.sections.find(s => s.key === k), sentenceBStart: null, onData: fn => store.subscribe(fn) };
  return { src, store, sent, sec: d.sections[0] as Section };
}

function mountGrid(src: SectionSource, sec: Section): { root: HTMLElement; sel: Selection; toggle: HTMLButtonElement } {
  const sel = new Selection({ section: sec.key, layer: sec.layers[0], nHeads: sec.shape[1] });
  const view = new GridView(src, sel);
  document.body.appendChild(view.element);
  return { root: view.element, sel, toggle: view.element.querySelector<HTMLButtonElement>('.attnscope-aggregates-toggle') as HTMLButtonElement };
}

describe('model view aggregate thumbnails', () => {
  it('the toggle adds a mean and a max thumbnail at the end of each layer row', () => {
    const sec = section(TOKENS);
    const src: SectionSource = { sectionList: [sec], section: () => sec, sentenceBStart: null };
    const { root, toggle } = mountGrid(src, sec);
    expect(all(root, '.attnscope-aggregate-thumb')).toHaveLength(0);
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    toggle.click();
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    const aggs = all(root, '.attnscope-aggregate-thumb');
    expect(aggs.map(a => [a.dataset.layer, a.dataset.aggregate])).toEqual([['4', 'mean'], ['4', 'max'], ['5', 'mean'], ['5', 'max']]);
    expect(all(root, '.attnscope-thumb')).toHaveLength(6); // the heads are unchanged
    expect(root.dataset.aggregates).toBe('4');
    expect(root.dataset.aggregatesExact).toBe('true');
    // each row: layer header, 3 heads, mean, max
    const grid = root.querySelector('.attnscope-grid') as HTMLElement;
    const kids = Array.from(grid.children) as HTMLElement[];
    expect(kids.slice(0, 6).map(k => k.textContent)).toEqual(['L\\H', '0', '4', '9', 'mean', 'max']);
    expect(kids[10].dataset.aggregate).toBe('mean');
    expect(grid.style.gridTemplateColumns).toMatch(/repeat\(5,/);
    toggle.click();
    expect(all(root, '.attnscope-aggregate-thumb')).toHaveLength(0);
  });

  it('one-head sections (rollout) have no aggregates toggle', () => {
    const sec = section(TOKENS, { key: 'rollout', attention: attention(2, 1, TOKENS.length, TOKENS.length), heads: [0], derived: 'rollout' });
    const { root, toggle } = mountGrid({ sectionList: [sec], section: () => sec, sentenceBStart: null }, sec);
    expect(toggle.hidden).toBe(true);
    toggle.click();
    expect(all(root, '.attnscope-aggregate-thumb')).toHaveLength(0);
  });

  it('tooltips say what they are; a click makes their layer current and opens nothing', () => {
    const sec = section(TOKENS);
    const src: SectionSource = { sectionList: [sec], section: () => sec, sentenceBStart: null };
    const { root, sel, toggle } = mountGrid(src, sec);
    toggle.click();
    sel.setHeads([0, 2]);
    const max5 = root.querySelector<HTMLElement>('.attnscope-aggregate-thumb[data-layer="5"][data-aggregate="max"]') as HTMLElement;
    max5.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    const tip = root.querySelector<HTMLElement>('.attnscope-tooltip') as HTMLElement;
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toContain('max of 2 heads, layer 5');
    max5.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(sel.state.layer).toBe(5);
    expect(sel.state.openHead).toBeNull();
    expect(root.dataset.open).toBe('');
  });

  it('lazy sections: pooled until the slices of the layer are in the page, then exact', () => {
    const { src, sec, store, sent } = lazySource(100, 64);
    const { root, toggle } = mountGrid(src, sec);
    toggle.click();
    const mean3 = () => root.querySelector<HTMLElement>('.attnscope-aggregate-thumb[data-layer="3"][data-aggregate="mean"]') as HTMLElement;
    expect(mean3().dataset.exact).toBe('false');
    expect(root.dataset.aggregatesExact).toBe('false');
    mean3().dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(root.querySelector('.attnscope-tooltip')!.textContent).toContain('from the pooled summary');
    // another view (the head view) fetches layer 3: the aggregates of that layer become exact
    expect(sec.request('other-view', 0, [0, 1]).state).toBe('loading');
    const { content, buffers } = reply(sent[sent.length - 1], 100);
    store.receive(content, buffers);
    expect(mean3().dataset.exact).toBe('true');
    const max7 = root.querySelector<HTMLElement>('.attnscope-aggregate-thumb[data-layer="7"][data-aggregate="max"]') as HTMLElement;
    expect(max7.dataset.exact).toBe('false');
  });
});

describe('model view export with aggregates', () => {
  it('draws the mean and max thumbnails at the end of each row when they are shown', () => {
    const sec = section(TOKENS);
    const src: SectionSource = { sectionList: [sec], section: () => sec, sentenceBStart: null };
    const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
    const view = new GridView(src, sel);
    document.body.appendChild(view.element);
    expect(view.snapshot()!.aggregates).toBeNull();
    (view.element.querySelector('.attnscope-aggregates-toggle') as HTMLButtonElement).click();
    const snap = view.snapshot()!;
    expect(snap.aggregates).toEqual([0, 1, 2]);
    const out = modelSvg({ ...snap, palette: PALETTES.light, panel: null });
    const doc = parse(out.svg);
    expect(els(doc, '.attnscope-aggregate-thumb').map(g => [g.getAttribute('data-layer'), g.getAttribute('data-aggregate')])).toEqual([['4', 'mean'], ['4', 'max'], ['5', 'mean'], ['5', 'max']]);
    expect(out.thumbs).toBe(6);
    expect(els(doc, '[data-role="head-label"]').map(t => t.textContent)).toEqual(['0', '4', '9', 'mean', 'max']);
    const plain = parse(modelSvg({ ...snap, aggregates: null, palette: PALETTES.light, panel: null }).svg);
    expect(els(plain, '.attnscope-aggregate-thumb')).toHaveLength(0);
  });
});
