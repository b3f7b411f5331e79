/**
 * The one shared interaction state of a widget (every view of every display reads it): section,
 * layer, active heads, hovered and pinned token, sentence pair filter, open
 * head, generation step. Views read it and write it; they never talk to each other.
 *
 * Every change replaces the state object (so it can be compared by reference)
 * and notifies listeners once, with the set of keys that changed. Nothing is
 * notified when a call changes nothing. `batch` merges several calls into one
 * notification.
 */
import { PairFilter, isPairFilter } from './filters';
import { checkIndex, checkNHeads, allHeads, normalizeHeads, checkStep, checkToken, sameToken, sameOpen, diff, freeze } from './values';
import { OpenHead, SelectionListener, SelectionState, TokenCounts, TokenRef } from './types';

// The state's types are part of what this module offers: views import them from here.
export type { OpenHead, SelectionListener, SelectionState, TokenCounts, TokenRef } from './types';
export { normalizeHeads } from './values';

export class Selection {
  private current: Readonly<SelectionState>;
  private readonly listeners = new Set<SelectionListener>();
  private depth = 0;
  /** The state listeners last saw; a flush reports what differs from it. */
  private notified: Readonly<SelectionState>;

  constructor(initial: Partial<SelectionState> & { nHeads: number; layer: number; section: string }) {
    const nHeads = checkNHeads(initial.nHeads);
    const filter = initial.filter ?? 'all';
    if (!isPairFilter(filter)) {
      throw new RangeError(`Selection: unknown filter ${String(filter)}`);
    }
    this.current = freeze({
      section: initial.section,
      layer: checkIndex(initial.layer, 'layer'),
      heads: normalizeHeads(initial.heads ?? [], nHeads),
      nHeads,
      hovered: checkToken(initial.hovered ?? null),
      pinned: checkToken(initial.pinned ?? null),
      filter,
      openHead: null,
      nSteps: initial.nSteps === undefined ? 0 : checkIndex(initial.nSteps, 'nSteps'),
      step: null
    });
    if (initial.step !== undefined && initial.step !== null) {
      this.current = freeze({ ...this.current, step: checkStep(initial.step, this.current.nSteps) });
    }
    if (initial.openHead) {
      this.current = freeze({ ...this.current, openHead: this.checkOpen(initial.openHead) });
    }
    this.notified = this.current;
  }

  get state(): Readonly<SelectionState> {
    return this.current;
  }

  /** The token the views highlight: hover overrides the pin while it lasts. */
  get focus(): TokenRef | null {
    return this.current.hovered ?? this.current.pinned;
  }

  subscribe(fn: SelectionListener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** Run `fn` and notify once for everything it changed. */
  batch(fn: () => void): void {
    this.depth++;
    try {
      fn();
    } finally {
      this.depth--;
      this.flush();
    }
  }

  /** Show another layer of the same section: hover is cleared, the pin kept. */
  setLayer(layer: number): void {
    checkIndex(layer, 'layer');
    if (layer !== this.current.layer) {
      this.apply({ layer, hovered: null });
    }
  }

  /**
   * Show another section (encoder/decoder/cross). Hover, filter and open head
   * are reset; active heads are kept where they exist in the new section (all
   * heads when none do or all were active); the pin is kept only when `counts`
   * is given and the pinned index exists on its side in the new section. The generation step is
   * kept while it exists in the new section (`counts.steps`; the same section keeps its steps when
   * no counts are given), else it goes back to the whole sequence.
   */
  setSection(key: string, nHeads: number, layer: number, counts?: TokenCounts): void {
    checkNHeads(nHeads);
    checkIndex(layer, 'layer');
    const s = this.current;
    if (key === s.section && nHeads === s.nHeads && layer === s.layer) {
      return;
    }
    const wasAll = s.heads.length === s.nHeads;
    const kept = s.heads.filter(h => h < nHeads);
    const pinned = s.pinned && counts && s.pinned.index < counts[s.pinned.side] ? s.pinned : null;
    const sameSection = key === s.section;
    const nSteps = counts ? checkIndex(counts.steps ?? 0, 'steps') : sameSection ? s.nSteps : 0;
    this.apply({
      section: key,
      nHeads,
      layer,
      heads: wasAll || kept.length === 0 ? allHeads(nHeads) : kept,
      hovered: null,
      pinned: sameSection && !counts ? s.pinned : pinned,
      filter: sameSection ? s.filter : 'all',
      openHead: sameSection && s.openHead && s.openHead.head < nHeads ? s.openHead : null,
      nSteps,
      step: s.step !== null && s.step < nSteps ? s.step : null
    });
  }

  /** The generation step shown: t in [0, nSteps), or null for the whole sequence. */
  setStep(t: number | null): void {
    this.apply({ step: checkStep(t, this.current.nSteps) });
  }

  setFilter(f: PairFilter): void {
    if (!isPairFilter(f)) {
      throw new RangeError(`Selection: unknown filter ${String(f)}`);
    }
    this.apply({ filter: f });
  }

  /** Head chip click: toggle; the last active head cannot be switched off. */
  toggleHead(h: number): void {
    const { heads, nHeads } = this.current;
    checkIndex(h, 'head', nHeads);
    if (!heads.includes(h)) {
      this.apply({ heads: normalizeHeads([...heads, h], nHeads) });
    } else if (heads.length > 1) {
      this.apply({ heads: heads.filter(x => x !== h) });
    }
  }

  /** Head chip double-click: solo h; on the head already soloed, restore all. */
  soloHead(h: number): void {
    const { heads, nHeads } = this.current;
    checkIndex(h, 'head', nHeads);
    const solo = heads.length === 1 && heads[0] === h;
    this.apply({ heads: solo ? allHeads(nHeads) : [h] });
  }

  /** Set the active heads; an empty list means all heads. */
  setHeads(hs: readonly number[]): void {
    this.apply({ heads: normalizeHeads(hs, this.current.nHeads) });
  }

  hover(t: TokenRef | null): void {
    this.apply({ hovered: checkToken(t) });
  }

  pin(t: TokenRef | null): void {
    this.apply({ pinned: checkToken(t) });
  }

  /** Token click: pin it, or unpin it when it is already the pinned one. */
  togglePin(t: TokenRef): void {
    const token = checkToken(t);
    this.apply({ pinned: sameToken(token, this.current.pinned) ? null : token });
  }

  setOpenHead(open: OpenHead | null): void {
    this.apply({ openHead: open === null ? null : this.checkOpen(open) });
  }

  /** Thumbnail click: open it, close it when it is already open. */
  toggleOpenHead(open: OpenHead): void {
    const o = this.checkOpen(open);
    this.apply({ openHead: sameOpen(o, this.current.openHead) ? null : o });
  }

  private checkOpen(o: OpenHead): OpenHead {
    return {
      layer: checkIndex(o.layer, 'open head layer'),
      head: checkIndex(o.head, 'open head', this.current.nHeads)
    };
  }

  private apply(patch: Partial<SelectionState>): void {
    const next: SelectionState = { ...this.current, ...patch };
    if (diff(this.current, next).size > 0) {
      this.current = freeze(next);
    }
    this.flush();
  }

  private flush(): void {
    if (this.depth > 0) {
      return;
    }
    const changed = diff(this.notified, this.current);
    this.notified = this.current;
    if (changed.size === 0) {
      return;
    }
    const state = this.current;
    let failure: unknown = null;
    for (const fn of [...this.listeners]) {
      try {
        fn(state, changed);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) {
      throw failure;
    }
  }
}
