/**
 * Tokens as running text (pure): which tokens start a word (a space goes before them), which
 * continue the previous one (no space), and what each shows with its subword marker removed.
 *
 * With the section's word groups (the kernel knows the boundaries) a token starts a word when its
 * word index changes. Without them a simple rule on the markers: WordPiece "##x" continues the
 * previous token; byte-level "Ġx" and sentencepiece "▁x" (or " x", prettified) start a word, and when a text uses those
 * markers at all, a token without one continues the previous token. Closing punctuation (".", ",",
 * ")" ...) is attached to the previous token. Special tokens ([CLS], <s>, <|endoftext|>) stand alone.
 * The texts returned are still user data: the DOM sets them with textContent only.
 */
import { Words } from '../analysis/words';

export interface TextUnit {
  /** First token index of the unit (its data-index). */
  index: number;
  /** One past its last token. */
  end: number;
  /** Word index when the text is grouped by words, else null. */
  word: number | null;
  /** What it shows (marker removed; a word's label when grouped). */
  text: string;
  /** A space goes before it. */
  space: boolean;
}

// Ġ, ▁, and the space they become when the kernel prettifies tokens (prettify_tokens, BertViz-style)
const WORD_START = /^[\u0120\u2581 ]/;
const SPECIAL = /^(\[[A-Z]+\]|<\/?[a-z]*>|<\|[^|]*\|>)$/;
const CLOSING = /^[.,;:!?)\]}%\u2019\u201d'"]+$/;

/** The token without its subword marker ("##ing" -> "ing", "Ġthe" -> "the"). */
export function stripMarker(token: string): string {
  if (token.startsWith('##') && token.length > 2) {
    return token.slice(2);
  }
  return WORD_START.test(token) && token.length > 1 ? token.slice(1) : token;
}

/** True for each token that starts a word (by the word groups when given, else by the markers). */
export function wordStarts(tokens: readonly string[], words: Words | null): boolean[] {
  if (words && words.of.length === tokens.length) {
    return tokens.map((_, i) => i === 0 || words.of[i] !== words.of[i - 1]);
  }
  const marked = tokens.some(t => WORD_START.test(t));
  return tokens.map((t, i) => {
    if (i === 0 || SPECIAL.test(t) || SPECIAL.test(tokens[i - 1])) {
      return true;
    }
    if (t.startsWith('##') && t.length > 2) {
      return false;
    }
    return marked ? WORD_START.test(t) : true;
  });
}

/** One unit per token: its text without marker, a space before each word start but the first. */
export function tokenUnits(tokens: readonly string[], words: Words | null): TextUnit[] {
  const starts = wordStarts(tokens, words);
  return tokens.map((t, i) => {
    const text = stripMarker(t);
    return { index: i, end: i + 1, word: null, text, space: i > 0 && starts[i] && !CLOSING.test(text) };
  });
}

/** One unit per word of `words` (its label), spaced as words. */
export function wordUnits(words: Words): TextUnit[] {
  return words.labels.map((label, w) => ({ index: words.starts[w], end: words.starts[w + 1], word: w, text: label, space: w > 0 && !CLOSING.test(label) }));
}
