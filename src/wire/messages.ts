/**
 * The custom messages between the page and the kernel, one definition each, and the saved form
 * of a fetched slice. Layers and heads in messages are real ids (as Python numbers them), never
 * slots. Arrays in a message carry `buffer`: the index of one of the message's binary buffers.
 *
 *   page -> kernel  {type: "fetch", id, section, layer, heads}
 *   kernel -> page  {type: "slice", id, section, layer, heads, attention, queries?, keys?}
 *                   {type: "error", id, message}
 *                   {type: "stats", section, stats, stat_names}
 *   saved           `fetched` of a lazy section: slices as in a reply, with the bytes in place
 *
 * Decoders throw a WireError naming the field; what is not one of our messages is null.
 */
import { WireError } from './errors';

/** The page asks the kernel for the weights (and vectors) of some heads of one layer. */
export interface FetchRequest {
  type: 'fetch';
  id: number;
  section: string;
  layer: number;
  heads: number[];
}

export function fetchRequest(id: number, section: string, layer: number, heads: number[]): FetchRequest {
  return { type: 'fetch', id, section, layer, heads };
}

/** An array of a slice with its bytes in place. */
export interface WireBytes {
  dtype: string;
  shape: number[];
  buffer: DataView;
}

/**
 * The wire form of one fetched slice, as a reply carries it (bytes in place) and as it is saved
 * in a lazy section's `fetched`: attention [heads, queries, keys], with vectors [heads, n, d].
 */
export interface WireSlice {
  section: string;
  layer: number;
  heads: number[];
  attention: WireBytes;
  queries?: WireBytes;
  keys?: WireBytes;
}

/** The kernel could not answer request `id` (-1 when it did not say which). */
export interface ErrorReply {
  id: number;
  message: string;
}

/**
 * A section's head statistics (lazy sections) and scores, computed by the kernel after the widget
 * was shown; an eager section's message has only the scores.
 */
export interface StatsMessage {
  section: unknown;
  /** {dtype, shape, buffer} with the bytes in place; null when the message has none. */
  stats: Record<string, unknown> | null;
  statNames: string[];
  /** The score table (wire/head-scores.ts) with its values' bytes in place; null when none. */
  scores: Record<string, unknown> | null;
}

/** How far the kernel is with a section's scores. */
export interface ProgressMessage {
  section: string;
  task: string;
  done: number;
  total: number;
}

export type MessageType = 'slice' | 'error' | 'stats' | 'progress';

/** The type of a message from the kernel, null when it is none of ours. */
export function messageType(content: unknown): MessageType | null {
  if (typeof content !== 'object' || content === null) {
    return null;
  }
  const type = (content as Record<string, unknown>).type;
  return type === 'slice' || type === 'error' || type === 'stats' || type === 'progress' ? type : null;
}

/** The request id a reply answers; -1 when it has none. */
export function replyId(msg: Record<string, unknown>): number {
  return typeof msg.id === 'number' ? msg.id : -1;
}

export function decodeErrorReply(msg: Record<string, unknown>): ErrorReply {
  return { id: replyId(msg), message: typeof msg.message === 'string' ? msg.message : 'the kernel could not answer' };
}

function bufferAt(buffers: readonly (DataView | ArrayBuffer)[], index: unknown): DataView | null {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= buffers.length) {
    return null;
  }
  const b = buffers[index];
  return b instanceof DataView ? b : new DataView(b);
}

/** A slice reply, its `buffer` indices replaced by the buffers. */
export function decodeSliceReply(msg: Record<string, unknown>, buffers: readonly (DataView | ArrayBuffer)[]): WireSlice {
  const part = (name: string): WireBytes | undefined => {
    const v = msg[name];
    if (v === undefined || v === null) {
      return undefined;
    }
    if (typeof v !== 'object') {
      throw new WireError(`slice.${name} must be an object`);
    }
    const o = v as Record<string, unknown>;
    const view = bufferAt(buffers, o.buffer);
    if (!view) {
      throw new WireError(`slice.${name}.buffer must index one of the ${buffers.length} buffers`);
    }
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

/** A wire array of a message whose `buffer` is an index, with the buffer in place; null when absent. */
function withBuffer(value: unknown, name: string, buffers: readonly (DataView | ArrayBuffer)[]): Record<string, unknown> | null {
  if (value === undefined || value === null) {
    return null;
  }
  const w = value as Record<string, unknown>;
  const view = typeof w === 'object' ? bufferAt(buffers, w.buffer) : null;
  if (!view) {
    throw new WireError(`${name}.buffer must be the index of a binary buffer of the message`);
  }
  return { ...w, buffer: view };
}

/** A stats message with its buffers in place. */
export function decodeStatsMessage(msg: Record<string, unknown>, buffers: readonly (DataView | ArrayBuffer)[]): StatsMessage {
  const stats = withBuffer(msg.stats, 'stats.stats', buffers);
  const names = msg.stat_names ?? [];
  if (!Array.isArray(names) || !names.every(n => typeof n === 'string')) {
    throw new WireError('stats.stat_names must be a list of names');
  }
  const table = msg.scores;
  let scores: Record<string, unknown> | null = null;
  if (table !== undefined && table !== null) {
    if (typeof table !== 'object' || Array.isArray(table)) {
      throw new WireError('stats.scores must be an object {names, values, labels, rules}');
    }
    const t = table as Record<string, unknown>;
    scores = { ...t, values: withBuffer(t.values, 'stats.scores.values', buffers) };
  }
  if (!stats && !scores) {
    throw new WireError('stats has neither stats nor scores');
  }
  return { section: msg.section, stats, statNames: names as string[], scores };
}

/** A progress message, checked. */
export function decodeProgressMessage(msg: Record<string, unknown>): ProgressMessage {
  const { section, task, done, total } = msg;
  if (typeof section !== 'string' || typeof task !== 'string' || !Number.isInteger(done) || !Number.isInteger(total) || (done as number) < 0 || (total as number) < (done as number)) {
    throw new WireError('progress needs section, task and integers 0 <= done <= total');
  }
  return { section, task, done: done as number, total: total as number };
}

/**
 * One entry of a lazy section's saved `fetched` list: a slice of that section's `layers` and
 * `heads` (real ids). Its arrays are decoded (and their shapes checked) where they are stored.
 */
export function decodeSavedSlice(value: unknown, where: string, section: string, layers: readonly number[], heads: readonly number[]): WireSlice {
  const slice = value as WireSlice;
  if (
    typeof value !== 'object' ||
    value === null ||
    slice.section !== section ||
    !layers.includes(slice.layer) ||
    !Array.isArray(slice.heads) ||
    !slice.heads.every(h => heads.includes(h))
  ) {
    throw new WireError(`${where} must be a slice of this section's layers and heads`);
  }
  return slice;
}
