/**
 * The `view_options` trait: how the matrix and text views colour and group what they show, as the
 * kernel was asked (`colormap=`, `scale=`, `group=`), and the model view's head triage (`score=`,
 * `sort=`, `top=`, `min_score=`, `chart=`). null means "the user's setting, else the default".
 * A malformed value never throws into the page: each bad field falls back to null (or "token").
 */

/** Sequential colour maps only: attention is a magnitude, and rainbow maps invent boundaries. */
export const COLORMAPS = ['viridis', 'blues', 'magma', 'greys'] as const;
export type ColormapName = (typeof COLORMAPS)[number];
/** Attention is heavy-tailed: sqrt and log spread the small weights. */
export const SCALES = ['linear', 'sqrt', 'log'] as const;
export type ScaleName = (typeof SCALES)[number];
/** Tokens as they are, or subword tokens merged into words (when the section has word groups). */
export const GROUPS = ['token', 'word'] as const;
export type GroupName = (typeof GROUPS)[number];

/** How the model view orders its thumbnails by the chosen score (analysis/head-ranking.ts). */
export const SORTS = ['none', 'layer', 'rank', 'similarity'] as const;
export type SortName = (typeof SORTS)[number];

export interface ViewOptions {
  colormap: ColormapName | null;
  scale: ScaleName | null;
  group: GroupName;
  /** The model view's head triage (`score=`, `sort=`, `top=`, `min_score=`, `chart=`). */
  score: string | null;
  sort: SortName;
  top: number | null;
  minScore: number | null;
  /** The heads chart's x and y scores; null: no chart at first. */
  chart: [string, string] | null;
}

export const DEFAULT_VIEW_OPTIONS: Readonly<ViewOptions> = Object.freeze({
  colormap: null,
  scale: null,
  group: 'token',
  score: null,
  sort: 'none',
  top: null,
  minScore: null,
  chart: null
});

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | null {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/** The checked `view_options` (anything unknown or malformed -> the default for that field). */
export function decodeViewOptions(value: unknown): ViewOptions {
  const v = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const name = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);
  const chart = Array.isArray(v.chart) && v.chart.length === 2 ? [name(v.chart[0]), name(v.chart[1])] : null;
  return {
    colormap: oneOf(COLORMAPS, v.colormap),
    scale: oneOf(SCALES, v.scale),
    group: oneOf(GROUPS, v.group) ?? 'token',
    score: name(v.score),
    sort: oneOf(SORTS, v.sort) ?? 'none',
    top: Number.isInteger(v.top) && (v.top as number) > 0 ? (v.top as number) : null,
    minScore: typeof v.min_score === 'number' && Number.isFinite(v.min_score) ? v.min_score : null,
    chart: chart && chart[0] && chart[1] ? [chart[0], chart[1]] : null
  };
}
