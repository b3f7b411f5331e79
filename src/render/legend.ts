/**
 * Colour scales and legend ticks of the matrix view (pure). A weight w of a matrix whose largest
 * value is `max` goes to a position t in [0, 1]:
 * - linear: w / max;
 * - sqrt:   sqrt(w / max), spreading the small weights;
 * - log:    log10(w / max) over 4 decades: weights below 1e-4 x max (the floor, LOG_FLOOR) are
 *           drawn as the floor, t = (log10(w / max) + 4) / 4.
 * The domain is always [0, max of the shown matrix]; an all-zero matrix draws everything at t = 0.
 */
import { ScaleName } from '../wire/view-options';

/** Log scale floor, relative to the domain's maximum. */
export const LOG_FLOOR = 1e-4;
const LOG_DECADES = -Math.log10(LOG_FLOOR);

export function scalePosition(w: number, max: number, scale: ScaleName): number {
  if (!(max > 0) || !(w > 0)) {
    return 0;
  }
  const r = Math.min(1, w / max);
  if (scale === 'sqrt') {
    return Math.sqrt(r);
  }
  if (scale === 'log') {
    return r <= LOG_FLOOR ? 0 : (Math.log10(r) + LOG_DECADES) / LOG_DECADES;
  }
  return r;
}

export interface Tick {
  value: number;
  /** Position on the legend bar, 0 (left) .. 1 (right). */
  t: number;
  label: string;
}

/** Short tick text: "0", "0.25", "1e-3". */
export function tickLabel(v: number): string {
  if (v === 0) {
    return '0';
  }
  if (Math.abs(v) < 1e-3) {
    return v.toExponential(0);
  }
  return String(Number(v.toPrecision(3)));
}

const STEPS = [1, 2, 2.5, 5];

/** The smallest "nice" step (1, 2, 2.5, 5 x 10^k) giving at most 6 ticks from 0 to max (and so at least 3). */
export function niceStep(max: number): number {
  let k = Math.floor(Math.log10(max)) - 2;
  for (;;) {
    for (const s of STEPS) {
      const step = s * 10 ** k;
      if (Math.floor(max / step + 1e-9) + 1 <= 6) {
        return step;
      }
    }
    k++;
  }
}

/** 3-6 ticks on [0, max]: multiples of a nice step (linear, sqrt), powers of ten above the floor (log). */
export function legendTicks(max: number, scale: ScaleName): Tick[] {
  if (!(max > 0) || !Number.isFinite(max)) {
    return [{ value: 0, t: 0, label: '0' }];
  }
  const values: number[] = [];
  if (scale === 'log') {
    const lo = Math.ceil(Math.log10(max * LOG_FLOOR) - 1e-9);
    const hi = Math.floor(Math.log10(max) + 1e-9);
    for (let e = lo; e <= hi; e++) {
      values.push(Number((10 ** e).toPrecision(12)));
    }
  } else {
    const step = niceStep(max);
    const n = Math.floor(max / step + 1e-9);
    for (let i = 0; i <= n; i++) {
      values.push(Number((i * step).toPrecision(12)));
    }
  }
  return values.map(value => ({ value, t: scalePosition(value, max, scale), label: tickLabel(value) }));
}
