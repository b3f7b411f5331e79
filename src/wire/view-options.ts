/**
 * The `view_options` trait: how the matrix and text views colour and group what they show, as the
 * kernel was asked (`colormap=`, `scale=`, `group=`). null means "the user's setting, else the default".
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

export interface ViewOptions {
  colormap: ColormapName | null;
  scale: ScaleName | null;
  group: GroupName;
}

export const DEFAULT_VIEW_OPTIONS: Readonly<ViewOptions> = Object.freeze({ colormap: null, scale: null, group: 'token' });

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | null {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/** The checked `view_options` (anything unknown or malformed -> the default for that field). */
export function decodeViewOptions(value: unknown): ViewOptions {
  const v = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return {
    colormap: oneOf(COLORMAPS, v.colormap),
    scale: oneOf(SCALES, v.scale),
    group: oneOf(GROUPS, v.group) ?? 'token'
  };
}
