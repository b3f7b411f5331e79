/**
 * Neuron view arithmetic (pure): for one (layer, head) and one query token, the query vector, every
 * key vector, q*k elementwise, scale * q.k per key, the softmax of those scores under the causal
 * mask, and the row of attention weights the model itself returned.
 *
 * Keys are per QUERY head (grouped-query models arrive expanded from Python), so nothing here needs
 * to know about key/value groups.
 */
import { layerId, layerSlot, layerSlotOrFirst } from '../selection/ids';
import { SelectionState, TokenRef } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { Section } from '../data/section';

/** The (layer, head) data of one head: all views over the section's tensors, no copies. */
export interface HeadVectors {
  /** [queries, d] */
  queries: Tensor;
  /** [keys, d] */
  keys: Tensor;
  /** [queries, keys]: the weights the model returned. */
  attention: Tensor;
  /** Multiplier of q.k before the softmax. */
  scale: number;
  causal: boolean;
  nQueries: number;
  nKeys: number;
  dim: number;
}

/** Everything the view shows for one focused query. */
export interface NeuronRow {
  query: number;
  /** The query vector (d), a view into the section's data. */
  q: Float32Array;
  /** q*k elementwise, row-major [keys, d]; masked rows are left at 0. */
  products: Float32Array;
  /** scale * q.k per key; NaN where masked. */
  dots: Float64Array;
  /** softmax(dots) recomputed here; 0 where masked. */
  softmax: Float64Array;
  /** The model's own attention row (keys), a view into the section's data. */
  model: Float32Array;
  /** 1 where the key is hidden from this query (causal mask). */
  masked: Uint8Array;
  /** max |softmax - model| over the keys (masked keys compare against 0). */
  maxError: number;
}

export function hasVectors(sec: Section): boolean {
  return sec.headDim !== null;
}

/** The scale the model applies to q.k: the section's own, else 1/sqrt(d). */
export function scaleOf(sec: Section, dim: number): number {
  return sec.scale ?? 1 / Math.sqrt(dim);
}

/**
 * One head of a section, by layer slot and head slot; null while a lazy section has not fetched it.
 * Throws when the section has no vectors at all.
 */
export function headVectors(sec: Section, layerSlot: number, headSlot: number): HeadVectors | null {
  if (!hasVectors(sec)) {
    throw new Error(`attnscope: section "${sec.key}" has no query/key vectors`);
  }
  const v = sec.vectors(layerSlot, headSlot);
  const w = sec.weights(layerSlot, headSlot);
  if (!v || !w) {
    return null;
  }
  const { queries, keys } = v;
  const [nQueries, dim] = queries.shape;
  return {
    queries,
    keys,
    attention: new Tensor(w, [nQueries, keys.shape[0]]),
    scale: scaleOf(sec, dim),
    causal: sec.causal,
    nQueries,
    nKeys: keys.shape[0],
    dim
  };
}

/**
 * Causal mask: query i sees keys up to its own position. When there are more keys than queries
 * (a cached prefix), the queries are the last nQueries positions, so the limit shifts by the
 * difference.
 */
export function isMasked(causal: boolean, query: number, key: number, nQueries: number, nKeys: number): boolean {
  return causal && key > query + Math.max(0, nKeys - nQueries);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`dot: lengths differ (${a.length} and ${b.length})`);
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i] * b[i];
  }
  return s;
}

/** Numerically stable softmax in float64; masked entries get 0. All masked -> all 0, never NaN. */
export function softmax(scores: ArrayLike<number>, masked?: ArrayLike<number>): Float64Array {
  const n = scores.length;
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!masked?.[i] && scores[i] > max) {
      max = scores[i];
    }
  }
  if (max === -Infinity) {
    return out;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!masked?.[i]) {
      out[i] = Math.exp(scores[i] - max);
      sum += out[i];
    }
  }
  for (let i = 0; i < n; i++) {
    out[i] /= sum;
  }
  return out;
}

/** The numbers of one focused query. */
export function neuronRow(hv: HeadVectors, query: number): NeuronRow {
  if (!Number.isInteger(query) || query < 0 || query >= hv.nQueries) {
    throw new RangeError(`neuronRow: query ${String(query)} is outside [0, ${hv.nQueries})`);
  }
  const { nKeys, dim } = hv;
  const q = hv.queries.row(query);
  const keys = hv.keys.data;
  const products = new Float32Array(nKeys * dim);
  const dots = new Float64Array(nKeys);
  const masked = new Uint8Array(nKeys);
  for (let k = 0; k < nKeys; k++) {
    if (isMasked(hv.causal, query, k, hv.nQueries, nKeys)) {
      masked[k] = 1;
      dots[k] = NaN;
      continue;
    }
    let s = 0;
    const base = k * dim;
    for (let i = 0; i < dim; i++) {
      const p = q[i] * keys[base + i];
      products[base + i] = p;
      s += p;
    }
    dots[k] = hv.scale * s;
  }
  const sm = softmax(dots, masked);
  const model = hv.attention.row(query);
  let maxError = 0;
  for (let k = 0; k < nKeys; k++) {
    maxError = Math.max(maxError, Math.abs(sm[k] - model[k]));
  }
  return { query, q, products, dots, softmax: sm, model, masked, maxError };
}

/** max |v| over finite values of the given arrays (0 when there are none). */
export function maxAbs(...arrays: ArrayLike<number>[]): number {
  let m = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i]);
      if (v > m && Number.isFinite(v)) {
        m = v;
      }
    }
  }
  return m;
}

/** Colour domain symmetric around zero, so that 0 always has the middle colour: [-m, m]. */
export function symmetricDomain(...arrays: ArrayLike<number>[]): [number, number] {
  const m = maxAbs(...arrays);
  return [m === 0 ? 0 : -m, m];
}

/** The query the neuron view shows: the focused token when it is a query, else the pinned query. */
export function focusedQuery(focus: TokenRef | null, pinned: TokenRef | null, nQueries: number): number | null {
  const pick = focus?.side === 'query' ? focus : pinned?.side === 'query' ? pinned : null;
  return pick && pick.index < nQueries ? pick.index : null;
}

/** The shown head: the open head when set (and its layer exists here), else (layer, first active head). */
export interface ShownHead {
  layer: number;
  layerSlot: number;
  head: number;
}

export function shownHead(s: Readonly<SelectionState>, sec: Section): ShownHead {
  const nHeads = sec.shape[1];
  const open = s.openHead;
  if (open && sec.layers.includes(open.layer) && open.head < nHeads) {
    return { layer: open.layer, layerSlot: layerSlot(sec, open.layer), head: open.head };
  }
  const slot = layerSlotOrFirst(sec, s.layer);
  const head = s.heads.find(h => h < nHeads) ?? 0;
  return { layer: layerId(sec, slot), layerSlot: slot, head };
}
