/**
 * One entry of the `sections` trait, checked field by field: the fields every section has, and
 * either an eager section's tensors or a lazy section's shape, summary and saved slices. Anything
 * malformed throws a WireError naming the field. data/ builds Sections from what this returns.
 */
import { decodeWire } from './codec';
import { WireError } from './errors';
import { decodeSavedSlice, WireSlice } from './messages';
import { decodeExtras, EXTRA_KEYS, SectionExtras } from './section-extras';
import { decodeSummary, Summary } from './summary';
import { Tensor } from './tensor';

const SECTION_KEYS = new Set([
  'key', 'label', 'attention', 'layers', 'heads', 'query_tokens', 'key_tokens', 'queries', 'keys', 'scale',
  'causal', 'lazy', 'shape', 'summary', 'head_dim', 'fetched', 'same_positions', ...EXTRA_KEYS
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


/** The fields eager and lazy sections share. */
export interface SectionFields extends SectionExtras {
  key: string;
  label: string;
  layers: number[];
  heads: number[];
  queryTokens: string[];
  keyTokens: string[];
  scale: number | null;
  causal: boolean;
  /** Whether queries and keys are the same token positions, when the kernel says so (else null). */
  samePositions: boolean | null;
}

/** The fields eager and lazy sections share, checked against the shape [L, H, Q, K]. */
function decodeCommon(obj: Record<string, unknown>, where: string, shape: readonly number[]): SectionFields {
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
  if (obj.same_positions !== undefined && obj.same_positions !== null && typeof obj.same_positions !== 'boolean') {
    fail(`${where}.same_positions must be true or false`);
  }
  return {
    key: obj.key as string,
    label: obj.label as string,
    layers: layers as number[],
    heads: heads as number[],
    queryTokens: stringList(obj.query_tokens, `${where}.query_tokens`, nQ),
    keyTokens: stringList(obj.key_tokens, `${where}.key_tokens`, nK),
    scale: typeof obj.scale === 'number' ? obj.scale : null,
    causal: obj.causal === true,
    samePositions: typeof obj.same_positions === 'boolean' ? obj.same_positions : null,
    ...decodeExtras(obj, where, shape)
  };
}

/** An eager section: the whole attention, and query/key vectors when the kernel extracted them. */
export interface EagerWire extends SectionFields {
  lazy: false;
  attention: Tensor;
  queries: Tensor | null;
  keys: Tensor | null;
}

/** A lazy section: the kernel keeps the weights; the page has the summary and saved slices. */
export interface LazyWire extends SectionFields {
  lazy: true;
  shape: number[];
  summary: Summary;
  headDim: number | null;
  fetched: WireSlice[];
}

function eagerWire(obj: Record<string, unknown>, where: string): EagerWire {
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
  return { ...common, lazy: false, attention, queries, keys };
}

function lazyWire(obj: Record<string, unknown>, where: string): LazyWire {
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
  const fetched = obj.fetched ?? [];
  if (!Array.isArray(fetched)) {
    fail(`${where}.fetched must be a list of slices`);
  }
  return {
    ...common,
    lazy: true,
    shape: shape as number[],
    summary,
    headDim,
    fetched: fetched.map((f, j) => decodeSavedSlice(f, `${where}.fetched[${j}]`, common.key, common.layers, common.heads))
  };
}

/** sections[i] of the trait, checked. */
export function decodeSectionWire(value: unknown, i: number): EagerWire | LazyWire {
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
  return obj.lazy === true ? lazyWire(obj, where) : eagerWire(obj, where);
}
