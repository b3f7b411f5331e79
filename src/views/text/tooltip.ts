/**
 * What the text view's tooltip says about a token or word (pure): its exact text (bounded, with
 * invisible characters escaped), the exact weight it is shaded by, and what that weight means.
 */
import { formatWeight } from '../../render/format';
import { TooltipRow } from '../../render/tooltip';
import { TextPart, tokenParts, TOOLTIP_TITLE_CHARS } from '../../render/token-text';
import { captionText, TextShown } from './shown';

export function textTooltip(s: TextShown, unit: number): { title: TextPart[]; rows: TooltipRow[] } {
  const u = s.units[unit];
  const tokens = s.section.keyTokens;
  const text = u.word !== null ? tokens.slice(u.index, u.end).join(' ') : tokens[u.index];
  const what = u.word !== null ? `word ${u.word} (tokens ${u.index}\u2013${u.end - 1})` : `token ${u.index}`;
  const w = s.shading?.weights[unit];
  const rows = w === undefined ? [{ text: 'exact weights loading\u2026' }] : [{ text: `weight ${formatWeight(w)} (${w})` }, { text: captionText(s) }];
  return { title: [`${what}: `, ...tokenParts(text, TOOLTIP_TITLE_CHARS)], rows };
}
