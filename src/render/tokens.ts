/**
 * Token columns. Tokens are user data: they are set with textContent, never parsed as HTML.
 */
import { TokenRef } from '../selection/state';
import { shortenToken } from './format';
import { escapeInvisible } from './token-text';

export type Side = TokenRef['side'];

/**
 * Visible text of a token: shortened, control and invisible characters as ⟨U+XXXX⟩, and never an
 * empty row (an empty token shows as ∅). The exact text stays in aria-label and the tooltip.
 */
export function displayText(token: string, maxChars: number): string {
  return token.length === 0 ? '\u2205' : escapeInvisible(shortenToken(token, maxChars));
}

/** Fills `column` with one element per token index in [start, end). Returns them in order. */
export function renderTokenColumn(
  column: HTMLElement,
  tokens: readonly string[],
  side: Side,
  start: number,
  end: number,
  maxChars: number
): HTMLElement[] {
  const doc = column.ownerDocument;
  const frag = doc.createDocumentFragment();
  const elements: HTMLElement[] = [];
  for (let i = start; i < end; i++) {
    const el = doc.createElement('div');
    el.className = 'attnscope-token';
    el.dataset.side = side;
    el.dataset.index = String(i);
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.textContent = displayText(tokens[i], maxChars);
    el.setAttribute('aria-label', `${side} token ${i}: ${tokens[i]}`);
    frag.appendChild(el);
    elements.push(el);
  }
  column.replaceChildren(frag);
  return elements;
}

/** Reads the token a DOM event happened on, if any. */
export function tokenOfEvent(target: EventTarget | null): TokenRef | null {
  const el = target instanceof Element ? target.closest<HTMLElement>('.attnscope-token') : null;
  if (!el) {
    return null;
  }
  const side = el.dataset.side;
  const index = Number(el.dataset.index);
  return (side === 'query' || side === 'key') && Number.isInteger(index) ? { side, index } : null;
}

/** Marks the focused and pinned tokens. */
export function markTokens(
  elements: readonly HTMLElement[],
  side: Side,
  start: number,
  focus: TokenRef | null,
  pinned: TokenRef | null
): void {
  elements.forEach((el, row) => {
    const index = start + row;
    el.classList.toggle('is-focused', !!focus && focus.side === side && focus.index === index);
    el.classList.toggle('is-pinned', !!pinned && pinned.side === side && pinned.index === index);
  });
}
