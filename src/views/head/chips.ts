/**
 * The head chips: one button per head, labelled with its real id and coloured as its lines.
 * Click toggles the head, double-click solos it (the controller does that); aria-pressed shows
 * which heads are active.
 */
import { headId, headSlot, SectionAxes } from '../../selection/ids';

/** Fills `container` with one chip per head slot, in slot order. */
export function renderChips(container: HTMLElement, axes: SectionAxes, colors: readonly string[]): void {
  const doc = container.ownerDocument;
  container.replaceChildren(
    ...colors.map((color, h) => {
      const chip = doc.createElement('button');
      chip.type = 'button';
      chip.className = 'attnscope-head-chip';
      const id = headId(axes, h);
      chip.dataset.head = String(id);
      chip.style.setProperty('--attnscope-chip-color', color);
      chip.textContent = String(id);
      chip.title = `Head ${id}: click to toggle, double-click to solo`;
      return chip;
    })
  );
}

/** Marks the chips of the active heads (real ids) as pressed. */
export function markChips(container: HTMLElement, activeIds: ReadonlySet<number>): void {
  container.querySelectorAll<HTMLElement>('.attnscope-head-chip').forEach(chip => {
    chip.setAttribute('aria-pressed', String(activeIds.has(Number(chip.dataset.head))));
  });
}

/** The head slot of the chip an event happened on; -1 when it was not on a chip. */
export function chipSlotOfEvent(target: EventTarget | null, axes: SectionAxes | undefined): number {
  const chip = target instanceof Element ? target.closest<HTMLElement>('.attnscope-head-chip') : null;
  return chip && axes ? headSlot(axes, Number(chip.dataset.head)) : -1;
}
