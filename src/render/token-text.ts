/**
 * How a token's text is shown (pure). Tokens are user data and may hold anything: control and
 * invisible characters are shown as visible escapes (⟨U+202E⟩), a token set inside other text is
 * isolated so that its direction cannot reorder what surrounds it, and a long token is cut to an
 * excerpt that says how long it really is. The exact text stays in the data (aria-label, title).
 */

/** First-strong isolate and pop directional isolate: the text between them is laid out on its own. */
const FSI = '\u2068';
const PDI = '\u2069';
const ZWJ = '\u200d';

/** Control (Cc), format (Cf: bidi controls, zero-width, BOM, tags) and line/paragraph separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

/** `U+202E` style name of a code point. */
export function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The code point ending just before `offset`, and the one starting at `offset + len`. */
function neighbours(text: string, offset: number, len: number): [string, string] {
  const before = Array.from(text.slice(Math.max(0, offset - 2), offset)).pop() ?? '';
  const after = Array.from(text.slice(offset + len, offset + len + 2))[0] ?? '';
  return [before, after];
}

/**
 * Every control or invisible character as ⟨U+XXXX⟩. A zero-width joiner between two pictographs
 * is part of an emoji (👩‍💻) and is kept.
 */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (ch: string, offset: number) => {
    if (ch === ZWJ) {
      const [before, after] = neighbours(text, offset, ch.length);
      if (PICTOGRAPH.test(before) && PICTOGRAPH.test(after)) {
        return ch;
      }
    }
    return `\u27e8${codePointName(ch)}\u27e9`;
  });
}

/** Whether escapeInvisible changes the text: then what is shown is not the text itself. */
export function hasInvisible(text: string): boolean {
  return escapeInvisible(text) !== text;
}

/** The text as a unit of its own direction inside a line of other text. */
export function isolate(text: string): string {
  return FSI + text + PDI;
}

/** Longest token excerpt in a tooltip title, and in each of its rows. */
export const TOOLTIP_TITLE_CHARS = 80;
export const TOOLTIP_ROW_CHARS = 32;

/**
 * A line of text with tokens in it: plain strings, and tokens (already escaped and bounded) that
 * the renderer isolates (<bdi> in HTML, U+2068/U+2069 in SVG text).
 */
export type TextPart = string | { readonly token: string };
export type TextLine = string | readonly TextPart[];

/**
 * A token as a tooltip line shows it: at most `maxChars` characters (cut at code points) with its
 * length when it is longer ("… (10,240 characters)"), and control or invisible characters escaped.
 */
export function tokenParts(text: string, maxChars: number): TextPart[] {
  const chars = Array.from(text);
  if (chars.length <= maxChars) {
    return [{ token: escapeInvisible(text) }];
  }
  const shown = chars.slice(0, Math.max(1, maxChars)).join('');
  return [{ token: escapeInvisible(shown) }, `\u2026 (${chars.length.toLocaleString('en-US')} characters)`];
}

/** The token's exact text, cut (with an ellipsis) after `maxChars` characters. */
export function rawExcerpt(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length > maxChars ? chars.slice(0, Math.max(1, maxChars)).join('') + '\u2026' : text;
}

/** A line as plain text, tokens as they read (what a screen reader or a test sees). */
export function plainText(line: TextLine): string {
  return typeof line === 'string' ? line : line.map(p => (typeof p === 'string' ? p : p.token)).join('');
}
