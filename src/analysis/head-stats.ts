/**
 * Per-head statistics of a lazy section's summary (computed in the kernel after the widget is
 * shown) as one line of text for a thumbnail's tooltip. Pure: no DOM.
 */
import type { Tensor } from '../wire/tensor';

/** How each statistic the kernel names is written; names it does not know are shown as they are. */
const FORMATS: Record<string, { label: string; digits: number; unit?: string; positional?: boolean }> = {
  entropy: { label: 'entropy', digits: 2, unit: 'nats' },
  max: { label: 'max weight', digits: 3 },
  first: { label: 'on first token', digits: 3 },
  previous: { label: 'on previous token', digits: 3, positional: true },
  distance: { label: 'mean distance', digits: 1, unit: 'tokens', positional: true }
};

/**
 * "entropy 2.31 nats · max weight 0.412 · ..." for (layer slot, head slot) of `stats`
 * [layers, heads, names.length]; '' while the statistics have not arrived (null). `samePositions`
 * false (cross-attention) leaves out those that compare query and key positions.
 */
export function headStatsText(
  stats: Tensor | null,
  names: readonly string[],
  layerSlot: number,
  headSlot: number,
  samePositions: boolean
): string {
  if (!stats) {
    return '';
  }
  const parts: string[] = [];
  names.forEach((name, i) => {
    const f = FORMATS[name];
    if (f?.positional && !samePositions) {
      return;
    }
    const value = stats.get(layerSlot, headSlot, i);
    const shown = Number.isFinite(value) ? value.toFixed(f ? f.digits : 3) : String(value);
    parts.push(`${f ? f.label : name} ${shown}${f?.unit ? ` ${f.unit}` : ''}`);
  });
  return parts.join(' \u00b7 ');
}
