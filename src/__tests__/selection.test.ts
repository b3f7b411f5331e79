import { Selection, SelectionState, TokenRef, normalizeHeads } from '../selection/state';

type Key = keyof SelectionState;

const Q0: TokenRef = { side: 'query', index: 0 };
const Q2: TokenRef = { side: 'query', index: 2 };
const K2: TokenRef = { side: 'key', index: 2 };
const K9: TokenRef = { side: 'key', index: 9 };

/** A selection over 4 heads with a recorder of every notification. */
function setup(initial: Partial<SelectionState> = {}): { sel: Selection; calls: Key[][] } {
  const sel = new Selection({ section: 'self', layer: 3, nHeads: 4, ...initial });
  const calls: Key[][] = [];
  sel.subscribe((_s, changed) => calls.push([...changed].sort()));
  return { sel, calls };
}

describe('construction', () => {
  test('defaults: all heads, nothing hovered or pinned, filter all', () => {
    const { sel } = setup();
    expect(sel.state).toEqual({
      section: 'self',
      layer: 3,
      heads: [0, 1, 2, 3],
      nHeads: 4,
      hovered: null,
      pinned: null,
      filter: 'all',
      openHead: null,
      nSteps: 0,
      step: null
    });
    expect(Object.isFrozen(sel.state)).toBe(true);
    expect(Object.isFrozen(sel.state.heads)).toBe(true);
  });

  test('initial heads are sorted and de-duplicated; [] means all', () => {
    expect(setup({ heads: [3, 1, 3] }).sel.state.heads).toEqual([1, 3]);
    expect(setup({ heads: [] }).sel.state.heads).toEqual([0, 1, 2, 3]);
  });

  test.each<[string, Partial<SelectionState>, RegExp]>([
    ['head out of range', { heads: [4] }, /head must be an integer in \[0, 4\), received 4/],
    ['zero heads', { nHeads: 0 }, /nHeads must be a positive integer, received 0/],
    ['negative layer', { layer: -1 }, /layer must be a non-negative integer, received -1/],
    ['bad token', { pinned: { side: 'left' as 'query', index: 0 } }, /token side must be 'query' or 'key'/],
    ['open head out of range', { openHead: { layer: 0, head: 7 } }, /open head must be an integer in \[0, 4\)/]
  ])('%s throws RangeError', (_name, initial, message) => {
    expect(() => setup(initial)).toThrow(RangeError);
    expect(() => setup(initial)).toThrow(message);
  });
});

describe('head chips', () => {
  // [description, initial heads, actions, expected heads, notifications]
  type Act = ['toggle' | 'solo', number];
  test.each<[string, number[], Act[], number[], number]>([
    ['click an active head switches it off', [], [['toggle', 1]], [0, 2, 3], 1],
    ['click an inactive head switches it on', [0, 2], [['toggle', 1]], [0, 1, 2], 1],
    ['the last active head stays on', [2], [['toggle', 2]], [2], 0],
    ['switching off down to one then on again', [0, 1], [['toggle', 0], ['toggle', 1], ['toggle', 0]], [0, 1], 2],
    ['double-click solos a head', [], [['solo', 2]], [2], 1],
    ['double-click another head moves the solo', [2], [['solo', 0]], [0], 1],
    ['double-click the sole active head restores all', [2], [['solo', 2]], [0, 1, 2, 3], 1],
    ['double-click an active head among several solos it', [1, 2], [['solo', 2]], [2], 1],
    ['solo then restore', [], [['solo', 3], ['solo', 3]], [0, 1, 2, 3], 2]
  ])('%s', (_name, heads, acts, expected, notifications) => {
    const { sel, calls } = setup({ heads });
    for (const [kind, h] of acts) {
      if (kind === 'toggle') {
        sel.toggleHead(h);
      } else {
        sel.soloHead(h);
      }
    }
    expect(sel.state.heads).toEqual(expected);
    expect(calls).toEqual(Array.from({ length: notifications }, () => ['heads']));
  });

  test('a single-head model: solo and toggle change nothing', () => {
    const { sel, calls } = setup({ nHeads: 1 });
    sel.soloHead(0);
    sel.toggleHead(0);
    expect(sel.state.heads).toEqual([0]);
    expect(calls).toEqual([]);
  });

  test('setHeads validates, sorts, de-duplicates, [] means all', () => {
    const { sel, calls } = setup();
    sel.setHeads([3, 0, 3]);
    expect(sel.state.heads).toEqual([0, 3]);
    sel.setHeads([0, 3]);
    sel.setHeads([]);
    expect(sel.state.heads).toEqual([0, 1, 2, 3]);
    expect(calls).toEqual([['heads'], ['heads']]);
    expect(() => sel.setHeads([4])).toThrow(/head must be an integer in \[0, 4\), received 4/);
    expect(() => sel.setHeads([-1])).toThrow(RangeError);
    expect(() => sel.setHeads([1.5])).toThrow(RangeError);
    expect(() => sel.toggleHead(9)).toThrow(RangeError);
    expect(() => sel.soloHead(-1)).toThrow(RangeError);
    expect(sel.state.heads).toEqual([0, 1, 2, 3]);
  });

  test('normalizeHeads', () => {
    expect(normalizeHeads([2, 0, 2], 3)).toEqual([0, 2]);
    expect(normalizeHeads([], 2)).toEqual([0, 1]);
  });
});

describe('hover and pin', () => {
  test('focus is hovered ?? pinned: hover overrides the pin while it lasts', () => {
    const { sel } = setup();
    expect(sel.focus).toBeNull();
    sel.pin(Q2);
    expect(sel.focus).toEqual(Q2);
    sel.hover(K2);
    expect(sel.focus).toEqual(K2);
    sel.hover(null);
    expect(sel.focus).toEqual(Q2);
    sel.pin(null);
    expect(sel.focus).toBeNull();
  });

  test('togglePin pins, moves the pin, and unpins the pinned token', () => {
    const { sel, calls } = setup();
    sel.togglePin(Q2);
    expect(sel.state.pinned).toEqual(Q2);
    sel.togglePin({ side: 'key', index: 2 }); // same index, other side: moves
    expect(sel.state.pinned).toEqual(K2);
    sel.togglePin({ side: 'key', index: 2 }); // an equal object unpins
    expect(sel.state.pinned).toBeNull();
    expect(calls).toEqual([['pinned'], ['pinned'], ['pinned']]);
  });

  test('hovering the same token twice notifies once; state copies the token', () => {
    const { sel, calls } = setup();
    const t: TokenRef = { side: 'query', index: 1 };
    sel.hover(t);
    sel.hover({ side: 'query', index: 1 });
    t.index = 5;
    expect(sel.state.hovered).toEqual({ side: 'query', index: 1 });
    expect(calls).toEqual([['hovered']]);
  });

  test('bad tokens throw and change nothing', () => {
    const { sel, calls } = setup();
    expect(() => sel.hover({ side: 'query', index: -1 })).toThrow(/token index must be a non-negative integer/);
    expect(() => sel.pin({ side: 'x' as 'key', index: 0 })).toThrow(RangeError);
    expect(calls).toEqual([]);
  });
});

describe('layer and section switching', () => {
  test('setLayer clears hover, keeps pin, heads and filter', () => {
    const { sel, calls } = setup({ heads: [1], pinned: Q2, hovered: K2, filter: 'ab' });
    sel.setLayer(5);
    expect(sel.state).toMatchObject({ layer: 5, heads: [1], pinned: Q2, hovered: null, filter: 'ab' });
    expect(calls).toEqual([['hovered', 'layer']]);
    sel.setLayer(5);
    expect(calls.length).toBe(1);
    expect(() => sel.setLayer(-2)).toThrow(RangeError);
  });

  test('setSection: clears hover, filter and open head; keeps the pin when it exists there', () => {
    const { sel, calls } = setup({ heads: [1, 3], pinned: Q2, hovered: Q0, filter: 'aa', openHead: { layer: 3, head: 1 } });
    sel.setSection('cross', 6, 0, { query: 5, key: 8 });
    expect(sel.state).toEqual({
      section: 'cross',
      layer: 0,
      heads: [1, 3],
      nHeads: 6,
      hovered: null,
      pinned: Q2,
      filter: 'all',
      openHead: null,
      nSteps: 0,
      step: null
    });
    expect(calls).toEqual([['filter', 'hovered', 'layer', 'nHeads', 'openHead', 'section']]);
  });

  test.each<[string, TokenRef, { query: number; key: number } | undefined, TokenRef | null]>([
    ['pin beyond the new key tokens is dropped', K9, { query: 20, key: 9 }, null],
    ['pin within the new key tokens is kept', K9, { query: 1, key: 10 }, K9],
    ['without token counts the pin is dropped', Q0, undefined, null]
  ])('%s', (_name, pinned, counts, expected) => {
    const { sel } = setup({ pinned });
    sel.setSection('decoder', 4, 0, counts);
    expect(sel.state.pinned).toEqual(expected);
  });

  test.each<[string, number[], number, number[]]>([
    ['all heads stay all heads', [], 8, [0, 1, 2, 3, 4, 5, 6, 7]],
    ['active heads that exist are kept', [0, 3], 6, [0, 3]],
    ['active heads that no longer exist are dropped', [1, 3], 2, [1]],
    ['none left means all', [2, 3], 2, [0, 1]]
  ])('setSection heads: %s', (_name, heads, nHeads, expected) => {
    const { sel } = setup({ heads });
    sel.setSection('encoder', nHeads, 0);
    expect(sel.state.heads).toEqual(expected);
  });

  test('setSection to the same section, heads and layer notifies nothing', () => {
    const { sel, calls } = setup({ hovered: Q0 });
    sel.setSection('self', 4, 3);
    expect(sel.state.hovered).toEqual(Q0);
    expect(calls).toEqual([]);
  });

  test('setSection on the same section (new layer) keeps pin, filter and open head', () => {
    const { sel, calls } = setup({ pinned: Q2, filter: 'bb', openHead: { layer: 1, head: 2 } });
    sel.setSection('self', 4, 1);
    expect(sel.state).toMatchObject({ layer: 1, pinned: Q2, filter: 'bb', openHead: { layer: 1, head: 2 } });
    expect(calls).toEqual([['layer']]);
  });
});

describe('filter and open head', () => {
  test('setFilter notifies only on change and rejects unknown filters', () => {
    const { sel, calls } = setup();
    sel.setFilter('ab');
    sel.setFilter('ab');
    expect(sel.state.filter).toBe('ab');
    expect(calls).toEqual([['filter']]);
    expect(() => sel.setFilter('zz' as 'ab')).toThrow(RangeError);
  });

  test('setOpenHead / toggleOpenHead: open, move, close', () => {
    const { sel, calls } = setup();
    sel.toggleOpenHead({ layer: 2, head: 1 });
    expect(sel.state.openHead).toEqual({ layer: 2, head: 1 });
    sel.toggleOpenHead({ layer: 2, head: 3 });
    expect(sel.state.openHead).toEqual({ layer: 2, head: 3 });
    sel.setOpenHead({ layer: 2, head: 3 });
    sel.toggleOpenHead({ layer: 2, head: 3 });
    expect(sel.state.openHead).toBeNull();
    sel.setOpenHead(null);
    expect(calls).toEqual([['openHead'], ['openHead'], ['openHead']]);
    expect(() => sel.setOpenHead({ layer: 0, head: 4 })).toThrow(/open head must be an integer in \[0, 4\)/);
  });
});

describe('notifications', () => {
  test('listeners get the new state and the changed keys, once per change', () => {
    const { sel } = setup();
    const seen: [SelectionState, Key[]][] = [];
    sel.subscribe((s, changed) => seen.push([s, [...changed]]));
    sel.hover(Q0);
    expect(seen).toHaveLength(1);
    expect(seen[0][0]).toBe(sel.state);
    expect(seen[0][1]).toEqual(['hovered']);
  });

  test('the state object is replaced on change and kept otherwise', () => {
    const { sel } = setup();
    const before = sel.state;
    sel.hover(null);
    sel.setFilter('all');
    expect(sel.state).toBe(before);
    sel.pin(Q0);
    expect(sel.state).not.toBe(before);
    expect(before.pinned).toBeNull();
  });

  test('unsubscribe stops notifications and is idempotent', () => {
    const sel = new Selection({ section: 's', layer: 0, nHeads: 2 });
    const fn = jest.fn();
    const off = sel.subscribe(fn);
    sel.hover(Q0);
    off();
    off();
    sel.hover(null);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('batch merges changes into one notification; a change undone in the batch is not reported', () => {
    const { sel, calls } = setup();
    sel.batch(() => {
      sel.setLayer(0);
      sel.setHeads([1]);
      sel.hover(Q0);
      sel.hover(null);
      sel.batch(() => sel.pin(Q2));
    });
    expect(calls).toEqual([['heads', 'layer', 'pinned']]);
    sel.batch(() => {
      sel.setFilter('aa');
      sel.setFilter('all');
    });
    expect(calls).toHaveLength(1);
  });

  test('a throwing listener does not stop the others; the error is rethrown', () => {
    const sel = new Selection({ section: 's', layer: 0, nHeads: 2 });
    const after = jest.fn();
    sel.subscribe(() => {
      throw new Error('boom');
    });
    sel.subscribe(after);
    expect(() => sel.pin(Q0)).toThrow('boom');
    expect(after).toHaveBeenCalledTimes(1);
    expect(sel.state.pinned).toEqual(Q0);
  });

  test('a listener may unsubscribe itself while being notified', () => {
    const sel = new Selection({ section: 's', layer: 0, nHeads: 2 });
    const other = jest.fn();
    const off = sel.subscribe(() => off());
    sel.subscribe(other);
    sel.hover(Q0);
    sel.hover(Q2);
    expect(other).toHaveBeenCalledTimes(2);
  });
});
