/**
 * Fetching the (layer, head) slices of lazy sections from the kernel: a fetch message per request
 * (real layer and head ids), answered by a slice (or error) message with binary buffers, stored
 * in the slice cache. Every state a request can be in is visible to the views: loading, waiting
 * (no answer after the timeout: the kernel is busy or gone; the answer still lands if it comes),
 * failed (the kernel said why, or was lost), not saved (no kernel: a saved notebook or an HTML
 * export).
 *
 * Pure data and timers: no DOM, no ipywidgets; the model supplies the transport.
 */
import { decodeErrorReply, decodeSliceReply, fetchRequest, FetchRequest, messageType, replyId, WireSlice } from '../wire/messages';
import { SliceCache, SliceData, sliceKey } from './slice-cache';

export interface SliceTransport {
  /** Sends a request to the kernel; false when no kernel can answer (saved notebook, HTML export). */
  send(request: FetchRequest): boolean;
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

interface Pending {
  keys: string[];
  timer: unknown;
}

export class SliceStore {
  private readonly cache: SliceCache;
  private readonly pending = new Map<number, Pending>();
  private readonly pendingKey = new Map<string, number>();
  private readonly waiting = new Set<string>();
  private readonly failures = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private transport: SliceTransport | null = null;
  private nextId = 1;
  private lostMessage = '';

  constructor(private options: SliceStoreOptions) {
    this.cache = new SliceCache(options.maxBytes);
  }

  get totalBytes(): number {
    return this.cache.totalBytes;
  }

  get size(): number {
    return this.cache.size;
  }

  setOptions(options: Partial<SliceStoreOptions>): void {
    this.options = { ...this.options, ...options };
    this.cache.setMaxBytes(this.options.maxBytes);
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
    return this.cache.get(sliceKey(section, layer, head));
  }

  has(section: string, layer: number, head: number): boolean {
    return this.cache.has(sliceKey(section, layer, head));
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
    this.cache.protect(consumer, keys);
    const missing = wanted.filter((h, i) => !this.cache.has(keys[i]) && !this.pendingKey.has(keys[i]) && !this.failures.has(keys[i]));
    if (missing.length) {
      this.send(section, layer, missing);
    }
    return this.status(keys, wanted, capped);
  }

  /** Forgets failures of these heads and asks again (the user's Retry). */
  retry(section: string, layer: number, heads: readonly number[]): void {
    const keys = heads.map(h => sliceKey(section, layer, h));
    keys.forEach(k => this.failures.delete(k));
    const missing = heads.filter((h, i) => !this.cache.has(keys[i]) && !this.pendingKey.has(keys[i]));
    if (missing.length) {
      this.send(section, layer, missing);
    }
    this.emit();
  }

  /** A consumer that goes away (a closed view) no longer protects its slices from eviction. */
  release(consumer: string): void {
    this.cache.release(consumer);
  }

  /** Slices the widget state already carried (`fetched`), or a reply. Returns the keys stored. */
  add(slice: WireSlice): string[] {
    const keys = this.cache.add(slice);
    for (const key of keys) {
      this.failures.delete(key);
      this.waiting.delete(key);
    }
    return keys;
  }

  /** A message from the kernel (msg:custom). Ignores what is not ours; never throws. */
  receive(content: unknown, buffers: readonly (DataView | ArrayBuffer)[] = []): void {
    const type = messageType(content);
    if (type !== 'error' && type !== 'slice') {
      return;
    }
    const msg = content as Record<string, unknown>;
    const id = replyId(msg);
    const pending = this.pending.get(id);
    if (type === 'error') {
      const text = decodeErrorReply(msg).message;
      this.settle(id, pending, key => this.failures.set(key, `The kernel could not send this: ${text}`));
      this.emit();
      return;
    }
    try {
      const slice = decodeSliceReply(msg, buffers);
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
    return this.cache.saved(maxBytes);
  }

  /** Drops everything (the widget closed). */
  clear(): void {
    for (const p of this.pending.values()) {
      this.stopTimer(p.timer);
    }
    this.cache.clear();
    this.pending.clear();
    this.pendingKey.clear();
    this.waiting.clear();
    this.failures.clear();
  }

  private status(keys: string[], heads: number[], capped: boolean): SliceStatus {
    const base = { heads, capped };
    const failed = keys.map(k => this.failures.get(k)).find(m => m !== undefined);
    if (failed !== undefined) {
      return { ...base, state: failed.startsWith(NOT_SAVED) ? 'unsaved' : 'failed', message: failed };
    }
    if (keys.every(k => this.cache.has(k))) {
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
    const request: FetchRequest = fetchRequest(id, section, layer, heads);
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
