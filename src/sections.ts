/**
 * The `sections` trait: one entry per attention kind (self, encoder, decoder, cross), decoded once
 * per change into Tensors. Anything malformed becomes one readable error instead of an exception.
 */
import { decodeWire, WireError } from './data/wire';
import { Tensor } from './data/tensor';

export interface Section {
  key: string;
  label: string;
  /** [layers, heads, queries, keys] */
  attention: Tensor;
  /** Real layer index of each slice along axis 0. */
  layers: number[];
  /** Real head index of each slice along axis 1 (include_heads); 0..H-1 by default. */
  heads: number[];
  queryTokens: string[];
  keyTokens: string[];
  /** Neuron view data, when the kernel extracted it: [layers, heads, queries, headDim]. */
  queries: Tensor | null;
  /** [layers, heads, keys, headDim], already expanded to query heads for grouped-query models. */
  keys: Tensor | null;
  /** Multiplier of q.k before the softmax (1/sqrt(headDim) for the supported models). */
  scale: number | null;
  /** Causal attention: keys after the query are masked. */
  causal: boolean;
}

/** What a view needs to read its data: the model implements it, tests and the HTML export can too. */
export interface SectionSource {
  readonly sectionList: Section[];
  section(key: string): Section | undefined;
  readonly sentenceBStart: number | null;
}

export type DecodedSections =
  | { ok: true; sections: Section[]; raw: unknown }
  | { ok: false; error: string; raw: unknown };

const SECTION_KEYS = new Set([
  'key', 'label', 'attention', 'layers', 'heads', 'query_tokens', 'key_tokens', 'queries', 'keys', 'scale',
  'causal'
]);

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

function decodeSection(value: unknown, i: number): Section {
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
  const attention = decodeWire(obj.attention, `${where}.attention`);
  if (attention.rank !== 4) {
    fail(`${where}.attention must have 4 axes [layers, heads, queries, keys], received [${attention.shape.join(', ')}]`);
  }
  const [nLayers, nHeads, nQ, nK] = attention.shape;
  if (nLayers === 0 || nHeads === 0 || nQ === 0 || nK === 0) {
    fail(`${where}.attention is empty: shape [${attention.shape.join(', ')}]`);
  }
  const layers = obj.layers;
  if (!Array.isArray(layers) || layers.length !== nLayers || !layers.every(l => Number.isInteger(l) && l >= 0)) {
    fail(`${where}.layers must list ${nLayers} non-negative layer indices`);
  }
  const heads = obj.heads ?? Array.from({ length: nHeads }, (_, h) => h);
  if (!Array.isArray(heads) || heads.length !== nHeads || !heads.every(h => Number.isInteger(h) && h >= 0)) {
    fail(`${where}.heads must list ${nHeads} non-negative head indices`);
  }
  const { queries, keys } = decodeVectors(obj, where, attention.shape);
  if (obj.scale !== undefined && obj.scale !== null && !(typeof obj.scale === 'number' && Number.isFinite(obj.scale))) {
    fail(`${where}.scale must be a finite number`);
  }
  if (obj.causal !== undefined && typeof obj.causal !== 'boolean') {
    fail(`${where}.causal must be true or false`);
  }
  return {
    key: obj.key,
    label: obj.label,
    attention,
    layers: layers as number[],
    heads: heads as number[],
    queryTokens: stringList(obj.query_tokens, `${where}.query_tokens`, nQ),
    keyTokens: stringList(obj.key_tokens, `${where}.key_tokens`, nK),
    queries,
    keys,
    scale: typeof obj.scale === 'number' ? obj.scale : null,
    causal: obj.causal === true
  };
}

export function decodeSections(raw: unknown): DecodedSections {
  try {
    if (!Array.isArray(raw) || raw.length === 0) {
      fail('sections must be a non-empty list');
    }
    const sections = raw.map(decodeSection);
    const keys = new Set(sections.map(s => s.key));
    if (keys.size !== sections.length) {
      fail('sections have duplicate keys');
    }
    return { ok: true, sections, raw };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: message, raw };
  }
}
