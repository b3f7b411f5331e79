/**
 * The tooltip every view shares: a title and rows, all set as text (tokens are user data), placed
 * relative to the view's root.
 */
export interface TooltipRow {
  text: string;
  /** Colour of the row's marker (a head's colour), if any. */
  color?: string;
}

export function fillTooltip(tip: HTMLElement, title: string, rows: readonly TooltipRow[]): void {
  const doc = tip.ownerDocument;
  const head = doc.createElement('div');
  head.className = 'attnscope-tooltip-title';
  head.textContent = title;
  tip.replaceChildren(
    head,
    ...rows.map(r => {
      const row = doc.createElement('div');
      row.className = 'attnscope-tooltip-row';
      if (r.color) {
        row.style.setProperty('--attnscope-chip-color', r.color);
      }
      row.textContent = r.text;
      return row;
    })
  );
}

/** Shows the tooltip at (left, top) of `anchor` plus an offset, in the coordinates of `root`. */
export function placeTooltip(tip: HTMLElement, root: HTMLElement, anchor: DOMRect, dx: number, dy: number): void {
  const rootBox = root.getBoundingClientRect();
  tip.style.left = `${anchor.left - rootBox.left + dx}px`;
  tip.style.top = `${anchor.top - rootBox.top + dy}px`;
  tip.style.right = '';
  tip.hidden = false;
}
