/**
 * The head view's aggregate chip ("aggregates as heads"): one chip after the head chips that
 * cycles off -> mean -> max -> off. When on, the view draws the lines of the mean (or the maximum)
 * of the drawn active heads in one neutral colour, instead of one set of lines per head; opacity is
 * the aggregate weight itself (one "head" shares nothing). Off, the view is as before.
 */
import { isSigned } from '../../data/derived';
import { Section } from '../../data/section';
import { GAINED, LOST } from '../../render/diverging';
import { aggregateHeads } from '../../analysis/aggregate';
import { TooltipRow } from '../../render/tooltip';
import { TokenRef } from '../../selection/state';
import { LayerWeights } from '../../wire/tensor';
import { tooltipContent, TooltipInput } from './tooltip';

export type AggregateMode = 'off' | 'mean' | 'max';

/** Lines of an aggregate: a mid grey, readable on light (#fff) and dark (#111) backgrounds (3:1 and more). */
export const AGGREGATE_COLOR = '#8a94a3';

const NEXT: Readonly<Record<AggregateMode, AggregateMode>> = { off: 'mean', mean: 'max', max: 'off' };

export function nextAggregate(mode: AggregateMode): AggregateMode {
  return NEXT[mode];
}

/** The chip (a toggle button); the controller listens to its clicks. */
export function buildAggregateChip(doc: Document): HTMLButtonElement {
  const chip = doc.createElement('button');
  chip.type = 'button';
  chip.className = 'attnscope-aggregate-chip';
  chip.style.setProperty('--attnscope-chip-color', AGGREGATE_COLOR);
  markAggregateChip(chip, 'off', 0);
  return chip;
}

/** Label, pressed state and title of the chip for `mode` over `nActive` heads. */
export function markAggregateChip(chip: HTMLElement, mode: AggregateMode, nActive: number): void {
  chip.dataset.aggregate = mode;
  chip.textContent = mode === 'off' ? 'mean/max' : mode;
  chip.setAttribute('aria-pressed', String(mode !== 'off'));
  const what = mode === 'off' ? 'one set of lines per head' : `the ${mode} of the ${nActive} active heads, in one colour`;
  chip.title = `Showing ${what}: click for ${nextAggregate(mode) === 'off' ? 'the heads' : `the ${nextAggregate(mode)}`}`;
  chip.setAttribute('aria-label', `Aggregate of the active heads: ${mode}`);
}

/** What the lines are drawn from: the layer's heads as they are, or their aggregate as one head (slot 0). */
export interface DrawnHeads {
  weights: LayerWeights;
  heads: readonly number[];
  colorOf: (slot: number) => string;
  /** The aggregate drawn, or null for one set of lines per head. */
  aggregate: 'mean' | 'max' | null;
}

export function drawnHeads(weights: LayerWeights, heads: readonly number[], mode: AggregateMode | undefined, colors: readonly string[], signed = false): DrawnHeads {
  let d: DrawnHeads;
  if (!mode || mode === 'off' || heads.length === 0) {
    d = { weights, heads, colorOf: h => colors[h], aggregate: null };
  } else {
    const mats = heads.map(h => weights[h]);
    d = { weights: [aggregateHeads(mats, mode)], heads: [0], colorOf: () => AGGREGATE_COLOR, aggregate: mode };
  }
  return signed ? splitSigned(d) : d;
}

/**
 * A difference B - A drawn as two sets of lines: each drawn head becomes a "gained" head (B > A, red)
 * and a "lost" head (A > B, blue), with weights scaled so that a line's opacity is |difference| / m,
 * m the largest |difference| of the drawn heads (lines share opacity over 2n heads: scaled by 2n).
 */
export function splitSigned(d: DrawnHeads): DrawnHeads {
  let m = 0;
  for (const h of d.heads) {
    const w = d.weights[h];
    for (let i = 0; i < w.length; i++) {
      m = Math.max(m, Math.abs(w[i]));
    }
  }
  const n = d.heads.length;
  const k = m > 0 ? (2 * n) / m : 0;
  const out: Float32Array[] = [];
  for (const h of d.heads) {
    const w = d.weights[h];
    const gained = new Float32Array(w.length);
    const lost = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) {
      if (w[i] > 0) {
        gained[i] = w[i] * k;
      } else if (w[i] < 0) {
        lost[i] = -w[i] * k;
      }
    }
    out.push(gained, lost);
  }
  return { weights: out, heads: out.map((_, i) => i), colorOf: i => (i % 2 === 0 ? GAINED : LOST), aggregate: d.aggregate };
}

/** The tooltip's first row while an aggregate is drawn: its weight with the pinned token, or its strongest. */
export function aggregateRows(input: TooltipInput, mode: AggregateMode, token: TokenRef, pinned: TokenRef | null): TooltipRow[] {
  const d = drawnHeads(input.weights, input.heads, mode, []);
  if (!d.aggregate) {
    return [];
  }
  const row = tooltipContent({ ...input, weights: d.weights, heads: [0], headIds: undefined }, token, pinned).rows[0];
  const [first, ...rest] = row.text;
  const label = `${d.aggregate} of ${input.heads.length}`;
  return [{ text: typeof first === 'string' ? [first.replace(/^head 0/, label), ...rest] : row.text, color: AGGREGATE_COLOR }];
}

/**
 * The head view's drawn heads, kept while the section, layer, heads and mode stay: the mean/max of the
 * active heads and a difference's gained/lost split cost a pass over every active head's matrix, which
 * a hover must not pay again (the weights change only with new data: `clear()`).
 */
export class DrawnCache {
  private kept: { key: string; drawn: DrawnHeads } | null = null;

  get(sec: Section, layer: number, weights: LayerWeights, heads: readonly number[], mode: AggregateMode, colors: readonly string[]): DrawnHeads {
    const signed = isSigned(sec);
    if (mode === 'off' && !signed) {
      return drawnHeads(weights, heads, mode, colors);
    }
    const key = `${sec.key}|${layer}|${heads.join(',')}|${mode}|${signed}|${colors.join(',')}`;
    if (this.kept?.key !== key) {
      this.kept = { key, drawn: drawnHeads(weights, heads, mode, colors, signed) };
    }
    return this.kept.drawn;
  }

  clear(): void {
    this.kept = null;
  }
}
