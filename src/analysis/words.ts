/**
 * Subword tokens grouped into words: the word groups a section carries (from the tokenizer or the
 * subword markers, computed by the kernel), or each token its own word. A [queries, keys] matrix
 * grouped by words sums over a word's keys (the attention a word receives is what its pieces
 * receive) and averages over a word's queries (each piece's row sums to 1, so the word's row does too).
 */
import { Section } from '../data/section';

export interface Words {
  /** Word index of each token. */
  of: readonly number[];
  /** The word's text, one per word. */
  labels: readonly string[];
  /** First token index of each word, and one past the last token (length labels.length + 1). */
  starts: readonly number[];
}

function startsOf(of: readonly number[], nWords: number): number[] {
  const starts = new Array<number>(nWords + 1).fill(of.length);
  for (let i = of.length - 1; i >= 0; i--) {
    starts[of[i]] = i;
  }
  return starts;
}

/** Words of one side of a section ("query" rows or "key" columns). */
export function wordsOf(sec: Section, side: 'query' | 'key'): Words {
  const tokens = side === 'query' ? sec.queryTokens : sec.keyTokens;
  const groups = sec.words;
  if (!groups) {
    return { of: tokens.map((_, i) => i), labels: tokens, starts: [...tokens.map((_, i) => i), tokens.length] };
  }
  const of = side === 'query' ? groups.query : groups.key;
  const labels = side === 'query' ? groups.queryLabels : groups.keyLabels;
  return { of, labels, starts: startsOf(of, labels.length) };
}

/** True when some word has more than one token (grouping changes something). */
export function hasSubwords(words: Words): boolean {
  return words.labels.length < words.of.length;
}

/** [rows, cols] row-major weights grouped into [rowWords, colWords]: sum over keys, mean over queries. */
export function groupMatrix(w: Float32Array, rows: number, cols: number, rowWords: Words, colWords: Words): Float32Array {
  if (w.length !== rows * cols || rowWords.of.length !== rows || colWords.of.length !== cols) {
    throw new RangeError(`groupMatrix: ${w.length} values for [${rows}, ${cols}] with ${rowWords.of.length} x ${colWords.of.length} word indices`);
  }
  const nR = rowWords.labels.length;
  const nC = colWords.labels.length;
  const out = new Float32Array(nR * nC);
  for (let i = 0; i < rows; i++) {
    const base = rowWords.of[i] * nC;
    const row = i * cols;
    for (let j = 0; j < cols; j++) {
      out[base + colWords.of[j]] += w[row + j];
    }
  }
  for (let r = 0; r < nR; r++) {
    const n = rowWords.starts[r + 1] - rowWords.starts[r];
    if (n > 1) {
      for (let c = 0; c < nC; c++) {
        out[r * nC + c] /= n;
      }
    }
  }
  return out;
}
