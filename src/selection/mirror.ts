/**
 * The `selection` trait: what the browser tells Python (on click, pin, layer, heads, section or open
 * head changes; never on hover) and what Python may set to move the views. Heads are real head ids
 * in Python and head slots in the browser; ids.ts converts between the two (pure).
 */
import { hasLayer, headIdsOf, headId, headSlot, headSlotsOf, layerOrFirst, SectionAxes } from './ids';
import { OpenHead, Selection, SelectionState, TokenRef } from './state';

/** What the mirror reads of a section: its key, ids, shape [L, H, Q, K] and tokens. */
export interface MirroredSection extends SectionAxes {
  readonly key: string;
  readonly shape: readonly number[];
  readonly queryTokens: readonly string[];
  readonly keyTokens: readonly string[];
  /** The generated query positions (attnscope.from_generate): one step per generated token. */
  readonly generation?: { readonly generated: readonly number[] } | null;
}

/** The generation steps of a section (0 when no model generated its tokens). */
export function stepsOf(sec: MirroredSection): number {
  return sec.generation?.generated.length ?? 0;
}

/** Where the sections come from (the widget model, an offline page). */
export interface MirroredSource {
  readonly sectionList: readonly MirroredSection[];
  section(key: string): MirroredSection | undefined;
}

export interface PySelection {
  section: string;
  layer: number;
  heads: number[];
  pinned: TokenRef | null;
  open_head: OpenHead | null;
}

/** The keys whose change is mirrored to Python. */
export const MIRRORED: readonly (keyof SelectionState)[] = ['section', 'layer', 'heads', 'pinned', 'openHead'];

export function toPython(s: Readonly<SelectionState>, sec: MirroredSection): PySelection {
  return {
    section: s.section,
    layer: s.layer,
    heads: headIdsOf(sec, s.heads),
    pinned: s.pinned ? { side: s.pinned.side, index: s.pinned.index } : null,
    open_head: s.openHead ? { layer: s.openHead.layer, head: headId(sec, s.openHead.head) } : null
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

function slotOf(sec: MirroredSection, head: unknown, what: string): number {
  const slot = headSlot(sec, head);
  if (slot < 0) {
    throw new RangeError(`selection.${what}: head ${String(head)} is not one of ${sec.heads.join(', ')}`);
  }
  return slot;
}

function layerOf(sec: MirroredSection, layer: unknown, what: string): number {
  if (!hasLayer(sec, layer)) {
    throw new RangeError(`selection.${what}: layer ${String(layer)} is not one of ${sec.layers.join(', ')}`);
  }
  return layer as number;
}

function tokenOf(sec: MirroredSection, t: unknown): TokenRef | null {
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
export function fromPython(value: unknown, sec: MirroredSection): SelectionRequest {
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
export function createSelection(source: MirroredSource, initial: InitialView): Selection | null {
  const sections = source.sectionList;
  if (!sections.length) {
    return null;
  }
  const sec = (typeof initial.section === 'string' && source.section(initial.section)) || sections[0];
  const layer = layerOrFirst(sec, initial.layer);
  const heads = Array.isArray(initial.heads) ? headSlotsOf(sec, initial.heads) : [];
  return new Selection({ section: sec.key, layer, nHeads: sec.shape[1], nSteps: stepsOf(sec), ...(heads.length ? { heads } : {}) });
}

/** Applies what Python set in `selection` (any subset of its keys). Throws on values it cannot apply. */
export function applySelectionRequest(sel: Selection, source: MirroredSource, value: unknown): void {
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
      const layer = req.layer ?? layerOrFirst(sec, sel.state.layer);
      sel.setSection(sec.key, sec.shape[1], layer, { query: sec.queryTokens.length, key: sec.keyTokens.length, steps: stepsOf(sec) });
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
