/**
 * Head colours: one per head, distinct for up to 64 heads (and beyond), the
 * same on every call, readable on a light (#fff) and a dark (#111) background.
 *
 * The colours are a farthest-point sequence in CIE Lab: starting from d3's
 * category blue, each next colour is the candidate farthest from all colours
 * chosen so far. Candidates are an sRGB grid restricted to colours with at
 * least 3:1 WCAG contrast on both backgrounds and Lab chroma <= 80 (no neon).
 * Because the sequence is greedy, headColors(n) is a prefix of
 * headColors(n + 1): a head keeps its colour whatever the head count.
 * The first 64 are stored (so every browser shows exactly the same colours);
 * the test checks that they are what the optimiser produces.
 */
import { lab, rgb } from 'd3';

import { RENDER_CONSTANTS } from '../config/render-constants';

export const LIGHT_BACKGROUND = '#ffffff';
export const DARK_BACKGROUND = '#111111';
/** Minimum WCAG contrast of every head colour against both backgrounds. */
export const MIN_CONTRAST = 3;
/** Maximum CIE Lab chroma of a head colour. */
export const MAX_CHROMA = 80;
const GRID_STEP = 15; // divides 255, so the grid includes 0 and 255
const SEED = '#1f77b4';

/** headColors(64), as computed by farthestPointSequence(64) (stored in render-constants.json). */
export const BASE_HEAD_COLORS: readonly string[] = RENDER_CONSTANTS.head_colors;

type Lab3 = readonly [number, number, number];

function toLab(color: string): Lab3 {
  const c = lab(color);
  return [c.l, c.a, c.b];
}

function distance3(p: Lab3, q: Lab3): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** Euclidean distance in CIE Lab (CIE76 delta E) between two CSS colours. */
export function labDistance(a: string, b: string): number {
  return distance3(toLab(a), toLab(b));
}

function linear(channel: number): number {
  const v = channel / 255;
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/** WCAG 2 relative luminance of a CSS colour. */
export function relativeLuminance(color: string): number {
  const c = rgb(color);
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

/** WCAG 2 contrast ratio between two CSS colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [x, y] = [relativeLuminance(a), relativeLuminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

function readable(color: string): boolean {
  return (
    contrastRatio(color, LIGHT_BACKGROUND) >= MIN_CONTRAST &&
    contrastRatio(color, DARK_BACKGROUND) >= MIN_CONTRAST
  );
}

/** The colours the optimiser may choose from, in a fixed order. */
export function paletteCandidates(): string[] {
  const out: string[] = [];
  for (let r = 0; r <= 255; r += GRID_STEP) {
    for (let g = 0; g <= 255; g += GRID_STEP) {
      for (let b = 0; b <= 255; b += GRID_STEP) {
        const hex = rgb(r, g, b).formatHex();
        const [, a, bb] = toLab(hex);
        if (readable(hex) && Math.hypot(a, bb) <= MAX_CHROMA) {
          out.push(hex);
        }
      }
    }
  }
  return out;
}

/**
 * The first n colours of the farthest-point sequence that starts with `start`
 * (default: the seed) and continues greedily over the candidates (ties go to
 * the earliest candidate). Once every candidate is used, colours repeat.
 */
export function farthestPointSequence(
  n: number,
  start: readonly string[] = [SEED],
  candidates: readonly string[] = paletteCandidates()
): string[] {
  const picked = start.slice(0, n);
  const points = candidates.map(toLab);
  const seeds = start.map(toLab);
  const nearest = points.map(p => Math.min(...seeds.map(s => distance3(p, s))));
  while (picked.length < n && candidates.length > 0) {
    let best = 0;
    for (let i = 1; i < nearest.length; i++) {
      if (nearest[i] > nearest[best]) {
        best = i;
      }
    }
    if (nearest[best] <= 0) {
      break; // every candidate already chosen
    }
    picked.push(candidates[best]);
    for (let i = 0; i < points.length; i++) {
      nearest[i] = Math.min(nearest[i], distance3(points[i], points[best]));
    }
  }
  const unique = picked.length;
  if (unique === 0) {
    return [];
  }
  for (let i = unique; i < n; i++) {
    picked.push(picked[i % unique]);
  }
  return picked;
}

let extended: readonly string[] = BASE_HEAD_COLORS;

/** n head colours as '#rrggbb' strings; the same n always gives the same list. */
export function headColors(n: number): string[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`headColors: n must be a non-negative integer, received ${String(n)}`);
  }
  if (n > extended.length) {
    extended = Object.freeze(farthestPointSequence(n, BASE_HEAD_COLORS));
  }
  return extended.slice(0, n);
}
