/**
 * The `sections` trait: one entry per attention kind, decoded once per change into Sections.
 * Anything malformed becomes one readable error instead of an exception.
 */
import { WireError } from '../wire/errors';
import { decodeSectionWire } from '../wire/sections';
import { eagerSection } from './eager';
import { lazySection } from './lazy';
import { Section } from './section';
import { SliceStore } from './slice-store';

export type DecodedSections =
  | { ok: true; sections: Section[]; raw: unknown; store: SliceStore | null }
  | { ok: false; error: string; raw: unknown };

/** Options of the slice store a lazy widget gets (the model updates them from the settings). */
export const DEFAULT_STORE_OPTIONS = { maxBytes: 256 * 2 ** 20, timeoutMs: 5000 };

export function decodeSections(raw: unknown): DecodedSections {
  try {
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new WireError('sections must be a non-empty list');
    }
    let store: SliceStore | null = null;
    const storeOf = (): SliceStore => (store ??= new SliceStore({ ...DEFAULT_STORE_OPTIONS }));
    const sections = raw.map((v, i) => {
      const w = decodeSectionWire(v, i);
      return w.lazy ? lazySection(w, `sections[${i}]`, storeOf()) : eagerSection(w);
    });
    const keys = new Set(sections.map(s => s.key));
    if (keys.size !== sections.length) {
      throw new WireError('sections have duplicate keys');
    }
    return { ok: true, sections, raw, store };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: message, raw };
  }
}
