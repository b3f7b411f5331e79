/**
 * What a derived section is, for the views (pure): whether its values are signed (a difference
 * B - A, attnscope.compare: drawn on a diverging scale), whether its layer l is cumulative (rollout,
 * flow, gradient rollout: through layers 0..l) or one layer (attention x gradient, a difference),
 * and the words a layer picker and a caption use for it.
 */
import { Section } from './section';

/** The derived kinds whose layer l is the result through layers 0..l. */
export const CUMULATIVE_KINDS: readonly string[] = ['rollout', 'flow', 'gradient_rollout'];

const KIND_WORDS: Record<string, string> = {
  rollout: 'rollout',
  flow: 'flow',
  gradient_rollout: 'gradient rollout',
  attention_x_gradient: 'attention \u00d7 gradient',
  difference: 'difference'
};

/** True for a difference of two runs: values in [-1, 1], drawn on a diverging scale. */
export function isSigned(sec: Pick<Section, 'derived'>): boolean {
  return sec.derived === 'difference';
}

/** True when layer slot l of the section is the result through layers 0..l. */
export function isCumulative(sec: Pick<Section, 'derived'>): boolean {
  return sec.derived !== null && CUMULATIVE_KINDS.includes(sec.derived);
}

/** "layer 3", "rollout through layer 3", "attention × gradient, layer 3". */
export function layerWords(sec: Pick<Section, 'derived'>, layer: number): string {
  if (!sec.derived) {
    return `layer ${layer}`;
  }
  const kind = KIND_WORDS[sec.derived] ?? sec.derived;
  return isCumulative(sec) ? `${kind} through layer ${layer}` : `${kind}, layer ${layer}`;
}

/** A layer picker's option text: the bare index for attention, else as layerWords. */
export function layerOption(sec: Pick<Section, 'derived'>, layer: number): string {
  return sec.derived ? layerWords(sec, layer) : String(layer);
}
