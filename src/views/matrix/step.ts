/**
 * The matrix view at a generation step (views/step-control.ts): rows (queries) cut to the prompt and
 * generated tokens 0..step, columns too when keys are that same sequence (not a decoder's cross
 * attention, whose keys are the encoder's tokens). Only the exact matrix is cut: a lazy section's
 * pooled summary (one cell for a block of tokens, shown until the exact slices arrive) stays whole.
 * The colour scale keeps the whole matrix's maximum, so colours do not change from step to step.
 */
import { Section } from '../../data/section';
import { generationOf, markGenerated } from '../step-control';
import { MatrixShown } from './shown';

/** Units (tokens or words) whose first token is before `limit`. */
function unitsBefore(firstTokens: readonly number[], limit: number): number {
  let n = 0;
  while (n < firstTokens.length && firstTokens[n] < limit) {
    n++;
  }
  return n;
}

/** `s` with only the rows and columns of the first `limit` token positions (all of `s` for null). */
export function limitMatrix(s: MatrixShown, limit: number | null): MatrixShown {
  if (limit === null || !s.weights || !s.exact) {
    return s;
  }
  const rows = unitsBefore(s.rowTokens, limit);
  const cols = s.section.samePositions ? unitsBefore(s.colTokens, limit) : s.cols;
  if (rows === s.rows && cols === s.cols) {
    return s;
  }
  const weights = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    weights.set(s.weights.subarray(r * s.cols, r * s.cols + cols), r * cols);
  }
  return {
    ...s,
    weights,
    rows,
    cols,
    rowLabels: s.rowLabels.slice(0, rows),
    colLabels: s.colLabels.slice(0, cols),
    rowTokens: s.rowTokens.slice(0, rows),
    colTokens: s.colTokens.slice(0, cols)
  };
}

/** Marks the axis labels of generated tokens (`is-generated`). */
export function markAxis(labels: readonly HTMLElement[], sec: Section, side: 'query' | 'key'): void {
  markGenerated(labels, generationOf(sec, side));
}
