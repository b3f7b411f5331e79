/**
 * @jest-environment jsdom
 */
import { decodeSections } from '../data/sections';
import { Section, SectionSource } from '../data/section';
import { SliceStore } from '../data/slice-store';
import { Selection } from '../selection/state';
import { FetchRequest } from '../wire/messages';
import { TextView } from '../views/text/view';
import { lazySection, reply, weightAt } from './fixtures/lazy';

beforeAll(() => {
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

describe('text view, lazy sections', () => {
  it('says it is loading the exact weights, asks for them, and shades when they come', () => {
    const { src, sec, sent, store } = lazySource(100, 64);
    const sel = new Selection({ section: 'self', layer: 3, nHeads: 2 });
    const view = new TextView(src, sel);
    document.body.appendChild(view.element);
    const root = view.element;
    expect(root.dataset.state).toBe('loading');
    expect(root.dataset.exact).toBe('false');
    expect(root.querySelector('.attnscope-text-caption')!.textContent).toContain('loading exact weights');
    expect(all(root, '.attnscope-text-token')[0].dataset.weight).toBe('');
    expect(sent[0]).toMatchObject({ type: 'fetch', section: 'self', layer: 3, heads: [4, 9] });
    const { content, buffers } = reply(sent[0], 100);
    store.receive(content, buffers);
    expect(root.dataset.state).toBe('ready');
    expect(root.dataset.exact).toBe('true');
    sel.pin({ side: 'query', index: 2 });
    const w = Number(all(root, '.attnscope-text-token')[5].dataset.weight);
    expect(w).toBeCloseTo((weightAt(3, 4, 2, 5) + weightAt(3, 9, 2, 5)) / 2, 6);
    expect(sec.lazy).toBe(true);
  });

  it('a summary that holds the whole matrix (short inputs) shades at once, exactly', () => {
    const { src } = lazySource(4, 4);
    const sel = new Selection({ section: 'self', layer: 3, nHeads: 2 });
    const view = new TextView(src, sel);
    document.body.appendChild(view.element);
    expect(view.element.dataset.state).toBe('ready');
    expect(view.element.dataset.exact).toBe('true');
  });
});
