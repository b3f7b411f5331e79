/**
 * User settings (schema/plugin.json), read by the JupyterLab plugin and by every view.
 * Outside JupyterLab (offline HTML, tests) the defaults apply.
 */
import { RENDER_CONSTANTS } from './render-constants';

export type ThemeSetting = 'auto' | 'light' | 'dark';
export type PaletteName = 'distinct' | 'sinebow' | 'dark2';

/**
 * How opaque a focused token's lines are. 'shared': weight / active heads, as every other line and
 * as BertViz draws them (faint with many heads). 'row-maximum': in each head, the token's
 * strongest line is opaque and the others in proportion (weight / that head's largest weight of
 * the token), so that a hovered token stays readable with 12 or 32 heads.
 */
export type LineContrast = 'shared' | 'row-maximum';

/** Matrix view colour map and scale (the same names as wire/view-options.ts COLORMAPS / SCALES). */
export type MatrixColormap = 'viridis' | 'blues' | 'magma' | 'greys';
export type MatrixScale = 'linear' | 'sqrt' | 'log';

export interface AttnscopeSettings {
  theme: ThemeSetting;
  headPalette: PaletteName;
  /** Above this many lines in one paint, lines are drawn on a canvas instead of SVG. */
  canvasThreshold: number;
  /** Tokens longer than this are shortened for display; the full text shows on hover. */
  maxTokenChars: number;
  /** Height of one token row, in CSS pixels. */
  rowHeight: number;
  /** Lazy widgets: memory bound of the fetched (layer, head) slices kept in the page, in MB. */
  cacheMegabytes: number;
  /** Lazy widgets: seconds without an answer from the kernel before a view says it is waiting. */
  fetchTimeoutSeconds: number;
  /** Opacity of a hovered or pinned token's lines (analysis/links.ts LineContrast). */
  hoverContrast: LineContrast;
  /** Matrix view colour map when the kernel does not ask for one (`colormap=`). */
  matrixColormap: MatrixColormap;
  /** Matrix view colour scale when the kernel does not ask for one (`scale=`). */
  matrixScale: MatrixScale;
}

export const DEFAULT_SETTINGS: Readonly<AttnscopeSettings> = Object.freeze({
  theme: 'auto',
  headPalette: 'distinct',
  canvasThreshold: RENDER_CONSTANTS.canvas_line_threshold,
  maxTokenChars: 24,
  rowHeight: 20,
  cacheMegabytes: 256,
  fetchTimeoutSeconds: 5,
  hoverContrast: 'shared',
  matrixColormap: 'viridis',
  matrixScale: 'linear'
});

type Listener = (s: Readonly<AttnscopeSettings>) => void;

const PALETTES: readonly PaletteName[] = ['distinct', 'sinebow', 'dark2'];
const THEMES: readonly ThemeSetting[] = ['auto', 'light', 'dark'];
const CONTRASTS: readonly LineContrast[] = ['shared', 'row-maximum'];
const MATRIX_COLORMAPS: readonly MatrixColormap[] = ['viridis', 'blues', 'magma', 'greys'];
const MATRIX_SCALES: readonly MatrixScale[] = ['linear', 'sqrt', 'log'];

function clampInt(v: unknown, lo: number, hi: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : fallback;
}

/** Keep only valid values; anything else falls back to the default. */
export function sanitizeSettings(raw: Partial<Record<keyof AttnscopeSettings, unknown>>): AttnscopeSettings {
  const d = DEFAULT_SETTINGS;
  return {
    theme: THEMES.includes(raw.theme as ThemeSetting) ? (raw.theme as ThemeSetting) : d.theme,
    headPalette: PALETTES.includes(raw.headPalette as PaletteName) ? (raw.headPalette as PaletteName) : d.headPalette,
    canvasThreshold: clampInt(raw.canvasThreshold, 0, 10_000_000, d.canvasThreshold),
    maxTokenChars: clampInt(raw.maxTokenChars, 4, 10_000, d.maxTokenChars),
    rowHeight: clampInt(raw.rowHeight, 8, 64, d.rowHeight),
    cacheMegabytes: clampInt(raw.cacheMegabytes, 16, 8192, d.cacheMegabytes),
    fetchTimeoutSeconds: clampInt(raw.fetchTimeoutSeconds, 1, 600, d.fetchTimeoutSeconds),
    hoverContrast: CONTRASTS.includes(raw.hoverContrast as LineContrast) ? (raw.hoverContrast as LineContrast) : d.hoverContrast,
    matrixColormap: MATRIX_COLORMAPS.includes(raw.matrixColormap as MatrixColormap) ? (raw.matrixColormap as MatrixColormap) : d.matrixColormap,
    matrixScale: MATRIX_SCALES.includes(raw.matrixScale as MatrixScale) ? (raw.matrixScale as MatrixScale) : d.matrixScale
  };
}

class SettingsStore {
  private current: AttnscopeSettings = { ...DEFAULT_SETTINGS };
  private listeners = new Set<Listener>();

  get value(): Readonly<AttnscopeSettings> {
    return this.current;
  }

  update(raw: Partial<Record<keyof AttnscopeSettings, unknown>>): void {
    this.current = sanitizeSettings({ ...this.current, ...raw });
    this.listeners.forEach(fn => fn(this.current));
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** One store per page: every widget follows the user's settings. */
export const settings = new SettingsStore();
