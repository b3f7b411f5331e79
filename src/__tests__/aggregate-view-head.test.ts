/**
 * @jest-environment jsdom
 */
import { headSvg } from '../export/head-svg';
import { contrastRatio, DARK_BACKGROUND, LIGHT_BACKGROUND } from '../render/palette';
import { Selection } from '../selection/state';
import { SectionSource } from '../data/section';
import { AGGREGATE_COLOR, drawnHeads, nextAggregate } from '../views/head/aggregate-chip';
import { HeadView } from '../views/head/view';
import * as aggregate from '../analysis/aggregate';
import { els, headInput, parse, section, TOKENS } from './fixtures/svg';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 200 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});

afterEach(() => (document.body.innerHTML = ''));

function mount(): { view: HeadView; sel: Selection; root: HTMLElement; chip: HTMLButtonElement } {
  const sec = section(TOKENS);
  const src: SectionSource = { sectionList: [sec], section: k => (k === 'self' ? sec : undefined), sentenceBStart: null };
  const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
  const view = new HeadView(src, sel);
  document.body.appendChild(view.element);
  return { view, sel, root: view.element, chip: view.element.querySelector<HTMLButtonElement>('.attnscope-aggregate-chip') as HTMLButtonElement };
}

const lines = (root: Element): Element[] => Array.from(root.querySelectorAll('.attnscope-links-svg line'));

describe('head view aggregate chip', () => {
  it('hover repaints reuse the aggregate: one pass over the heads per layer and mode, not per hover', () => {
    const spy = jest.spyOn(aggregate, 'aggregateHeads');
    const { root, chip, sel } = mount();
    chip.click(); // mean
    const afterClick = spy.mock.calls.length;
    expect(afterClick).toBeGreaterThanOrEqual(1);
    for (const i of [0, 1, 2, 3, 0]) {
      sel.hover({ side: 'query', index: i });
    }
    expect(root.dataset.focus).toBe('query:0');
    expect(spy.mock.calls.length).toBe(afterClick); // five hovers, no new aggregate
    chip.click(); // max: made once more
    expect(spy.mock.calls.length).toBe(afterClick + 1);
    spy.mockRestore();
  });

  it('cycles off -> mean -> max -> off, after the head chips', () => {
    expect(['off', 'mean', 'max'].map(m => nextAggregate(m as 'off'))).toEqual(['mean', 'max', 'off']);
    const { root, chip } = mount();
    const chips = root.querySelector('.attnscope-head-chips') as HTMLElement;
    expect(chips.lastElementChild).toBe(chip);
    expect(root.querySelectorAll('.attnscope-head-chip')).toHaveLength(3);
    expect(chip.dataset.aggregate).toBe('off');
    expect(chip.getAttribute('aria-pressed')).toBe('false');
    chip.click();
    expect(chip.dataset.aggregate).toBe('mean');
    expect(chip.getAttribute('aria-pressed')).toBe('true');
    expect(root.dataset.aggregate).toBe('mean');
    chip.click();
    expect(root.dataset.aggregate).toBe('max');
    chip.click();
    expect(root.dataset.aggregate).toBe('');
    expect(root.dataset.lines).toBe('48');
  });

  it('mean: one line per pair in one neutral colour, opacity = the mean weight', () => {
    const { root, chip, view } = mount();
    chip.click();
    expect(root.dataset.lines).toBe('16');
    const drawn = lines(root);
    expect(drawn).toHaveLength(16);
    expect(new Set(drawn.map(l => l.getAttribute('stroke')))).toEqual(new Set([AGGREGATE_COLOR]));
    const sec = view.snapshot()!.section;
    const mean = [0, 1, 2].reduce((a, h) => a + sec.attention!.get(0, h, 2, 3), 0) / 3;
    // collected query by query, key by key: (query 2, key 3) is line 11
    expect(Number(drawn[2 * 4 + 3].getAttribute('stroke-opacity'))).toBeCloseTo(mean, 3);
  });

  it('counts the focused token lines and follows the active heads', () => {
    const { root, chip, sel, view } = mount();
    chip.click();
    chip.click(); // max
    sel.hover({ side: 'query', index: 1 });
    expect(root.dataset.lines).toBe('4');
    sel.setHeads([0, 2]);
    const sec = view.snapshot()!.section;
    const max = Math.max(sec.attention!.get(0, 0, 1, 2), sec.attention!.get(0, 2, 1, 2));
    expect(Number(lines(root)[2].getAttribute('stroke-opacity'))).toBeCloseTo(max, 3);
    expect(chip.title).toContain('max of the 2 active heads');
    // the tooltip leads with the aggregate's row
    root.querySelector<HTMLElement>('.attnscope-token[data-side="query"][data-index="1"]')!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    const rows = Array.from(root.querySelectorAll('.attnscope-tooltip-row')).map(r => r.textContent ?? '');
    expect(rows[0]).toMatch(/^max of 2: max \d\.\d{4} \u2192 /);
    expect(rows.slice(1).map(r => r.split(':')[0])).toEqual(['head 0', 'head 9']);
  });

  it('the export draws the aggregate lines when they are shown', () => {
    const { chip, view } = mount();
    chip.click();
    const snap = view.snapshot()!;
    expect(snap.aggregate).toBe('mean');
    const out = headSvg(headInput({ aggregate: 'mean' }));
    expect(out.lines).toBe(16);
    const doc = parse(out.svg);
    const svgLines = els(doc, '[data-role="links"] line');
    expect(svgLines).toHaveLength(16);
    expect(svgLines[0].getAttribute('stroke')).toBe(AGGREGATE_COLOR);
    expect(svgLines[0].getAttribute('data-head')).toBe('mean');
    expect(doc.querySelector('[data-role="aggregate-chip"]')!.textContent).toBe('mean');
    expect(doc.querySelector('[data-role="title"]')!.textContent).toContain('mean of 3 heads');
    expect(headSvg(headInput({ aggregate: 'off' })).lines).toBe(48);
  });

  it('the neutral colour is readable on light and dark backgrounds; drawnHeads passes heads through when off', () => {
    expect(contrastRatio(AGGREGATE_COLOR, LIGHT_BACKGROUND)).toBeGreaterThanOrEqual(3);
    expect(contrastRatio(AGGREGATE_COLOR, DARK_BACKGROUND)).toBeGreaterThanOrEqual(3);
    const w = [Float32Array.from([1, 0]), Float32Array.from([0, 1])];
    const off = drawnHeads(w, [0, 1], 'off', ['#111', '#222']);
    expect(off.heads).toEqual([0, 1]);
    expect(off.colorOf(1)).toBe('#222');
    const mean = drawnHeads(w, [0, 1], 'mean', ['#111', '#222']);
    expect(Array.from(mean.weights[0])).toEqual([0.5, 0.5]);
    expect(mean.heads).toEqual([0]);
  });
});
