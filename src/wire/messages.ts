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

/** A lazy section's head statistics, computed by the kernel after the widget was shown. */
export interface StatsMessage {
  section: unknown;
  /** {dtype, shape, buffer} with the bytes in place. */
  stats: Record<string, unknown>;
  statNames: string[];
}

export type MessageType = 'slice' | 'error' | 'stats';

/** The type of a message from the kernel, null when it is none of ours. */
export function messageType(content: unknown): MessageType | null {
  if (typeof content !== 'object' || content === null) {
    return null;
  }
  const type = (content as Record<string, unknown>).type;
  return type === 'slice' || type === 'error' || type === 'stats' ? type : null;
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

/** A stats message with its buffer in place. */
export function decodeStatsMessage(msg: Record<string, unknown>, buffers: readonly (DataView | ArrayBuffer)[]): StatsMessage {
  const w = msg.stats as Record<string, unknown> | null;
  const index = w && typeof w === 'object' ? w.buffer : undefined;
  if (!w || !bufferAt(buffers, index)) {
    throw new WireError('stats.stats.buffer must be the index of a binary buffer of the message');
  }
  const names = msg.stat_names;
  if (!Array.isArray(names) || !names.every(n => typeof n === 'string')) {
    throw new WireError('stats.stat_names must be a list of names');
  }
  return { section: msg.section, stats: { ...w, buffer: buffers[index as number] }, statNames: names as string[] };
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
