import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { fromPython, toPython } from '../selection/mirror';
import { Section } from '../data/section';
import { eager } from '../data/eager';

const sec: Section = eager({
  key: 'self',
  label: 'Attention',
  attention: new Tensor(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]),
  layers: [1, 4],
  heads: [2, 5, 7],
  queryTokens: ['a', 'b', 'c', 'd'],
  keyTokens: ['a', 'b', 'c', 'd'],
  queries: null,
  keys: null,
  scale: null,
  causal: false
});

describe('selection trait', () => {
  it('tells Python real head ids and the open head', () => {
    const s = new Selection({ section: 'self', layer: 4, nHeads: 3, heads: [0, 2] });
    s.pin({ side: 'key', index: 3 });
    s.setOpenHead({ layer: 1, head: 1 });
    expect(toPython(s.state, sec)).toEqual({
      section: 'self',
      layer: 4,
      heads: [2, 7],
      pinned: { side: 'key', index: 3 },
      open_head: { layer: 1, head: 5 }
    });
  });

  it('reads a subset from Python, converting head ids to slots', () => {
    expect(fromPython({ heads: [7, 2] }, sec)).toEqual({ heads: [2, 0] });
    expect(fromPython({ layer: 1, pinned: null }, sec)).toEqual({ layer: 1, pinned: null });
    expect(fromPython({ open_head: { layer: 4, head: 5 } }, sec)).toEqual({ openHead: { layer: 4, head: 1 } });
    expect(fromPython({}, sec)).toEqual({});
  });

  it.each([
    [{ layer: 2 }, /layer 2 is not one of 1, 4/],
    [{ heads: [3] }, /head 3 is not one of 2, 5, 7/],
    [{ heads: 2 }, /list of head ids/],
    [{ pinned: { side: 'query', index: 4 } }, /within the tokens/],
    [{ pinned: { side: 'left', index: 0 } }, /within the tokens/],
    [{ open_head: { layer: 1 } }, /open_head: head undefined/],
    [[1, 2], /must be a dict/]
  ])('rejects %j', (value, message) => {
    expect(() => fromPython(value, sec)).toThrow(message);
  });
});
