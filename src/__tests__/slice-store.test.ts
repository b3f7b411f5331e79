import { FetchRequest } from '../wire/messages';
import { headBytes } from '../data/slice-cache';
import { SliceStore } from '../data/slice-store';
import { reply, weightAt } from './fixtures/lazy';

/** A store with a recording transport and manual timers. */
function setup(opts: { maxBytes?: number; live?: boolean } = {}) {
  const sent: FetchRequest[] = [];
  const timers: (() => void)[] = [];
  const store = new SliceStore({
    maxBytes: opts.maxBytes ?? 1 << 20,
    timeoutMs: 5000,
    setTimer: fn => timers.push(fn),
    clearTimer: () => undefined
  });
  const live = opts.live ?? true;
  store.attach({ send: r => (live ? (sent.push(r), true) : false) });
  let events = 0;
  store.subscribe(() => events++);
  const answer = (r: FetchRequest, n = 4, dim = 0): void => {
    const { content, buffers } = reply(r, n, dim);
    store.receive(content, buffers);
  };
  return { store, sent, timers, answer, events: () => events };
}

const B = headBytes(4, 4, 0);

describe('SliceStore', () => {
  it('asks the kernel once for what it lacks, with real ids, and holds the exact answer', () => {
    const { store, sent, answer, events } = setup();
    const st = store.request('v1', 'self', 7, [9, 4], B);
    expect(st.state).toBe('loading');
    expect(sent).toEqual([{ type: 'fetch', id: 1, section: 'self', layer: 7, heads: [9, 4] }]);
    // asking again while the answer is on its way sends nothing
    expect(store.request('v2', 'self', 7, [4], B).state).toBe('loading');
    expect(sent).toHaveLength(1);
    answer(sent[0]);
    expect(events()).toBe(1);
    expect(store.request('v1', 'self', 7, [9, 4], B)).toEqual({ state: 'ready', message: '', heads: [9, 4], capped: false });
    const s = store.get('self', 7, 9)!;
    expect(s.attention).toHaveLength(16);
    expect(s.attention[2 * 4 + 3]).toBe(weightAt(7, 9, 2, 3));
    expect(store.get('self', 7, 4)!.attention[5]).toBe(weightAt(7, 4, 1, 1));
    expect(store.totalBytes).toBe(2 * B);
  });

  it('decodes the query and key vectors that come with a slice', () => {
    const { store, sent, answer } = setup();
    store.request('v', 'self', 0, [1], headBytes(4, 4, 2));
    answer(sent[0], 4, 2);
    const s = store.get('self', 0, 1)!;
    expect(s.queries!.shape).toEqual([4, 2]);
    expect(s.keys!.get(1, 1)).toBe(100 + 3 / 8);
  });

  it('says it is waiting after the timeout, and still takes a late answer', () => {
    const { store, sent, timers, answer } = setup();
    store.request('v', 'self', 0, [0], B);
    timers[0]();
    const st = store.request('v', 'self', 0, [0], B);
    expect(st.state).toBe('waiting');
    expect(st.message).toMatch(/no answer after 5 s/);
    expect(sent).toHaveLength(1); // waiting is not re-sending
    answer(sent[0]);
    expect(store.request('v', 'self', 0, [0], B).state).toBe('ready');
  });

  it('shows the kernel\'s error, does not ask again by itself, and asks again on retry', () => {
    const { store, sent, answer } = setup();
    store.request('v', 'self', 0, [0], B);
    store.receive({ type: 'error', id: sent[0].id, message: 'layer 0 is not shown' });
    const st = store.request('v', 'self', 0, [0], B);
    expect(st.state).toBe('failed');
    expect(st.message).toMatch(/layer 0 is not shown/);
    expect(sent).toHaveLength(1);
    store.retry('self', 0, [0]);
    expect(sent).toHaveLength(2);
    answer(sent[1]);
    expect(store.request('v', 'self', 0, [0], B).state).toBe('ready');
  });

  it('without a kernel, says the slice was not saved and how to get it', () => {
    const { store, sent } = setup({ live: false });
    const st = store.request('v', 'self', 2, [1, 3], B);
    expect(sent).toHaveLength(0);
    expect(st.state).toBe('unsaved');
    expect(st.message).toMatch(/^Not saved: layer 2, heads 1, 3 were not saved .* Run the cell again/);
  });

  it('fails what is pending when the kernel is lost, and sends nothing more', () => {
    const { store, sent, events } = setup();
    store.request('v', 'self', 0, [0], B);
    store.lost('The kernel restarted');
    expect(events()).toBe(1);
    expect(store.request('v', 'self', 0, [0], B)).toMatchObject({ state: 'failed', message: 'The kernel restarted' });
    expect(store.request('v', 'self', 1, [0], B)).toMatchObject({ state: 'failed', message: 'The kernel restarted' });
    expect(sent).toHaveLength(1);
  });

  it('turns a malformed answer into a failure, never an exception', () => {
    const { store, sent } = setup();
    store.request('v', 'self', 0, [0], B);
    const { content } = reply(sent[0]);
    expect(() => store.receive(content, [])).not.toThrow(); // buffer index 0 of none
    expect(store.request('v', 'self', 0, [0], B)).toMatchObject({ state: 'failed' });
    expect(store.request('v', 'self', 0, [0], B).message).toMatch(/malformed: slice.attention.buffer must index/);
    expect(() => store.receive(null)).not.toThrow();
    expect(() => store.receive({ type: 'slice', id: 99 }, [])).not.toThrow();
    expect(() => store.receive('text')).not.toThrow();
  });

  it('drops the least recently used slices above its byte bound, never those a view shows', () => {
    const { store, sent, answer } = setup({ maxBytes: 3 * B });
    store.request('head', 'self', 0, [0, 1], B);
    answer(sent[0]);
    store.request('open', 'self', 1, [0], B);
    answer(sent[1]);
    expect(store.size).toBe(3);
    // the open head moves: layer 1 head 1 comes in, layer 1 head 0 is no longer shown and goes
    store.request('open', 'self', 1, [1], B);
    answer(sent[2]);
    expect(store.size).toBe(3);
    expect(store.totalBytes).toBeLessThanOrEqual(3 * B);
    expect(store.has('self', 1, 0)).toBe(false);
    expect(store.has('self', 0, 0) && store.has('self', 0, 1) && store.has('self', 1, 1)).toBe(true);
  });

  it('caps a request larger than the bound to the heads that fit, and says so', () => {
    const { store, sent } = setup({ maxBytes: 2.5 * B });
    const st = store.request('v', 'self', 0, [5, 6, 7, 8], B);
    expect(st.capped).toBe(true);
    expect(st.heads).toEqual([5, 6]);
    expect(sent[0].heads).toEqual([5, 6]);
  });

  it('saves the most recent slices, one head each, up to a byte bound', () => {
    const { store, sent, answer } = setup();
    store.request('v', 'self', 0, [0, 1], B);
    answer(sent[0]);
    const all = store.saved(1 << 20);
    expect(all.map(s => s.heads)).toEqual([[1], [0]]);
    expect(all[0].attention.shape).toEqual([1, 4, 4]);
    expect(all[0].attention.buffer.byteLength).toBe(32);
    expect(store.saved(40)).toHaveLength(1);
  });

  it('stores slices the widget state already carries, and clear() empties it', () => {
    const { store, sent } = setup();
    const { content, buffers } = reply({ type: 'fetch', id: 0, section: 'self', layer: 3, heads: [4] });
    const slice = { ...content, attention: { dtype: 'float16', shape: [1, 4, 4], buffer: buffers[0] } } as never;
    store.add(slice);
    expect(store.request('v', 'self', 3, [4], B).state).toBe('ready');
    expect(sent).toHaveLength(0);
    store.clear();
    expect([store.size, store.totalBytes]).toEqual([0, 0]);
  });
});
