/**
 * Lazy sections: the kernel keeps the weights; the page holds the summary, the slices saved with
 * the notebook, and whatever it fetched since (the slice store, shared by a widget's sections).
 */
import { headId, headIdsOf, headSlotsOf, layerId } from '../selection/ids';
import { WireError } from '../wire/errors';
import { LazyWire } from '../wire/sections';
import { isSamePositions, Section } from './section';
import { headBytes } from './slice-cache';
import { SliceStore } from './slice-store';

/** The Section of a decoded lazy wire entry; its saved slices go into `store`. */
export function lazySection(w: LazyWire, where: string, store: SliceStore): Section {
  const [, , nQ, nK] = w.shape;
  w.fetched.forEach((slice, j) => {
    store.add(slice);
    const t = store.get(slice.section, slice.layer, slice.heads[0]);
    if (t && t.attention.length !== nQ * nK) {
      throw new WireError(`${where}.fetched[${j}].attention has ${t.attention.length / nQ} x ... values; expected [${nQ}, ${nK}] per head`);
    }
  });
  const { lazy: _lazy, fetched: _fetched, ...fields } = w;
  const key = w.key;
  const at = (li: number, h: number): ReturnType<SliceStore['get']> => store.get(key, layerId(w, li), headId(w, h));
  const bytes = headBytes(nQ, nK, w.headDim ?? 0);
  return {
    ...fields,
    samePositions: w.samePositions ?? isSamePositions(w.queryTokens, w.keyTokens),
    attention: null,
    queries: null,
    keys: null,
    lazy: true,
    weights: (li, h) => at(li, h)?.attention ?? null,
    vectors: (li, h) => {
      const s = at(li, h);
      return s && s.queries && s.keys ? { queries: s.queries, keys: s.keys } : null;
    },
    request: (consumer, li, slots) => {
      const st = store.request(consumer, key, layerId(w, li), headIdsOf(w, slots), bytes);
      return { ...st, heads: headSlotsOf(w, st.heads) };
    }
  };
}
