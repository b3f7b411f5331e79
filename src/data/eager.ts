/** Eager sections: the page holds the whole [layers, heads, queries, keys] tensor. */
import { EagerWire } from '../wire/sections';
import { NO_EXTRAS, SectionExtras } from '../wire/section-extras';
import { Tensor } from '../wire/tensor';
import { isSamePositions, READY, Section } from './section';

/** The fields an eager section is made of (tests and tools build sections from tensors with it). */
export interface EagerFields extends Partial<SectionExtras> {
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
  /** Queries and keys are the same positions; by default, when the two token lists are equal. */
  samePositions?: boolean | null;
}

/** An eager section over tensors already checked to fit together. */
export function eager(f: EagerFields): Section {
  const { attention } = f;
  const queries = f.queries ?? null;
  const keys = f.keys ?? null;
  return {
    ...NO_EXTRAS,
    ...f,
    samePositions: f.samePositions ?? isSamePositions(f.queryTokens, f.keyTokens),
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

/** The Section of a decoded eager wire entry. */
export function eagerSection(w: EagerWire): Section {
  const { lazy: _lazy, ...fields } = w;
  return eager(fields);
}
