/**
 * Slots and real ids: the only place that converts between them.
 *
 * A section's tensors are indexed by SLOT (axis 0 = layer slot, axis 1 = head slot); Python, the
 * wire messages, labels and data-* attributes use REAL ids (include_layers / include_heads may skip
 * some). The Selection keeps real layer ids and head slots. Every conversion goes through here.
 */

/** What a conversion needs of a section: the real id of every layer slot and head slot. */
export interface SectionAxes {
  readonly layers: readonly number[];
  readonly heads: readonly number[];
}

/** Real head id of a head slot (the slot itself when the section lists no id for it). */
export function headId(axes: SectionAxes, slot: number): number {
  return axes.heads[slot] ?? slot;
}

export function headIdsOf(axes: SectionAxes, slots: readonly number[]): number[] {
  return slots.map(slot => headId(axes, slot));
}

/** Head slot of a real head id; -1 when the section has no such head. */
export function headSlot(axes: SectionAxes, id: unknown): number {
  return Number.isInteger(id) ? axes.heads.indexOf(id as number) : -1;
}

/** Head slots of real head ids, leaving out ids the section does not have. */
export function headSlotsOf(axes: SectionAxes, ids: readonly unknown[]): number[] {
  return ids.map(id => headSlot(axes, id)).filter(slot => slot >= 0);
}

/** Real layer id of a layer slot. */
export function layerId(axes: SectionAxes, slot: number): number {
  return axes.layers[slot];
}

/** Layer slot of a real layer id; -1 when the section has no such layer. */
export function layerSlot(axes: SectionAxes, id: number): number {
  return axes.layers.indexOf(id);
}

/** Layer slot of a real layer id, the first layer when the section has no such layer. */
export function layerSlotOrFirst(axes: SectionAxes, id: number): number {
  return Math.max(0, layerSlot(axes, id));
}

export function hasLayer(axes: SectionAxes, id: unknown): boolean {
  return Number.isInteger(id) && axes.layers.includes(id as number);
}

/** `id` when the section has that layer, else its first layer. */
export function layerOrFirst(axes: SectionAxes, id: unknown): number {
  return hasLayer(axes, id) ? (id as number) : axes.layers[0];
}

/** Real head id of every head slot of a section of shape [L, H, ...] (slots when ids are missing). */
export function headIds(axes: SectionAxes & { readonly shape: readonly number[] }): number[] {
  const nHeads = axes.shape[1];
  return axes.heads.length === nHeads ? [...axes.heads] : Array.from({ length: nHeads }, (_, h) => h);
}
