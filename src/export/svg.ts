/**
 * A tiny SVG element builder for the exports. Element and attribute names are code constants
 * (checked); every attribute value and every text child is escaped, so user text (tokens) can only
 * ever become character data, never markup.
 */
import { Theme } from '../config/theme';

export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Readonly<Record<string, AttrValue>>;
export type Child = SvgNode | string | null | undefined | false;

export interface SvgNode {
  readonly tag: string;
  readonly attrs: Attrs;
  readonly children: readonly Child[];
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Sans-serif stack used by every export (the SVG is a file: no page fonts there). */
export const FONT_FAMILY = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

const NAME = /^[A-Za-z_][\w.:-]*$/;

function checkName(name: string, what: string): string {
  if (!NAME.test(name)) {
    throw new Error(`attnscope export: invalid SVG ${what} name ${JSON.stringify(name)}`);
  }
  return name;
}

/** Characters XML 1.0 cannot hold (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F) become U+FFFD. */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD');
}

export function escapeText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Coordinates: at most 2 decimals, no exponent, no "-0". */
export function num(v: number): string {
  if (!Number.isFinite(v)) {
    return '0';
  }
  const r = Math.round(v * 100) / 100;
  return r === 0 ? '0' : String(r);
}

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): SvgNode {
  return { tag: checkName(tag, 'element'), attrs, children };
}

function attrText(v: AttrValue): string | null {
  if (v === null || v === undefined || v === false) {
    return null;
  }
  if (v === true) {
    return 'true';
  }
  return typeof v === 'number' ? num(v) : v;
}

function write(node: SvgNode, out: string[]): void {
  out.push('<', node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    const text = attrText(value);
    if (text !== null) {
      out.push(' ', checkName(name, 'attribute'), '="', escapeAttr(text), '"');
    }
  }
  const kids = node.children.filter((c): c is SvgNode | string => c !== null && c !== undefined && c !== false);
  if (kids.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const c of kids) {
    if (typeof c === 'string') {
      out.push(escapeText(c));
    } else {
      write(c, out);
    }
  }
  out.push('</', node.tag, '>');
}

/** Serialises a node tree; text and attribute values are escaped. */
export function render(node: SvgNode): string {
  const out: string[] = [];
  write(node, out);
  return out.join('');
}

/** Colours of an export: the view's theme, read from its CSS variables when the page has them. */
export interface SvgPalette {
  theme: Theme;
  background: string;
  foreground: string;
  muted: string;
  border: string;
  accent: string;
}

export const PALETTES: Readonly<Record<Theme, SvgPalette>> = {
  light: { theme: 'light', background: '#ffffff', foreground: '#1f1f1f', muted: '#616161', border: '#e0e0e0', accent: '#1976d2' },
  dark: { theme: 'dark', background: '#111111', foreground: '#e8e8e8', muted: '#b0b0b0', border: '#444444', accent: '#1976d2' }
};

/** A CSS colour we are willing to copy into a file: hex, rgb()/hsl() and named colours only. */
const COLOR = /^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/+-]+\)|[a-zA-Z]{3,20})$/;

/**
 * The palette of a view root: its data-theme, with the colours JupyterLab's theme gives the
 * --attnscope-* variables (fallbacks from style/base.css when the page has none, e.g. in tests).
 */
export function paletteOf(root: HTMLElement): SvgPalette {
  const theme: Theme = root.dataset.theme === 'dark' ? 'dark' : 'light';
  const base = PALETTES[theme];
  const view = root.ownerDocument.defaultView;
  if (!view || typeof view.getComputedStyle !== 'function') {
    return { ...base };
  }
  const style = view.getComputedStyle(root);
  const read = (name: string, fallback: string): string => {
    const v = style.getPropertyValue(name).trim();
    return v && v !== 'transparent' && COLOR.test(v) ? v : fallback;
  };
  return {
    theme,
    background: read('--attnscope-bg', base.background),
    foreground: read('--attnscope-fg', base.foreground),
    muted: read('--attnscope-fg-muted', base.muted),
    border: read('--attnscope-border', base.border),
    accent: read('--attnscope-accent', base.accent)
  };
}

/** What every builder returns: the file text and what the download needs. */
export interface ExportedSvg {
  svg: string;
  width: number;
  height: number;
  /** File name without extension: attnscope-<view>-L<layer>-H<heads or head>. */
  name: string;
}

/** The <svg> document: size, viewBox, font, background from the theme, a title for screen readers. */
export function svgDocument(width: number, height: number, palette: SvgPalette, title: string, ...body: Child[]): string {
  const w = Math.ceil(width);
  const ht = Math.ceil(height);
  const root = h(
    'svg',
    {
      xmlns: SVG_NS,
      version: '1.1',
      width: w,
      height: ht,
      viewBox: `0 0 ${w} ${ht}`,
      'font-family': FONT_FAMILY,
      'font-size': 12,
      'xml:space': 'preserve',
      'data-theme': palette.theme
    },
    h('title', {}, title),
    h('desc', {}, 'Exported by attnscope'),
    h('rect', { 'data-role': 'background', x: 0, y: 0, width: w, height: ht, fill: palette.background }),
    ...body
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root)}\n`;
}

/** Rough width of a text at a font size (no layout in a pure builder): 0.6 em per code point. */
export function textWidth(text: string, fontSize = 12): number {
  return Array.from(text).length * fontSize * 0.6;
}

/** "H<heads>" part of a file name: all, one id, or ids joined with "-" (long lists: a count). */
export function headsPart(ids: readonly number[], total: number): string {
  if (ids.length === total && total > 1) {
    return 'all';
  }
  return ids.length > 16 ? `${ids.length}heads` : ids.join('-');
}

export function fileName(view: 'head' | 'model' | 'neuron', layer: number | 'all', heads: string): string {
  return `attnscope-${view}-L${layer}-H${heads}`;
}
