/**
 * tests/fixtures/messages.json: one example of every custom message between the kernel and the page
 * (and of a slice as saved in the widget state), written on the Python side. The page's encoders
 * must produce them and its decoders accept them with the values they carry; malformed variants
 * are rejected with an error naming the field.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { decodeSections } from '../data/sections';
import { SliceCache } from '../data/slice-cache';
import { SliceStore } from '../data/slice-store';
import { applyStats } from '../data/stats';
import { decodeWire } from '../wire/codec';
import { WireError } from '../wire/errors';
import {
  decodeErrorReply,
  decodeSavedSlice,
  decodeSliceReply,
  decodeStatsMessage,
  fetchRequest,
  FetchRequest,
  messageType,
  replyId,
  WireSlice
} from '../wire/messages';

interface Frame {
  dtype: string;
  shape: number[];
  hex: string;
  values: unknown;
}

interface Example {
  name: string;
  direction: string;
  content: Record<string, unknown>;
  buffers: Frame[];
  buffer_paths?: string[][];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'tests', 'fixtures', 'messages.json'), 'utf8')) as {
  input: { tokens: string[]; attention: number[][][][] };
  examples: Example[];
};

function example(name: string): Example {
  const e = fixture.examples.find(x => x.name === name);
  if (!e) {
    throw new Error(`messages.json has no example "${name}"`);
  }
  return JSON.parse(JSON.stringify(e)) as Example;
}

function bytesOf(frame: Frame): DataView {
  const bytes = new Uint8Array(frame.hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(frame.hex.slice(2 * i, 2 * i + 2), 16);
  }
  return new DataView(bytes.buffer);
}

const buffersOf = (e: Example): DataView[] => e.buffers.map(bytesOf);
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

/** The saved form with its frames put back at buffer_paths (as ipywidgets does on load). */
function savedWithBuffers(e: Example): Record<string, unknown> {
  const content = e.content;
  (e.buffer_paths ?? []).forEach((path, i) => {
    let at: Record<string, unknown> = content;
    path.slice(0, -1).forEach(p => (at = at[p] as Record<string, unknown>));
    at[path[path.length - 1]] = bytesOf(e.buffers[i]);
  });
  return content;
}

const F32 = (values: number[]): DataView => new DataView(new Float32Array(values).buffer);

/** A lazy section over the fixture's input, as the kernel would describe it. */
function lazySection(over: Record<string, unknown> = {}): Record<string, unknown> {
  const { tokens, attention } = fixture.input;
  const shape = [attention.length, attention[0].length, tokens.length, tokens.length];
  return {
    key: 'self',
    label: 'Attention',
    lazy: true,
    shape,
    layers: [0, 1],
    heads: [0, 1],
    query_tokens: tokens,
    key_tokens: tokens,
    summary: { pooled: { dtype: 'float32', shape, buffer: F32(flat(attention)) }, stats: null, stat_names: example('stats').content.stat_names },
    ...over
  };
}

describe('messages.json', () => {
  it('has every message the page sends or reads', () => {
    expect(fixture.examples.map(e => e.name)).toEqual(
      expect.arrayContaining(['fetch', 'slice', 'slice with vectors', 'error', 'error without id', 'stats', 'saved slice'])
    );
  });

  it('fetch: the page sends exactly this request', () => {
    const { content } = example('fetch');
    const { id, section, layer, heads } = content as unknown as FetchRequest;
    expect(fetchRequest(id, section, layer, heads)).toEqual(content);
    const sent: FetchRequest[] = [];
    const store = new SliceStore({ maxBytes: 2 ** 20, timeoutMs: 1000, setTimer: () => 0, clearTimer: () => undefined });
    store.attach({ send: r => (sent.push(r), true) });
    store.request('view', section, layer, heads, 100);
    expect(sent).toEqual([{ ...content, id: sent[0].id }]);
    expect(Object.keys(sent[0]).sort()).toEqual(Object.keys(content).sort());
  });

  it.each(['slice', 'slice with vectors'])('%s: decoded with the values it carries', name => {
    const e = example(name);
    expect(messageType(e.content)).toBe('slice');
    expect(replyId(e.content)).toBe(e.content.id);
    const slice = decodeSliceReply(e.content, buffersOf(e));
    expect(slice.heads).toEqual(e.content.heads);
    const cache = new SliceCache(2 ** 20);
    cache.add(slice);
    const heads = e.content.heads as number[];
    const [att, queries, keys] = e.buffers.map(b => b.values as number[][][]);
    heads.forEach((h, i) => {
      const got = cache.get(`self/${e.content.layer}/${h}`);
      expect(Array.from(got?.attention ?? [])).toEqual(flat(att[i]));
      if (queries) {
        expect(Array.from(got?.queries?.data ?? [])).toEqual(flat(queries[i]).map(Math.fround));
        expect(Array.from(got?.keys?.data ?? [])).toEqual(flat(keys[i]).map(Math.fround));
      } else {
        expect(got?.queries).toBeNull();
      }
    });
  });

  it('a slice reply reaches the views through the store', () => {
    const e = example('slice');
    const store = new SliceStore({ maxBytes: 2 ** 20, timeoutMs: 1000, setTimer: () => 0, clearTimer: () => undefined });
    const sent: FetchRequest[] = [];
    store.attach({ send: r => (sent.push(r), true) });
    const heads = e.content.heads as number[];
    store.request('view', 'self', e.content.layer as number, heads, 100);
    store.receive({ ...e.content, id: sent[0].id }, buffersOf(e));
    expect(store.request('view', 'self', e.content.layer as number, heads, 100).state).toBe('ready');
  });

  it.each(['error', 'error without id'])('%s: the kernel says why', name => {
    const e = example(name);
    expect(messageType(e.content)).toBe('error');
    const reply = decodeErrorReply(e.content);
    expect(reply.message).toBe(e.content.message);
    expect(reply.id).toBe(typeof e.content.id === 'number' ? e.content.id : -1);
  });

  it('stats: applied to the lazy section it names', () => {
    const e = example('stats');
    expect(messageType(e.content)).toBe('stats');
    const msg = decodeStatsMessage(e.content, buffersOf(e));
    expect(msg.statNames).toEqual(e.content.stat_names);
    const d = decodeSections([lazySection()]);
    expect(applyStats(d, e.content, buffersOf(e))).toBe('self');
    const stats = d.ok ? d.sections[0].summary?.stats : null;
    const want = flat(e.buffers[0].values);
    expect(stats?.shape).toEqual(e.buffers[0].shape);
    Array.from(stats?.data ?? []).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
  });

  it('saved slice: a lazy section shows it with no kernel', () => {
    const e = example('saved slice');
    const saved = savedWithBuffers(e);
    const slice = decodeSavedSlice(saved, 'fetched[0]', 'self', [0, 1], [0, 1]);
    expect(decodeWire(slice.attention).shape).toEqual(e.buffers[0].shape);
    const d = decodeSections([lazySection({ fetched: [saved] })]);
    expect(d.ok).toBe(true);
    const sec = d.ok ? d.sections[0] : null;
    const att = e.buffers[0].values as number[][][];
    (e.content.heads as number[]).forEach((h, i) => {
      expect(Array.from(sec?.weights(e.content.layer as number, h) ?? [])).toEqual(flat(att[i]));
    });
  });

  it('what the page saves is in the saved form, and reads back to the same weights', () => {
    const e = example('slice');
    const cache = new SliceCache(2 ** 20);
    cache.add(decodeSliceReply(e.content, buffersOf(e)));
    const saved: WireSlice[] = cache.saved(2 ** 20);
    const keys = Object.keys(example('saved slice').content).sort();
    saved.forEach(s => {
      expect(Object.keys(s).sort()).toEqual(keys);
      expect(Object.keys(s.attention).sort()).toEqual(['buffer', 'dtype', 'shape']);
      expect(s.attention.dtype).toBe(e.content.attention && (e.content.attention as { dtype: string }).dtype);
    });
    const d = decodeSections([lazySection({ fetched: saved })]);
    const sec = d.ok ? d.sections[0] : null;
    const att = e.buffers[0].values as number[][][];
    (e.content.heads as number[]).forEach((h, i) => {
      expect(Array.from(sec?.weights(e.content.layer as number, h) ?? [])).toEqual(flat(att[i]));
    });
  });
});

describe('malformed messages', () => {
  it('what is not one of ours is left alone', () => {
    expect(messageType({ type: 'hello' })).toBeNull();
    expect(messageType(null)).toBeNull();
    expect(messageType('slice')).toBeNull();
  });

  const slice = (change: (c: Record<string, unknown>) => void): Record<string, unknown> => {
    const c = example('slice with vectors').content;
    change(c);
    return c;
  };
  it.each([
    ['no heads', slice(c => delete c.heads), /slice needs section, layer and a non-empty list of heads/],
    ['empty heads', slice(c => (c.heads = [])), /non-empty list of heads/],
    ['a layer that is not an integer', slice(c => (c.layer = 1.5)), /slice needs section, layer/],
    ['no attention', slice(c => delete c.attention), /slice has no attention/],
    ['a buffer index out of range', slice(c => ((c.attention as Record<string, unknown>).buffer = 3)), /slice.attention.buffer must index one of the 3 buffers/],
    ['queries that are not an object', slice(c => (c.queries = 4)), /slice.queries must be an object/]
  ])('slice with %s', (_name, content, error) => {
    const e = example('slice with vectors');
    expect(() => decodeSliceReply(content, buffersOf(e))).toThrow(error);
    expect(() => decodeSliceReply(content, buffersOf(e))).toThrow(WireError);
  });

  it('a slice whose arrays do not fit its heads is rejected when stored', () => {
    const e = example('slice');
    const content = { ...e.content, heads: [1] };
    expect(() => new SliceCache(2 ** 20).add(decodeSliceReply(content, buffersOf(e)))).toThrow(/slice.attention must be \[1, queries, keys\]/);
  });

  it.each([
    ['a missing buffer', { stats: { dtype: 'float32', shape: [2, 2, 5], buffer: 1 } }, /stats.stats.buffer must be the index/],
    ['names that are not a list', { stat_names: 'entropy' }, /stats.stat_names must be a list of names/]
  ])('stats with %s', (_name, over, error) => {
    const e = example('stats');
    expect(() => decodeStatsMessage({ ...e.content, ...over }, buffersOf(e))).toThrow(error);
  });

  it('stats with other names than the section has', () => {
    const e = example('stats');
    const d = decodeSections([lazySection()]);
    expect(() => applyStats(d, { ...e.content, stat_names: ['entropy'] }, buffersOf(e))).toThrow(/stats.stat_names must be/);
  });

  it.each([
    ['another section', { section: 'cross' }],
    ['a layer the section does not have', { layer: 7 }],
    ['a head the section does not have', { heads: [5] }]
  ])('saved slice of %s', (_name, over) => {
    const saved = { ...savedWithBuffers(example('saved slice')), ...over };
    expect(() => decodeSavedSlice(saved, 'fetched[0]', 'self', [0, 1], [0, 1])).toThrow(/fetched\[0\] must be a slice of this section's layers and heads/);
    const d = decodeSections([lazySection({ fetched: [saved] })]);
    expect(d.ok ? '' : d.error).toMatch(/sections\[0\].fetched\[0\] must be a slice/);
  });
});
