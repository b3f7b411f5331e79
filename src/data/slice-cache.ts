/**
 * The (layer, head) slices of lazy sections that the page holds, in a least-recently-used cache
 * with a byte bound. What a consumer (a view) asked for last is never evicted to make room for
 * something else. Keys are real ids: (section, real layer, real head). Pure data: no timers, no
 * transport (slice-store.ts fetches).
 */
import { decodeWire } from '../wire/codec';
import { WireError } from '../wire/errors';
import { WireBytes, WireSlice } from '../wire/messages';
import { Tensor } from '../wire/tensor';

/** One head of one layer: attention [queries * keys] and, with vectors, queries [Q, d] and keys [K, d]. */
export interface SliceData {
  attention: Float32Array;
  queries: Tensor | null;
  keys: Tensor | null;
}

interface Entry {
  data: SliceData;
  /** The wire form of this head alone (views on the received bytes), to save with the notebook. */
  wire: WireSlice;
  bytes: number;
}

export function sliceKey(section: string, layer: number, head: number): string {
  return `${section}/${layer}/${head}`;
}

/** Bytes one head costs in the page: float32 weights + the float16 bytes kept for saving + vectors. */
export function headBytes(nQ: number, nK: number, dim: number): number {
  return nQ * nK * 6 + (nQ + nK) * dim * 8;
}

/** The wire form of head i of a multi-head slice (a view on the same bytes). */
function oneHead(slice: WireSlice, i: number, nh: number): WireSlice {
  const cut = (w: WireBytes): WireBytes => {
    const per = w.buffer.byteLength / nh;
    return { dtype: w.dtype, shape: [1, ...w.shape.slice(1)], buffer: new DataView(w.buffer.buffer, w.buffer.byteOffset + i * per, per) };
  };
  return {
    section: slice.section,
    layer: slice.layer,
    heads: [slice.heads[i]],
    attention: cut(slice.attention),
    ...(slice.queries && slice.keys ? { queries: cut(slice.queries), keys: cut(slice.keys) } : {})
  };
}

/** A slice's arrays decoded and checked to fit together, one entry per head. */
function decodeSlice(slice: WireSlice): { key: string; entry: Entry }[] {
  const att = decodeWire(slice.attention, 'slice.attention');
  const nh = slice.heads.length;
  if (att.rank !== 3 || att.shape[0] !== nh) {
    throw new WireError(`slice.attention must be [${nh}, queries, keys], received [${att.shape.join(', ')}]`);
  }
  const [, nQ, nK] = att.shape;
  const q = slice.queries ? decodeWire(slice.queries, 'slice.queries') : null;
  const k = slice.keys ? decodeWire(slice.keys, 'slice.keys') : null;
  if (!!q !== !!k) {
    throw new WireError('slice has queries or keys but not both');
  }
  if (q && k && (q.rank !== 3 || k.rank !== 3 || q.shape[0] !== nh || k.shape[0] !== nh || q.shape[1] !== nQ || k.shape[1] !== nK || q.shape[2] !== k.shape[2])) {
    throw new WireError(`slice.queries [${q.shape.join(', ')}] / keys [${k.shape.join(', ')}] do not fit attention [${att.shape.join(', ')}]`);
  }
  return slice.heads.map((head, i) => ({
    key: sliceKey(slice.section, slice.layer, head),
    entry: {
      data: { attention: att.slice(i).data, queries: q ? q.slice(i) : null, keys: k ? k.slice(i) : null },
      wire: oneHead(slice, i, nh),
      bytes: headBytes(nQ, nK, q ? q.shape[2] : 0)
    }
  }));
}

export class SliceCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = recency (oldest first)
  private readonly protectedBy = new Map<string, Set<string>>();
  private bytes = 0;

  constructor(private maxBytes: number) {}

  get totalBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get bound(): number {
    return this.maxBytes;
  }

  setMaxBytes(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evict();
  }

  /** The slice if the page holds it (and marks it recently used), else null. */
  get(key: string): SliceData | null {
    const e = this.entries.get(key);
    if (!e) {
      return null;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.data;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** What `consumer` asked for last: kept whatever else comes in. */
  protect(consumer: string, keys: readonly string[]): void {
    this.protectedBy.set(consumer, new Set(keys));
  }

  /** A consumer that goes away (a closed view) no longer protects its slices from eviction. */
  release(consumer: string): void {
    this.protectedBy.delete(consumer);
  }

  /** Decodes and stores a slice (throws a WireError when malformed). Returns the keys stored. */
  add(slice: WireSlice): string[] {
    const heads = decodeSlice(slice);
    for (const { key, entry } of heads) {
      const old = this.entries.get(key);
      if (old) {
        this.bytes -= old.bytes;
        this.entries.delete(key);
      }
      this.entries.set(key, entry);
      this.bytes += entry.bytes;
    }
    this.evict();
    return heads.map(h => h.key);
  }

  /** Slices to save with the notebook: the most recently used first, up to `maxBytes` of float16. */
  saved(maxBytes: number): WireSlice[] {
    const out: WireSlice[] = [];
    let total = 0;
    for (const e of Array.from(this.entries.values()).reverse()) {
      total += e.wire.attention.buffer.byteLength;
      if (total > maxBytes) {
        break;
      }
      out.push(e.wire);
    }
    return out;
  }

  clear(): void {
    this.entries.clear();
    this.protectedBy.clear();
    this.bytes = 0;
  }

  private evict(): void {
    if (this.bytes <= this.maxBytes) {
      return;
    }
    const keep = new Set<string>();
    this.protectedBy.forEach(set => set.forEach(k => keep.add(k)));
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes) {
        break;
      }
      if (!keep.has(key)) {
        this.entries.delete(key);
        this.bytes -= e.bytes;
      }
    }
  }
}
