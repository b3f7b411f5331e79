/**
 * The constants both sides draw with: this widget and the static picture the kernel makes for
 * places without widgets. They are render-constants.json at the repository root, copied here so
 * that every build (tsc, the standalone bundle, the JupyterLab extension) compiles them in; a
 * jest test fails when this file and the JSON differ. Change the JSON, then copy its values here.
 */
export const RENDER_CONSTANTS = Object.freeze({
  /** Head colours in head order (render/palette.ts explains how they were chosen). */
  head_colors: Object.freeze([
    '#1f77b4', '#e17800', '#00a52d', '#e10f96', '#78694b', '#784bd2', '#00a596', '#d21e3c',
    '#969600', '#b478b4', '#d27878', '#4b87ff', '#3c783c', '#8796a5', '#875a00', '#e15ae1',
    '#a53c69', '#b44b1e', '#1e6978', '#ff4b87', '#875a69', '#695aa5', '#a53c96', '#5a6900',
    '#00a569', '#69a500', '#b478e1', '#789678', '#c3875a', '#2d7800', '#b43c4b', '#f05a2d',
    '#96964b', '#c3871e', '#1e5ae1', '#e169b4', '#f0695a', '#7878a5', '#0096b4', '#965a4b',
    '#c30f69', '#696969', '#1e69c3', '#5aa54b', '#00785a', '#b40fa5', '#0096f0', '#963cb4',
    '#b48787', '#8787e1', '#c37896', '#5a9696', '#8778f0', '#4b694b', '#78962d', '#874b87',
    '#6996c3', '#a587a5', '#87780f', '#e1783c', '#4b5ac3', '#96783c', '#e16987', '#69692d'
  ]) as readonly string[],
  /** Unfocused paints skip lines fainter than this (one 8-bit alpha step). */
  min_line_alpha: 0.00392156862745098,
  /** Side of the pooled thumbnails of a lazy section (the kernel pools to it). */
  summary_resolution: 64,
  /** Thumbnails of inputs with at most this many tokens on either side are drawn as lines. */
  max_line_tokens: 48,
  /** Heatmap cell opacity = (weight / strongest cell) ** this. */
  heatmap_alpha_exponent: 0.5,
  /** Default of the setting above which a paint draws its lines on a canvas instead of SVG. */
  canvas_line_threshold: 2000
});
