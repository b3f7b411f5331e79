/**
 * The (layer, head) slices of lazy sections that the page holds: fetched from the kernel with
 * `{type: "fetch", id, section, layer, heads}` custom messages (real layer and head ids), answered
 * by `{type: "slice", ...}` with binary buffers, kept in a least-recently-used cache with a byte
 * bound. Every state a request can be in is visible to the views: loading, waiting (no answer
 * after the timeout: the kernel is busy or gone; the answer still lands if it comes), failed
 * (the kernel said why, or was lost), not saved (no kernel: a saved notebook or an HTML export).
 *
 * Pure data and timers: no DOM, no ipywidgets; the model supplies the transport.
 */
import { Tensor } from '../wire/tensor';
import { decodeWire } from '../wire/codec';
import { WireError } from '../wire/errors';

export interface FetchRequest {
  type: 'fetch';
  id: number;
  section: string;
  layer: number;
  heads: number[];
}

export interface SliceTransport {
  /** Sends a request to the kernel; false when no kernel can answer (saved notebook, HTML export). */
  send(request: FetchRequest): boolean;
}

/** One head of one layer: attention [queries * keys] and, with vectors, queries [Q, d] and keys [K, d]. */
export interface SliceData {
  attention: Float32Array;
  queries: Tensor | null;
  keys: Tensor | null;
}

/** The wire form of one fetched slice, as replies carry it and as it is saved in `fetched`. */
export interface WireSlice {
  section: string;
  layer: number;
  heads: number[];
  attention: { dtype: string; shape: number[]; buffer: DataView };
  queries?: { dtype: string; shape: number[]; buffer: DataView };
  keys?: { dtype: string; shape: number[]; buffer: DataView };
}

export type SliceStateName = 'ready' | 'loading' | 'waiting' | 'failed' | 'unsaved';

export interface SliceStatus {
  state: SliceStateName;
  /** What to tell the user when not ready ('' when ready). */
  message: string;
  /** The heads asked for that fit the cache bound, in the order asked (all of them unless capped). */
  heads: number[];
  /** True when the heads asked for needed more than the cache bound: only `heads` were fetched. */
  capped: boolean;
}

export interface SliceStoreOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Timer hooks (tests use fake ones). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Entry {
  data: SliceData;
  wire: WireSlice;
  bytes: number;
}

interface Pending {
  keys: string[];
  timer: unknown;
}

function sliceKey(section: string, layer: number, head: number): string {
  return `${section}/${layer}/${head}`;
}

/** Bytes one head costs in the page: float32 weights + the float16 bytes kept for saving + vectors. */
export function headBytes(nQ: number, nK: number, dim: number): number {
  return nQ * nK * 6 + (nQ + nK) * dim * 8;
}

export class SliceStore {
  private readonly entries = new Map<string, Entry>(); // insertion order = recency (oldest first)
  private readonly pending = new Map<number, Pending>();
  private readonly pendingKey = new Map<string, number>();
  private readonly waiting = new Set<string>();
  private readonly failures = new Map<string, string>();
  private readonly protectedBy = new Map<string, Set<string>>();
  private readonly listeners = new Set<() => void>();
  private transport: SliceTransport | null = null;
  private nextId = 1;
  private bytes = 0;
  private lostMessage = '';

  constructor(private options: SliceStoreOptions) {}

  get totalBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  setOptions(options: Partial<SliceStoreOptions>): void {
    this.options = { ...this.options, ...options };
    this.evict();
  }

  /** Connects the kernel side; null disconnects (pending requests then fail). */
  attach(transport: SliceTransport | null): void {
    this.transport = transport;
    this.lostMessage = '';
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The slice if the page holds it (and marks it recently used), else null. */
  get(section: string, layer: number, head: number): SliceData | null {
    const key = sliceKey(section, layer, head);
    const e = this.entries.get(key);
    if (!e) {
      return null;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.data;
  }

  has(section: string, layer: number, head: number): boolean {
    return this.entries.has(sliceKey(section, layer, head));
  }

  /**
   * Makes sure the heads of (section, layer) are held or on their way, for `consumer` (a view):
   * what a consumer asked for last is never evicted to make room for something else. Heads that
   * together exceed the cache bound are capped to the first ones that fit.
   */
  request(consumer: string, section: string, layer: number, heads: readonly number[], bytesPerHead: number): SliceStatus {
    const fit = Math.max(1, Math.floor(this.options.maxBytes / Math.max(1, bytesPerHead)));
    const wanted = heads.slice(0, fit);
    const capped = wanted.length < heads.length;
    const keys = wanted.map(h => sliceKey(section, layer, h));
    this.protectedBy.set(consumer, new Set(keys));
    const missing = wanted.filter((h, i) => !this.entries.has(keys[i]) && !this.pendingKey.has(keys[i]) && !this.failures.has(keys[i]));
    if (missing.length) {
      this.send(section, layer, missing);
    }
    return this.status(keys, wanted, capped);
  }

  /** Forgets failures of these heads and asks again (the user's Retry). */
  retry(section: string, layer: number, heads: readonly number[]): void {
    const keys = heads.map(h => sliceKey(section, layer, h));
    keys.forEach(k => this.failures.delete(k));
    const missing = heads.filter((h, i) => !this.entries.has(keys[i]) && !this.pendingKey.has(keys[i]));
    if (missing.length) {
      this.send(section, layer, missing);
    }
    this.emit();
  }

  /** A consumer that goes away (a closed view) no longer protects its slices from eviction. */
  release(consumer: string): void {
    this.protectedBy.delete(consumer);
  }

  /** Slices the widget state already carried (`fetched`), or a reply. Returns the keys stored. */
  add(slice: WireSlice): string[] {
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
    const keys: string[] = [];
    slice.heads.forEach((head, i) => {
      const key = sliceKey(slice.section, slice.layer, head);
      const data: SliceData = {
        attention: att.slice(i).data,
        queries: q ? q.slice(i) : null,
        keys: k ? k.slice(i) : null
      };
      const wire = oneHead(slice, i, nh);
      const bytes = headBytes(nQ, nK, q ? q.shape[2] : 0);
      const old = this.entries.get(key);
      if (old) {
        this.bytes -= old.bytes;
        this.entries.delete(key);
      }
      this.entries.set(key, { data, wire, bytes });
      this.bytes += bytes;
      this.failures.delete(key);
      this.waiting.delete(key);
      keys.push(key);
    });
    this.evict();
    return keys;
  }

  /** A message from the kernel (msg:custom). Ignores what is not ours; never throws. */
  receive(content: unknown, buffers: readonly (DataView | ArrayBuffer)[] = []): void {
    if (typeof content !== 'object' || content === null) {
      return;
    }
    const msg = content as Record<string, unknown>;
    const id = typeof msg.id === 'number' ? msg.id : -1;
    const pending = this.pending.get(id);
    if (msg.type === 'error') {
      const text = typeof msg.message === 'string' ? msg.message : 'the kernel could not answer';
      this.settle(id, pending, key => this.failures.set(key, `The kernel could not send this: ${text}`));
      this.emit();
      return;
    }
    if (msg.type !== 'slice') {
      return;
    }
    try {
      const slice = withBuffers(msg, buffers);
      this.settle(id, pending, () => undefined);
      this.add(slice);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.settle(id, pending, key => this.failures.set(key, `The kernel's answer was malformed: ${text}`));
    }
    this.emit();
  }

  /** The kernel restarted, died or the widget's comm closed: what is pending will not come. */
  lost(message: string): void {
    this.lostMessage = message;
    for (const [id, p] of this.pending) {
      this.settle(id, p, key => this.failures.set(key, message));
    }
    this.emit();
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

  /** Drops everything (the widget closed). */
  clear(): void {
    for (const p of this.pending.values()) {
      this.stopTimer(p.timer);
    }
    this.entries.clear();
    this.pending.clear();
    this.pendingKey.clear();
    this.waiting.clear();
    this.failures.clear();
    this.protectedBy.clear();
    this.bytes = 0;
  }

  private status(keys: string[], heads: number[], capped: boolean): SliceStatus {
    const base = { heads, capped };
    const failed = keys.map(k => this.failures.get(k)).find(m => m !== undefined);
    if (failed !== undefined) {
      return { ...base, state: failed.startsWith(NOT_SAVED) ? 'unsaved' : 'failed', message: failed };
    }
    if (keys.every(k => this.entries.has(k))) {
      return { ...base, state: 'ready', message: '' };
    }
    if (keys.some(k => this.waiting.has(k))) {
      const s = this.options.timeoutMs / 1000;
      return {
        ...base,
        state: 'waiting',
        message: `Waiting for the kernel: no answer after ${s} s (it may be busy running a cell, or not running). The view fills in when it answers.`
      };
    }
    return { ...base, state: 'loading', message: 'Loading from the kernel…' };
  }

  private send(section: string, layer: number, heads: number[]): void {
    const keys = heads.map(h => sliceKey(section, layer, h));
    const id = this.nextId++;
    const request: FetchRequest = { type: 'fetch', id, section, layer, heads };
    let sent = false;
    if (this.transport && !this.lostMessage) {
      try {
        sent = this.transport.send(request);
      } catch {
        sent = false;
      }
    }
    if (!sent) {
      const why = this.lostMessage || `${NOT_SAVED} layer ${layer}, head${heads.length > 1 ? 's' : ''} ${heads.join(', ')} ${heads.length > 1 ? 'were' : 'was'} not saved with the notebook, and no kernel is connected to fetch ${heads.length > 1 ? 'them' : 'it'}. Run the cell again to see ${heads.length > 1 ? 'them' : 'it'}.`;
      keys.forEach(k => this.failures.set(k, why));
      return;
    }
    const setTimer = this.options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    const timer = setTimer(() => {
      if (this.pending.has(id)) {
        keys.forEach(k => this.waiting.add(k));
        this.emit();
      }
    }, this.options.timeoutMs);
    this.pending.set(id, { keys, timer });
    keys.forEach(k => this.pendingKey.set(k, id));
  }

  private settle(id: number, p: Pending | undefined, onKey: (key: string) => void): void {
    if (!p) {
      return;
    }
    this.stopTimer(p.timer);
    this.pending.delete(id);
    for (const key of p.keys) {
      if (this.pendingKey.get(key) === id) {
        this.pendingKey.delete(key);
      }
      this.waiting.delete(key);
      onKey(key);
    }
  }

  private evict(): void {
    if (this.bytes <= this.options.maxBytes) {
      return;
    }
    const keep = new Set<string>();
    this.protectedBy.forEach(set => set.forEach(k => keep.add(k)));
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.options.maxBytes) {
        break;
      }
      if (!keep.has(key)) {
        this.entries.delete(key);
        this.bytes -= e.bytes;
      }
    }
  }

  private stopTimer(handle: unknown): void {
    if (this.options.clearTimer) {
      this.options.clearTimer(handle);
    } else {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    }
  }

  private emit(): void {
    this.listeners.forEach(fn => fn());
  }
}

/** Prefix of the message of slices that no kernel can send (state 'unsaved'). */
export const NOT_SAVED = 'Not saved:';

/** The reply's `buffer` fields are indices into the message's buffers. */
function withBuffers(msg: Record<string, unknown>, buffers: readonly (DataView | ArrayBuffer)[]): WireSlice {
  const part = (name: string): WireSlice['attention'] | undefined => {
    const v = msg[name];
    if (v === undefined || v === null) {
      return undefined;
    }
    if (typeof v !== 'object') {
      throw new WireError(`slice.${name} must be an object`);
    }
    const o = v as Record<string, unknown>;
    const i = o.buffer;
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= buffers.length) {
      throw new WireError(`slice.${name}.buffer must index one of the ${buffers.length} buffers`);
    }
    const b = buffers[i];
    const view = b instanceof DataView ? b : new DataView(b);
    return { dtype: String(o.dtype), shape: o.shape as number[], buffer: view };
  };
  const heads = msg.heads;
  if (typeof msg.section !== 'string' || !Number.isInteger(msg.layer) || !Array.isArray(heads) || !heads.every(Number.isInteger) || !heads.length) {
    throw new WireError('slice needs section, layer and a non-empty list of heads');
  }
  const attention = part('attention');
  if (!attention) {
    throw new WireError('slice has no attention');
  }
  return { section: msg.section, layer: msg.layer as number, heads: heads as number[], attention, queries: part('queries'), keys: part('keys') };
}

/** The wire form of head i of a multi-head slice (a view on the same bytes). */
function oneHead(slice: WireSlice, i: number, nh: number): WireSlice {
  const cut = (w: WireSlice['attention']): WireSlice['attention'] => {
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
