/**
 * The text view at a generation step (views/step-control.ts): the running text cut after the last
 * token of the step (prompt + generated tokens 0..step). A decoder's cross attention shows the
 * encoder's text, which no step cuts. The legend's top is the largest weight still shown.
 */
import { TextShown } from './shown';

/** `s` with only the units whose first token is before `limit` (all of `s` for null). */
export function limitText(s: TextShown, limit: number | null): TextShown {
  if (limit === null || !s.section.samePositions) {
    return s;
  }
  const n = s.units.findIndex(u => u.index >= limit);
  if (n < 0) {
    return s;
  }
  const inside = (u: number | null): number | null => (u !== null && u < n ? u : null);
  let shading = s.shading;
  if (shading) {
    const weights = shading.weights.slice(0, n);
    const max = weights.reduce((m, w) => (w > m ? w : m), 0);
    shading = { ...shading, weights, max, focusUnit: inside(shading.focusUnit) };
  }
  return { ...s, units: s.units.slice(0, n), shading, pinnedUnit: inside(s.pinnedUnit), focusUnit: inside(s.focusUnit) };
}
