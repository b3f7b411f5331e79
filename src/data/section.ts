/**
 * What a section is to the views: one attention kind (self, encoder, decoder, cross, or any other
 * the kernel sends) with its tokens and real ids, and its weights by (layer slot, head slot),
 * whether the page holds them all (eager) or fetches them (lazy). Both kinds build this interface.
 */
import { SectionAxes } from '../selection/ids';
import { Summary } from '../wire/summary';
import { LayerWeights, Tensor } from '../wire/tensor';
import { SliceStatus } from './slice-store';
import { SectionExtras } from '../wire/section-extras';
import { ViewOptions } from '../wire/view-options';

export type { Summary } from '../wire/summary';

export interface Section extends SectionAxes, SectionExtras {
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
  /**
   * Queries and keys are the same token positions (self-attention over one sequence): the
   * sentence pair filter and the statistics that compare positions apply. The kernel may say so
   * (`same_positions`); otherwise it holds when the query and key tokens are the same sequence.
   */
  samePositions: boolean;
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
/**
 * What changed, for views that need not redo everything: 'scores' (a section's score table arrived)
 * and 'progress' (how far the kernel is with it) leave the weights as they were. Absent: anything.
 */
export type DataChange = 'scores' | 'progress';

export interface SectionSource {
  readonly sectionList: Section[];
  section(key: string): Section | undefined;
  readonly sentenceBStart: number | null;
  /** How the matrix and text views colour and group (the `view_options` trait); defaults when absent. */
  readonly viewOptions?: ViewOptions;
  /**
   * Called when fetched data arrives or a fetch changes state (lazy sections), when view_options
   * change, and when the kernel's head scores arrive ('scores') or report progress ('progress');
   * returns an unsubscribe.
   */
  onData?(fn: (change?: DataChange) => void): () => void;
  /** A view that goes away no longer keeps what it fetched from being evicted. */
  release?(consumer: string): void;
  /** Asks the kernel again for slices whose fetch failed or is waiting (the user's Retry). */
  retry?(section: string, layerSlot: number, headSlots: readonly number[]): void;
}

/** True when the query and key tokens are the same sequence (self-attention, not cross). */
export function isSamePositions(queryTokens: readonly string[], keyTokens: readonly string[]): boolean {
  return queryTokens.length === keyTokens.length && queryTokens.every((t, i) => t === keyTokens[i]);
}

/** The status of data that is always here (eager sections). */
export const READY = { state: 'ready', message: '', capped: false } as const;
