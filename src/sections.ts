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
  queryTokens: string[];
  keyTokens: string[];
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

const SECTION_KEYS = new Set(['key', 'label', 'attention', 'layers', 'query_tokens', 'key_tokens']);

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
  return {
    key: obj.key,
    label: obj.label,
    attention,
    layers: layers as number[],
    queryTokens: stringList(obj.query_tokens, `${where}.query_tokens`, nQ),
    keyTokens: stringList(obj.key_tokens, `${where}.key_tokens`, nK)
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
