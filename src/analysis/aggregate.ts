/**
 * Which matrix of a layer a view shows: one head, or the mean or the maximum of the active heads
 * ("aggregates as heads"). Pure functions over a Section; lazy sections give null while a needed
 * slice is missing, and `choiceOverview` falls back to the pooled summary meanwhile.
 */
import { headId } from '../selection/ids';
import { Overview, overview, Section } from '../data/section';

export type HeadChoice = { kind: 'head'; head: number } | { kind: 'mean' } | { kind: 'max' };

export const MEAN: HeadChoice = Object.freeze({ kind: 'mean' });
export const MAX: HeadChoice = Object.freeze({ kind: 'max' });

/** "head:3" | "mean" | "max": the data-source attribute and the value of a picker's option. */
export function choiceId(choice: HeadChoice): string {
  return choice.kind === 'head' ? `head:${choice.head}` : choice.kind;
}

/** The choice of a choiceId (null when malformed). */
export function parseChoice(id: string): HeadChoice | null {
  if (id === 'mean' || id === 'max') {
    return id === 'mean' ? MEAN : MAX;
  }
  const m = /^head:(\d+)$/.exec(id);
  return m ? { kind: 'head', head: Number(m[1]) } : null;
}

/** What the choice is called: "head 3" (or the section's head label), "mean of 4 heads", "max of 4 heads". */
export function choiceLabel(sec: Section, choice: HeadChoice, activeSlots: readonly number[]): string {
  if (choice.kind === 'head') {
    return sec.headLabels?.[choice.head] ?? `head ${headId(sec, choice.head)}`;
  }
  const n = activeSlots.length;
  return `${choice.kind} of ${n === sec.shape[1] ? 'all' : n} head${n === 1 ? '' : 's'}`;
}

/** Head slots a choice reads: the one head, or the active ones. */
export function choiceSlots(choice: HeadChoice, activeSlots: readonly number[]): number[] {
  return choice.kind === 'head' ? [choice.head] : [...activeSlots];
}

/** Element-wise mean or maximum of equally long matrices (the first one's copy for a single matrix). */
export function aggregateHeads(mats: readonly Float32Array[], kind: 'mean' | 'max'): Float32Array {
  if (mats.length === 0) {
    throw new RangeError('aggregateHeads: no matrices');
  }
  const n = mats[0].length;
  const out = new Float32Array(mats[0]);
  for (let m = 1; m < mats.length; m++) {
    const w = mats[m];
    if (w.length !== n) {
      throw new RangeError(`aggregateHeads: matrix ${m} has ${w.length} values, expected ${n}`);
    }
    if (kind === 'mean') {
      for (let i = 0; i < n; i++) {
        out[i] += w[i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (w[i] > out[i]) {
          out[i] = w[i];
        }
      }
    }
  }
  if (kind === 'mean' && mats.length > 1) {
    const inv = 1 / mats.length;
    for (let i = 0; i < n; i++) {
      out[i] *= inv;
    }
  }
  return out;
}

/** The exact [queries, keys] matrix of the choice at a layer slot; null when a lazy slice is missing. */
export function choiceMatrix(sec: Section, layerSlot: number, choice: HeadChoice, activeSlots: readonly number[]): Float32Array | null {
  const slots = choiceSlots(choice, activeSlots);
  if (slots.length === 0) {
    return null;
  }
  const mats: Float32Array[] = [];
  for (const h of slots) {
    const w = sec.weights(layerSlot, h);
    if (!w) {
      return null;
    }
    mats.push(w);
  }
  return choice.kind === 'head' ? mats[0] : aggregateHeads(mats, choice.kind);
}

/**
 * What to draw of the choice now: the exact matrix when held, else the aggregate of the pooled
 * summaries (a lazy section before its slices arrive). The max of pooled cells is an approximation
 * of the pooled max (`exact` false says so).
 */
export function choiceOverview(sec: Section, layerSlot: number, choice: HeadChoice, activeSlots: readonly number[]): Overview | null {
  const exact = choiceMatrix(sec, layerSlot, choice, activeSlots);
  const [, , nQ, nK] = sec.shape;
  if (exact) {
    return { weights: exact, rows: nQ, cols: nK, exact: true };
  }
  const slots = choiceSlots(choice, activeSlots);
  if (slots.length === 0) {
    return null;
  }
  const parts = slots.map(h => overview(sec, layerSlot, h));
  if (choice.kind === 'head') {
    return parts[0];
  }
  return { ...parts[0], weights: aggregateHeads(parts.map(p => p.weights), choice.kind) };
}
