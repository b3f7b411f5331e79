/** Numbers as the views print them: 4 decimals, and tiny non-zero weights in exponent form. */
export function formatWeight(w: number): string {
  if (!Number.isFinite(w)) {
    return String(w);
  }
  if (w !== 0 && Math.abs(w) < 5e-5) {
    return w.toExponential(2);
  }
  return w.toFixed(4);
}

/** Shortens a token for display; the full text stays available for hover. */
export function shortenToken(text: string, maxChars: number): string {
  const chars = Array.from(text); // code points: never split an emoji or a surrogate pair
  if (chars.length <= maxChars) {
    return text;
  }
  return chars.slice(0, Math.max(1, maxChars - 1)).join('') + '\u2026';
}
