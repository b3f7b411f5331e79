/**
 * The `sections` trait: one entry per attention kind (self, encoder, decoder, cross), decoded once
 * per change into Tensors. Anything malformed becomes one readable error instead of an exception.
 */
import { decodeWire, WireError } from '../wire/codec';
import { LayerWeights, Tensor } from '../wire/tensor';
import { headBytes, SliceStatus, SliceStore, WireSlice } from './slice-store';

/** A lazy section's overview, sent up front: pooled thumbnails and per-head statistics. */
export interface Summary {
  /** Mean-pooled weights [layers, heads, rows, cols] (rows <= queries, cols <= keys; exact when equal). */
  pooled: Tensor;
  /**
   * [layers, heads, statistics], named by `statNames`; null until the kernel sends them (it computes
   * them after the widget is shown: a "stats" message, see `applyStats`).
   */
  stats: Tensor | null;
  statNames: string[];
}

export interface Section {
  key: string;
  label: string;
  /** [layers, heads, queries, keys] */
  shape: readonly number[];
  /** The whole [layers, heads, queries, keys] tensor of an eager section; null when lazy. */
  attention: Tensor | null;
  /** Real layer index of each slice along axis 0. */
  layers: number[];
  /** Real head index of each slice along axis 1 (include_heads); 0..H-1 by default. */
  heads: number[];
  queryTokens: string[];
  keyTokens: string[];
  /** Eager neuron view data, when the kernel extracted it: [layers, heads, queries, headDim]. */
  queries: Tensor | null;
  /** [layers, heads, keys, headDim], already expanded to query heads for grouped-query models. */
  keys: Tensor | null;
  /** Size of one query/key vector when the section has them (eager or fetched), else null. */
  headDim: number | null;
  /** Multiplier of q.k before the softmax (1/sqrt(headDim) for the supported models). */
  scale: number | null;
  /** Causal attention: keys after the query are masked. */
  causal: boolean;
  /** The kernel keeps the weights and the page fetches (layer, head) slices on demand. */
  lazy: boolean;
  summary: Summary | null;
  /** Row-major [queries, keys] weights of (layer slot, head slot); null while a lazy section lacks them. */
  weights(layerSlot: number, headSlot: number): Float32Array | null;
  /** Query [Q, d] and key [K, d] vectors of (layer slot, head slot); null when absent or not fetched. */
  vectors(layerSlot: number, headSlot: number): { queries: Tensor; keys: Tensor } | null;
  /**
   * A view (`consumer`) is about to show these head slots of a layer: lazy sections fetch what they
   * lack. The status's heads are slots too. Eager sections are always ready.
   */
  request(consumer: string, layerSlot: number, headSlots: readonly number[]): SliceStatus;
}

/** Weights of the given head slots of one layer (other slots empty), or null if one is not held. */
export function layerWeights(sec: Section, layerSlot: number, headSlots: readonly number[]): LayerWeights | null {
  const out: Float32Array[] = Array.from({ length: sec.shape[1] }, () => EMPTY);
  for (const h of headSlots) {
    const w = sec.weights(layerSlot, h);
    if (!w) {
      return null;
    }
    out[h] = w;
  }
  return out;
}

const EMPTY = new Float32Array(0);

/** What a thumbnail draws of one head: its exact [rows, cols] weights, or a lazy section's pooled summary. */
export interface Overview {
  weights: Float32Array;
  rows: number;
  cols: number;
  /** True when rows and cols are the real queries and keys (the exact matrix). */
  exact: boolean;
}

export function overview(sec: Section, layerSlot: number, headSlot: number): Overview {
  const [, , nQ, nK] = sec.shape;
  const exact = sec.weights(layerSlot, headSlot);
  if (exact || !sec.summary) {
    return { weights: exact ?? new Float32Array(nQ * nK), rows: nQ, cols: nK, exact: true };
  }
  const [, , rows, cols] = sec.summary.pooled.shape;
  return { weights: sec.summary.pooled.slice(layerSlot, headSlot).data, rows, cols, exact: rows === nQ && cols === nK };
}

/** What a view needs to read its data: the model implements it, tests and the HTML export can too. */
export interface SectionSource {
  readonly sectionList: Section[];
  section(key: string): Section | undefined;
  readonly sentenceBStart: number | null;
  /** Called when fetched data arrives or a fetch changes state (lazy sections); returns an unsubscribe. */
  onData?(fn: () => void): () => void;
  /** A view that goes away no longer keeps what it fetched from being evicted. */
  release?(consumer: string): void;
  /** Asks the kernel again for slices whose fetch failed or is waiting (the user's Retry). */
  retry?(section: string, layerSlot: number, headSlots: readonly number[]): void;
}

export type DecodedSections =
  | { ok: true; sections: Section[]; raw: unknown; store: SliceStore | null }
  | { ok: false; error: string; raw: unknown };

const SECTION_KEYS = new Set([
  'key', 'label', 'attention', 'layers', 'heads', 'query_tokens', 'key_tokens', 'queries', 'keys', 'scale',
  'causal', 'lazy', 'shape', 'summary', 'head_dim', 'fetched'
]);
const EAGER_ONLY = ['attention', 'queries', 'keys'];
const LAZY_ONLY = ['shape', 'summary', 'head_dim', 'fetched'];

function fail(message: string): never {
  throw new WireError(message);
}

function stringList(value: unknown, name: string, expected: number): string[] {
  if (!Array.isArray(value) || !value.every(t => typeof t === 'string')) {
    fail(`${name} must be a list of strings`);
  }
  if (value.length !== expected) {
    fail(`${name} has ${value.length} tokens but the attention has ${expected} on that axis`);
  }
  return value as string[];
}

/** Optional query/key vectors: both or neither, shaped to match the attention. */
function decodeVectors(
  obj: Record<string, unknown>,
  where: string,
  shape: readonly number[]
): { queries: Tensor | null; keys: Tensor | null } {
  const present = [obj.queries, obj.keys].filter(v => v !== undefined && v !== null).length;
  if (present === 0) {
    return { queries: null, keys: null };
  }
  if (present === 1) {
    fail(`${where} has queries or keys but not both`);
  }
  const queries = decodeWire(obj.queries, `${where}.queries`);
  const keys = decodeWire(obj.keys, `${where}.keys`);
  const [nL, nH, nQ, nK] = shape;
  const d = queries.shape[3];
  const ok = (t: Tensor, n: number): boolean =>
    t.rank === 4 && t.shape[0] === nL && t.shape[1] === nH && t.shape[2] === n && t.shape[3] === d && d > 0;
  if (!ok(queries, nQ) || !ok(keys, nK)) {
    fail(
      `${where}.queries [${queries.shape.join(', ')}] and .keys [${keys.shape.join(', ')}] must be ` +
        `[${nL}, ${nH}, ${nQ}, d] and [${nL}, ${nH}, ${nK}, d]`
    );
  }
  return { queries, keys };
}

interface Common {
  key: string;
  label: string;
  layers: number[];
  heads: number[];
  queryTokens: string[];
  keyTokens: string[];
  scale: number | null;
  causal: boolean;
}

/** The fields eager and lazy sections share, checked against the shape [L, H, Q, K]. */
function decodeCommon(obj: Record<string, unknown>, where: string, shape: readonly number[]): Common {
  const [nLayers, nHeads, nQ, nK] = shape;
  if (nLayers === 0 || nHeads === 0 || nQ === 0 || nK === 0) {
    fail(`${where}.attention is empty: shape [${shape.join(', ')}]`);
  }
  const layers = obj.layers;
  if (!Array.isArray(layers) || layers.length !== nLayers || !layers.every(l => Number.isInteger(l) && l >= 0)) {
    fail(`${where}.layers must list ${nLayers} non-negative layer indices`);
  }
  const heads = obj.heads ?? Array.from({ length: nHeads }, (_, h) => h);
  if (!Array.isArray(heads) || heads.length !== nHeads || !heads.every(h => Number.isInteger(h) && h >= 0)) {
    fail(`${where}.heads must list ${nHeads} non-negative head indices`);
  }
  if (obj.scale !== undefined && obj.scale !== null && !(typeof obj.scale === 'number' && Number.isFinite(obj.scale))) {
    fail(`${where}.scale must be a finite number`);
  }
  if (obj.causal !== undefined && typeof obj.causal !== 'boolean') {
    fail(`${where}.causal must be true or false`);
  }
  return {
    key: obj.key as string,
    label: obj.label as string,
    layers: layers as number[],
    heads: heads as number[],
    queryTokens: stringList(obj.query_tokens, `${where}.query_tokens`, nQ),
    keyTokens: stringList(obj.key_tokens, `${where}.key_tokens`, nK),
    scale: typeof obj.scale === 'number' ? obj.scale : null,
    causal: obj.causal === true
  };
}

const READY = { state: 'ready', message: '', capped: false } as const;

function eagerSection(obj: Record<string, unknown>, where: string): Section {
  const extra = LAZY_ONLY.filter(k => obj[k] !== undefined);
  if (extra.length) {
    fail(`${where} is not lazy but has ${extra.join(', ')}`);
  }
  const attention = decodeWire(obj.attention, `${where}.attention`);
  if (attention.rank !== 4) {
    fail(`${where}.attention must have 4 axes [layers, heads, queries, keys], received [${attention.shape.join(', ')}]`);
  }
  const common = decodeCommon(obj, where, attention.shape);
  const { queries, keys } = decodeVectors(obj, where, attention.shape);
  return eager({ ...common, attention, queries, keys });
}

/** The fields an eager section is made of (tests and tools build sections from tensors with it). */
export interface EagerFields {
  key: string;
  label: string;
  attention: Tensor;
  layers: number[];
  heads: number[];
  queryTokens: string[];
  keyTokens: string[];
  queries?: Tensor | null;
  keys?: Tensor | null;
  scale?: number | null;
  causal?: boolean;
}

/** An eager section over tensors already checked to fit together. */
export function eager(f: EagerFields): Section {
  const { attention } = f;
  const queries = f.queries ?? null;
  const keys = f.keys ?? null;
  return {
    ...f,
    shape: attention.shape,
    queries,
    keys,
    scale: f.scale ?? null,
    causal: f.causal ?? false,
    headDim: queries && keys ? queries.shape[3] : null,
    lazy: false,
    summary: null,
    weights: (li, h) => attention.slice(li, h).data,
    vectors: (li, h) => (queries && keys ? { queries: queries.slice(li, h), keys: keys.slice(li, h) } : null),
    request: (_c, _li, heads) => ({ ...READY, heads: [...heads] })
  };
}

function decodeSummary(value: unknown, where: string, shape: readonly number[]): Summary {
  if (typeof value !== 'object' || value === null) {
    fail(`${where}.summary must be an object {pooled, stats, stat_names}`);
  }
  const o = value as Record<string, unknown>;
  const pooled = decodeWire(o.pooled, `${where}.summary.pooled`);
  const [nL, nH, nQ, nK] = shape;
  const p = pooled.shape;
  if (pooled.rank !== 4 || p[0] !== nL || p[1] !== nH || p[2] < 1 || p[2] > nQ || p[3] < 1 || p[3] > nK) {
    fail(`${where}.summary.pooled must be [${nL}, ${nH}, rows <= ${nQ}, cols <= ${nK}], received [${p.join(', ')}]`);
  }
  const names = o.stat_names;
  if (!Array.isArray(names) || !names.every(n => typeof n === 'string')) {
    fail(`${where}.summary.stat_names must be a list of names`);
  }
  const stats = o.stats === null || o.stats === undefined ? null : decodeStats(o.stats, `${where}.summary.stats`, shape, names as string[]);
  return { pooled, stats, statNames: names as string[] };
}

/** Per-head statistics [layers, heads, one per name] of a section of `shape`, or a WireError. */
function decodeStats(value: unknown, where: string, shape: readonly number[], names: readonly string[]): Tensor {
  const stats = decodeWire(value, where);
  const [nL, nH] = shape;
  if (stats.rank !== 3 || stats.shape[0] !== nL || stats.shape[1] !== nH || stats.shape[2] !== names.length) {
    fail(`${where} must be [${nL}, ${nH}, S] with S names in stat_names`);
  }
  return stats;
}

/**
 * The kernel's {type: "stats", section, stats: {dtype, shape, buffer: index}, stat_names} message:
 * the statistics of a lazy section, computed after the widget was shown. Stores them in the decoded
 * section and in its wire form (so that saved widget state carries them). Returns the section key,
 * null when the message is not a stats message; throws a WireError when it is one but malformed.
 */
export function applyStats(d: DecodedSections, content: unknown, buffers: readonly (DataView | ArrayBuffer)[]): string | null {
  if (typeof content !== 'object' || content === null || (content as Record<string, unknown>).type !== 'stats') {
    return null;
  }
  const msg = content as Record<string, unknown>;
  if (!d.ok) {
    fail('stats: the sections could not be read');
  }
  const i = d.sections.findIndex(sec => sec.key === msg.section && sec.lazy);
  const sec = d.sections[i];
  if (!sec || !sec.summary || !Array.isArray(d.raw)) {
    fail(`stats: no lazy section ${JSON.stringify(String(msg.section)).slice(0, 40)}`);
  }
  const w = msg.stats as Record<string, unknown> | null;
  const index = w && typeof w === 'object' ? w.buffer : undefined;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= buffers.length) {
    fail('stats.stats.buffer must be the index of a binary buffer of the message');
  }
  const names = msg.stat_names;
  if (!Array.isArray(names) || names.length !== sec.summary.statNames.length || !names.every((n, k) => n === sec.summary!.statNames[k])) {
    fail(`stats.stat_names must be ${JSON.stringify(sec.summary.statNames)}`);
  }
  const wire = { ...(w as Record<string, unknown>), buffer: buffers[index as number] };
  sec.summary.stats = decodeStats(wire, 'stats.stats', sec.shape, sec.summary.statNames);
  const raw = d.raw[i] as Record<string, unknown>;
  d.raw[i] = { ...raw, summary: { ...(raw.summary as Record<string, unknown>), stats: wire } };
  return sec.key;
}

function lazySection(obj: Record<string, unknown>, where: string, store: SliceStore): Section {
  const extra = EAGER_ONLY.filter(k => obj[k] !== undefined && obj[k] !== null);
  if (extra.length) {
    fail(`${where} is lazy but has ${extra.join(', ')}: a lazy section's data is fetched`);
  }
  const shape = obj.shape;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every(n => Number.isInteger(n) && n >= 0)) {
    fail(`${where}.shape must be 4 non-negative integers [layers, heads, queries, keys]`);
  }
  const common = decodeCommon(obj, where, shape);
  const summary = decodeSummary(obj.summary, where, shape);
  const d = obj.head_dim;
  if (d !== undefined && d !== null && !(Number.isInteger(d) && (d as number) > 0)) {
    fail(`${where}.head_dim must be a positive integer`);
  }
  const headDim = typeof d === 'number' ? d : null;
  const [, , nQ, nK] = shape as number[];
  const fetched = obj.fetched ?? [];
  if (!Array.isArray(fetched)) {
    fail(`${where}.fetched must be a list of slices`);
  }
  fetched.forEach((f, j) => {
    const w = `${where}.fetched[${j}]`;
    const slice = f as WireSlice;
    if (typeof f !== 'object' || f === null || slice.section !== common.key || !common.layers.includes(slice.layer) || !Array.isArray(slice.heads) || !slice.heads.every(h => common.heads.includes(h))) {
      fail(`${w} must be a slice of this section's layers and heads`);
    }
    store.add(slice);
    const t = store.get(slice.section, slice.layer, slice.heads[0]);
    if (t && t.attention.length !== nQ * nK) {
      fail(`${w}.attention has ${t.attention.length / nQ} x ... values; expected [${nQ}, ${nK}] per head`);
    }
  });
  const key = common.key;
  const at = (li: number, h: number): ReturnType<SliceStore['get']> => store.get(key, common.layers[li], common.heads[h]);
  const bytes = headBytes(nQ, nK, headDim ?? 0);
  return {
    ...common,
    shape: shape as number[],
    attention: null,
    queries: null,
    keys: null,
    headDim,
    lazy: true,
    summary,
    weights: (li, h) => at(li, h)?.attention ?? null,
    vectors: (li, h) => {
      const s = at(li, h);
      return s && s.queries && s.keys ? { queries: s.queries, keys: s.keys } : null;
    },
    request: (consumer, li, slots) => {
      const st = store.request(consumer, key, common.layers[li], slots.map(h => common.heads[h]), bytes);
      return { ...st, heads: st.heads.map(h => common.heads.indexOf(h)) };
    }
  };
}

function decodeSection(value: unknown, i: number, store: () => SliceStore): Section {
  const where = `sections[${i}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${where} must be an object`);
  }
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter(k => !SECTION_KEYS.has(k));
  if (unknown.length) {
    fail(`${where} has unknown field(s) ${unknown.join(', ')}`);
  }
  if (typeof obj.key !== 'string' || typeof obj.label !== 'string') {
    fail(`${where}.key and .label must be strings`);
  }
  if (obj.lazy !== undefined && typeof obj.lazy !== 'boolean') {
    fail(`${where}.lazy must be true or false`);
  }
  return obj.lazy === true ? lazySection(obj, where, store()) : eagerSection(obj, where);
}

/** Options of the slice store a lazy widget gets (the model updates them from the settings). */
export const DEFAULT_STORE_OPTIONS = { maxBytes: 256 * 2 ** 20, timeoutMs: 5000 };

export function decodeSections(raw: unknown): DecodedSections {
  try {
    if (!Array.isArray(raw) || raw.length === 0) {
      fail('sections must be a non-empty list');
    }
    let store: SliceStore | null = null;
    const storeOf = (): SliceStore => (store ??= new SliceStore({ ...DEFAULT_STORE_OPTIONS }));
    const sections = raw.map((v, i) => decodeSection(v, i, storeOf));
    const keys = new Set(sections.map(s => s.key));
    if (keys.size !== sections.length) {
      fail('sections have duplicate keys');
    }
    return { ok: true, sections, raw, store };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: message, raw };
  }
}
