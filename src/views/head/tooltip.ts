/**
 * What the tooltip says about a hovered token (pure): its full text, then one row per active head
 * with the exact weight between it and the pinned token on the other side, or, when nothing is
 * pinned there, the strongest weight it has and with which token. Tokens appear as bounded,
 * isolated excerpts with invisible characters escaped (render/token-text.ts): however long or odd a
 * token is, the weights stay on screen and in their order.
 */
import { Range } from '../../selection/filters';
import { TokenRef } from '../../selection/state';
import { LayerWeights } from '../../wire/tensor';
import { formatWeight } from '../../render/format';
import { hasInvisible, rawExcerpt, TextPart, tokenParts, TOOLTIP_ROW_CHARS, TOOLTIP_TITLE_CHARS } from '../../render/token-text';

export interface TooltipInput {
  /** One layer: row-major [queries, keys] per head slot. */
  weights: LayerWeights;
  nQueries: number;
  nKeys: number;
  heads: readonly number[];
  /** Real head id of each head slot (labels); slots themselves when absent. */
  headIds?: readonly number[];
  queryTokens: readonly string[];
  keyTokens: readonly string[];
  query: Range;
  key: Range;
}

export interface TooltipContent {
  title: TextPart[];
  /** The token's own text (bounded) when the title shows escapes in its place. */
  exact: TextPart[] | null;
  rows: { head: number; text: TextPart[] }[];
}

function weightAt(p: TooltipInput, head: number, q: number, k: number): number {
  return p.weights[head][q * p.nKeys + k];
}

export function tooltipContent(p: TooltipInput, token: TokenRef, pinned: TokenRef | null): TooltipContent {
  const isQuery = token.side === 'query';
  const text = (isQuery ? p.queryTokens : p.keyTokens)[token.index];
  const title = [`${isQuery ? 'query' : 'key'} ${token.index}: `, ...tokenParts(text, TOOLTIP_TITLE_CHARS)];
  const exact = hasInvisible(text) ? ['text: ', { token: rawExcerpt(text, TOOLTIP_TITLE_CHARS) }] : null;
  const arrow = isQuery ? '\u2192' : '\u2190';
  const shown = (t: string): TextPart[] => tokenParts(t, TOOLTIP_ROW_CHARS);
  const partner = pinned && pinned.side !== token.side ? pinned : null;
  const label = (head: number): number => p.headIds?.[head] ?? head;
  const rows = p.heads.map(head => {
    if (partner) {
      const q = isQuery ? token.index : partner.index;
      const k = isQuery ? partner.index : token.index;
      const other = isQuery ? p.keyTokens[k] : p.queryTokens[q];
      return { head, text: [`head ${label(head)}: ${formatWeight(weightAt(p, head, q, k))} ${arrow} `, ...shown(other)] };
    }
    const range = isQuery ? p.key : p.query;
    let best = -1;
    let bestW = -Infinity;
    for (let j = range.start; j < range.end; j++) {
      const w = isQuery ? weightAt(p, head, token.index, j) : weightAt(p, head, j, token.index);
      if (w > bestW) {
        bestW = w;
        best = j;
      }
    }
    const other = best < 0 ? '' : isQuery ? p.keyTokens[best] : p.queryTokens[best];
    return { head, text: [`head ${label(head)}: max ${formatWeight(bestW)} ${arrow} `, ...shown(other)] };
  });
  return { title, exact, rows };
}

