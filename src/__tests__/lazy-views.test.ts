/**
 * @jest-environment jsdom
 *
 * Lazy sections end to end in the page: decoding (summary, fetched slices, errors), and the head,
 * model and neuron views asking for slices, saying what is happening, and painting when they come.
 */
import { FetchRequest } from '../wire/messages';
import { SliceStore } from '../data/slice-store';
import { Selection } from '../selection/state';
import { applyStats } from '../data/stats';
import { decodeSections } from '../data/sections';
import { overview, Section, SectionSource } from '../data/section';
import { GridView } from '../views/model/view';
import { HeadView } from '../views/head/view';
import { NeuronView } from '../views/neuron/view';
import { lazySection, reply, weightAt } from './fixtures/lazy';

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 600 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

/** A page-side source over decoded lazy sections, wired to a fake kernel that records requests. */
function source(raw: Record<string, unknown>[], live = true) {
  const d = decodeSections(raw);
  if (!d.ok) {
    throw new Error(d.error);
  }
  const store = d.store as SliceStore;
  const sent: FetchRequest[] = [];
  store.attach({ send: r => (live ? (sent.push(r), true) : false) });
  const src: SectionSource = {
    sectionList: d.sections,
    section: k => d.sections.find(s => s.key === k),
    sentenceBStart: null,
    onData: fn => store.subscribe(fn),
    release: c => store.release(c)
  };
  const answer = (i: number, n = 4, dim = 0): void => {
    const { content, buffers } = reply(sent[i], n, dim);
    store.receive(content, buffers);
  };
  return { src, store, sent, answer, sec: d.sections[0] as Section };
}

describe('lazy sections', () => {
  it('decode shape, real ids and the pooled summary, with no weights until fetched', () => {
    const { sec } = source([lazySection({ n: 100, r: 64 })]);
    expect(sec.lazy).toBe(true);
    expect(sec.shape).toEqual([2, 2, 100, 100]);
    expect(sec.attention).toBeNull();
    expect(sec.weights(0, 0)).toBeNull();
    expect(sec.summary!.statNames).toEqual(['entropy']);
    const o = overview(sec, 1, 1);
    expect([o.rows, o.cols, o.exact]).toEqual([64, 64, false]);
    expect(o.weights[2 * 64 + 5]).toBe(weightAt(1, 1, 2, 5));
  });

  it('ask the kernel with real layer and head ids and read the answer by slot', () => {
    const { sec, sent, answer } = source([lazySection()]);
    expect(sec.request('t', 1, [1]).state).toBe('loading');
    expect(sent[0]).toMatchObject({ type: 'fetch', section: 'self', layer: 7, heads: [9] });
    answer(0);
    expect(sec.request('t', 1, [1]).state).toBe('ready');
    expect(sec.weights(1, 1)![3]).toBe(weightAt(7, 9, 0, 3));
  });

  it('take slices saved with the widget state (fetched) without asking', () => {
    const { content, buffers } = reply({ type: 'fetch', id: 0, section: 'self', layer: 3, heads: [4, 9] });
    const fetched = [{ ...content, attention: { dtype: 'float16', shape: [2, 4, 4], buffer: buffers[0] } }];
    const { sec, sent } = source([lazySection({ fetched })]);
    expect(sec.request('t', 0, [0, 1]).state).toBe('ready');
    expect(sent).toHaveLength(0);
    expect(sec.weights(0, 1)![15]).toBe(weightAt(3, 9, 3, 3));
  });

  it.each([
    [{ attention: { dtype: 'float16', shape: [1], buffer: new DataView(new ArrayBuffer(2)) } }, /is lazy but has attention/],
    [{ shape: [2, 2, 4] }, /shape must be 4 non-negative integers/],
    [{ summary: undefined }, /summary must be an object/],
    [{ summary: { ...(lazySection().summary as object), stat_names: [] } }, /summary.stats must be \[2, 2, S\] with S names/],
    [{ head_dim: -1 }, /head_dim must be a positive integer/],
    [{ lazy: 'yes' }, /lazy must be true or false/],
    [{ fetched: [{ section: 'cross', layer: 3, heads: [4] }] }, /fetched\[0\] must be a slice of this section/]
  ])('reject a malformed lazy section %#', (over, message) => {
    const d = decodeSections([{ ...lazySection(), ...over }]);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.error).toMatch(message);
  });

  it('reject lazy-only fields on an eager section', () => {
    const eagerRaw = { ...lazySection(), lazy: undefined, shape: undefined, summary: { pooled: null } };
    const d = decodeSections([eagerRaw]);
    expect(!d.ok && d.error).toMatch(/not lazy but has summary/);
  });
});

describe('views of a lazy section', () => {
  it('head view: loading with a visible status, then lines once the layer arrives', () => {
    const { src, sent, answer } = source([lazySection()]);
    const view = new HeadView(src, new Selection({ section: 'self', layer: 7, nHeads: 2 }));
    document.body.appendChild(view.element);
    const root = view.element;
    expect(root.dataset.state).toBe('loading');
    expect(root.dataset.fetch).toBe('loading');
    const status = root.querySelector<HTMLElement>('.attnscope-fetch-status')!;
    expect(status.hidden).toBe(false);
    expect(status.textContent).toMatch(/Loading from the kernel/);
    expect(sent.map(r => [r.layer, r.heads])).toEqual([[7, [4, 9]]]);
    answer(0);
    expect(root.dataset.state).toBe('ready');
    expect(root.dataset.fetch).toBe('ready');
    expect(status.hidden).toBe(true);
    expect(Number(root.dataset.lines)).toBeGreaterThan(0);
  });

  it('head view without a kernel: says the layer was not saved, as an error state', () => {
    const { src } = source([lazySection()], false);
    const view = new HeadView(src, new Selection({ section: 'self', layer: 3, nHeads: 2 }));
    document.body.appendChild(view.element);
    expect(view.element.dataset.state).toBe('error');
    expect(view.element.dataset.fetch).toBe('unsaved');
    expect(view.element.querySelector('.attnscope-fetch-status')!.textContent).toMatch(/Not saved: layer 3, heads 4, 9/);
    expect(view.element.querySelector<HTMLElement>('.attnscope-fetch-retry')!.hidden).toBe(true);
  });

  it('model view: paints every thumbnail from the summary without fetching', () => {
    const { src, sent } = source([lazySection({ n: 100, r: 64 })]);
    const view = new GridView(src, new Selection({ section: 'self', layer: 3, nHeads: 2 }));
    document.body.appendChild(view.element);
    expect(view.element.dataset.state).toBe('ready');
    expect(view.element.dataset.summary).toBe('pooled');
    expect(view.element.querySelectorAll('.attnscope-thumb')).toHaveLength(4);
    expect(sent).toHaveLength(0);
  });

  it('model view: the thumbnail tooltip gains the head statistics once the kernel sends them', () => {
    const base = lazySection();
    const raw = { ...base, summary: { ...(base.summary as Record<string, unknown>), stats: null, stat_names: ['entropy', 'previous'] } };
    const d = decodeSections([raw]);
    if (!d.ok) {
      throw new Error(d.error);
    }
    const src: SectionSource = { sectionList: d.sections, section: k => d.sections.find(x => x.key === k), sentenceBStart: null };
    const view = new GridView(src, new Selection({ section: 'self', layer: 3, nHeads: 2 }));
    document.body.appendChild(view.element);
    const hover = (): string => {
      view.element.querySelector('.attnscope-thumb[data-layer="7"][data-head="9"]')!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      return view.element.querySelector('.attnscope-tooltip')!.textContent ?? '';
    };
    expect(hover()).toBe('Layer 7, head 9: click to open');
    const values = new DataView(Float32Array.from([0, 0, 0, 0, 0, 0, 1.5, 0.25]).buffer); // [2 layers, 2 heads, 2]
    applyStats(d, { type: 'stats', section: 'self', stat_names: ['entropy', 'previous'], stats: { dtype: 'float32', shape: [2, 2, 2], buffer: 0 } }, [values]);
    expect(hover()).toBe('Layer 7, head 9: click to open\nentropy 1.50 nats \u00b7 on previous token 0.250');
  });

  it('neuron view: fetches the shown head with its vectors, then shows it', () => {
    const { src, sent, answer } = source([lazySection({ headDim: 2 })]);
    const view = new NeuronView(src, new Selection({ section: 'self', layer: 7, nHeads: 2 }));
    document.body.appendChild(view.element);
    expect(view.element.dataset.state).toBe('loading');
    expect(sent[0]).toMatchObject({ layer: 7, heads: [4] });
    answer(0, 4, 2);
    expect(view.element.dataset.fetch).toBe('ready');
    expect(view.element.dataset.dim).toBe('2');
    expect(view.element.querySelector<HTMLElement>('.attnscope-neuron-body, .attnscope-neuron-table')).not.toBeNull();
  });
});
