/**
 * What the matrix view's tooltip says about a cell (pure): "0.4123 · it → trophy" (query → key, the
 * weight as every view prints it), then the exact float, the row and column, and what is drawn.
 * Tokens are TextParts (set as text, invisible characters escaped, bounded).
 */
import { layerWords } from '../../data/derived';
import { formatWeight } from '../../render/format';
import { TooltipRow } from '../../render/tooltip';
import { escapeInvisible, TextPart, TOOLTIP_ROW_CHARS } from '../../render/token-text';
import { shortenToken } from '../../render/format';
import { MatrixShown, tokensOfUnit } from './shown';

function labelOf(s: MatrixShown, side: 'query' | 'key', unit: number): string {
  if (s.exact) {
    return (side === 'query' ? s.rowLabels : s.colLabels)[unit] ?? '';
  }
  const [a, b] = tokensOfUnit(s, side, unit);
  const tokens = side === 'query' ? s.section.queryTokens : s.section.keyTokens;
  return b - a <= 1 ? tokens[a] ?? '' : `${tokens[a]} \u2026 ${tokens[b - 1]}`;
}

function tokenPart(text: string): TextPart {
  return { token: escapeInvisible(shortenToken(text, TOOLTIP_ROW_CHARS)) };
}

/** The weight of cell (row, col) of what is shown, or NaN outside. */
export function cellWeight(s: MatrixShown, row: number, col: number): number {
  return s.weights && row >= 0 && col >= 0 && row < s.rows && col < s.cols ? s.weights[row * s.cols + col] : NaN;
}

export function matrixTooltip(s: MatrixShown, row: number, col: number): { title: TextPart[]; rows: TooltipRow[] } {
  const w = cellWeight(s, row, col);
  const q = labelOf(s, 'query', row);
  const k = labelOf(s, 'key', col);
  const sign = s.signed && w > 0 ? '+' : '';
  const value = Number.isNaN(w) ? '\u2014' : `${s.exact ? '' : '\u2248'}${sign}${formatWeight(w)}`;
  const title: TextPart[] = [`${value} \u00b7 `, tokenPart(q), ' \u2192 ', tokenPart(k)];
  const [q0, q1] = tokensOfUnit(s, 'query', row);
  const [k0, k1] = tokensOfUnit(s, 'key', col);
  const span = (a: number, b: number): string => (b - a <= 1 ? String(a) : `${a}\u2013${b - 1}`);
  const unit = s.grouped ? 'word' : s.exact ? 'token' : 'tokens';
  const rows: TooltipRow[] = [
    { text: `query ${unit} ${span(q0, q1)} \u2192 key ${unit} ${span(k0, k1)}` },
    { text: s.exact ? `weight ${w}` : `pooled summary of tokens (exact weights loading\u2026): ${w}` },
    { text: `${s.choiceText}, ${layerWords(s.section, s.layer)}` }
  ];
  return { title, rows };
}
