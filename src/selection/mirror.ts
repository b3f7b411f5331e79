/**
 * The `selection` trait: what the browser tells Python (on click, pin, layer, heads, section or open
 * head changes; never on hover) and what Python may set to move the views. Heads are real head ids
 * in Python and head slots in the browser; this module converts between the two (pure).
 */
import { OpenHead, Selection, SelectionState, TokenRef } from './state';
import { Section, SectionSource } from '../data/sections';

export interface PySelection {
  section: string;
  layer: number;
  heads: number[];
  pinned: TokenRef | null;
  open_head: OpenHead | null;
}

/** The keys whose change is mirrored to Python. */
export const MIRRORED: readonly (keyof SelectionState)[] = ['section', 'layer', 'heads', 'pinned', 'openHead'];

export function toPython(s: Readonly<SelectionState>, sec: Section): PySelection {
  return {
    section: s.section,
    layer: s.layer,
    heads: s.heads.map(h => sec.heads[h]),
    pinned: s.pinned ? { side: s.pinned.side, index: s.pinned.index } : null,
    open_head: s.openHead ? { layer: s.openHead.layer, head: sec.heads[s.openHead.head] } : null
  };
}

/** What Python asked for, in browser terms; keys it did not give are absent. Throws on bad values. */
export interface SelectionRequest {
  section?: string;
  layer?: number;
  heads?: number[];
  pinned?: TokenRef | null;
  openHead?: OpenHead | null;
}

function slotOf(sec: Section, head: unknown, what: string): number {
  const slot = sec.heads.indexOf(head as number);
  if (!Number.isInteger(head) || slot < 0) {
    throw new RangeError(`selection.${what}: head ${String(head)} is not one of ${sec.heads.join(', ')}`);
  }
  return slot;
}

function layerOf(sec: Section, layer: unknown, what: string): number {
  if (!Number.isInteger(layer) || !sec.layers.includes(layer as number)) {
    throw new RangeError(`selection.${what}: layer ${String(layer)} is not one of ${sec.layers.join(', ')}`);
  }
  return layer as number;
}

function tokenOf(sec: Section, t: unknown): TokenRef | null {
  if (t === null) {
    return null;
  }
  const obj = t as Partial<TokenRef> | undefined;
  const side = obj?.side;
  const n = side === 'query' ? sec.queryTokens.length : side === 'key' ? sec.keyTokens.length : -1;
  const index = obj?.index;
  if (n < 0 || !Number.isInteger(index) || (index as number) < 0 || (index as number) >= n) {
    throw new RangeError(`selection.pinned must be {side: "query"|"key", index} within the tokens, received ${JSON.stringify(t)}`);
  }
  return { side: side as TokenRef['side'], index: index as number };
}

/** `sec` is the section the request applies to: the requested one if it names one, else the current. */
export function fromPython(value: unknown, sec: Section): SelectionRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('selection must be a dict');
  }
  const v = value as Record<string, unknown>;
  const req: SelectionRequest = {};
  if ('section' in v) {
    req.section = sec.key;
  }
  if ('layer' in v) {
    req.layer = layerOf(sec, v.layer, 'layer');
  }
  if ('heads' in v) {
    if (!Array.isArray(v.heads)) {
      throw new TypeError('selection.heads must be a list of head ids');
    }
    req.heads = v.heads.map(h => slotOf(sec, h, 'heads'));
  }
  if ('pinned' in v) {
    req.pinned = tokenOf(sec, v.pinned);
  }
  if ('open_head' in v) {
    const o = v.open_head as Partial<OpenHead> | null;
    req.openHead = o === null ? null : { layer: layerOf(sec, o?.layer, 'open_head'), head: slotOf(sec, o?.head, 'open_head') };
  }
  return req;
}

/** The initial state a widget or an offline page asks for: traits `section`, `layer`, `heads`. */
export interface InitialView {
  section?: unknown;
  layer?: unknown;
  /** Real head ids; empty means all. */
  heads?: unknown;
}

/** The one Selection of a widget (or offline page), from its sections and initial view; null without data. */
export function createSelection(source: SectionSource, initial: InitialView): Selection | null {
  const sections = source.sectionList;
  if (!sections.length) {
    return null;
  }
  const sec = (typeof initial.section === 'string' && source.section(initial.section)) || sections[0];
  const layer = sec.layers.includes(initial.layer as number) ? (initial.layer as number) : sec.layers[0];
  const heads = Array.isArray(initial.heads) ? initial.heads.map(h => sec.heads.indexOf(h)).filter(slot => slot >= 0) : [];
  return new Selection({ section: sec.key, layer, nHeads: sec.shape[1], ...(heads.length ? { heads } : {}) });
}

/** Applies what Python set in `selection` (any subset of its keys). Throws on values it cannot apply. */
export function applySelectionRequest(sel: Selection, source: SectionSource, value: unknown): void {
  if (!value || typeof value !== 'object' || Object.keys(value).length === 0) {
    return;
  }
  const named = (value as { section?: unknown }).section;
  const sec = source.section(typeof named === 'string' ? named : sel.state.section);
  if (!sec) {
    throw new RangeError(`selection.section: no section named ${String(named)}`);
  }
  const req: SelectionRequest = fromPython(value, sec);
  sel.batch(() => {
    if (req.section !== undefined && req.section !== sel.state.section) {
      const layer = req.layer ?? (sec.layers.includes(sel.state.layer) ? sel.state.layer : sec.layers[0]);
      sel.setSection(sec.key, sec.shape[1], layer, { query: sec.queryTokens.length, key: sec.keyTokens.length });
    }
    if (req.layer !== undefined) {
      sel.setLayer(req.layer);
    }
    if (req.heads !== undefined) {
      sel.setHeads(req.heads);
    }
    if (req.pinned !== undefined) {
      sel.pin(req.pinned);
    }
    if (req.openHead !== undefined) {
      sel.setOpenHead(req.openHead);
    }
  });
}
