import { eager } from '../data/eager';
import { emptyCache, textShown } from '../views/text/shown';
import { attention } from './fixtures/svg';

const close = (a: ArrayLike<number>, b: number[]): void => {
  expect(a.length).toBe(b.length);
  Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
};

describe('textShown cache', () => {
  it('a hover repaint reuses the aggregated and grouped matrix; another layer or choice does not', () => {
    const tokens = ['[CLS]', 'play', '##ing', '.'];
    const words = { query: [0, 1, 1, 2], key: [0, 1, 1, 2], queryLabels: ['[CLS]', 'playing', '.'], keyLabels: ['[CLS]', 'playing', '.'] };
    const sec = eager({ key: 'self', label: 'A', attention: attention(2, 3, 4, 4), layers: [0, 1], heads: [0, 1, 2], queryTokens: tokens, keyTokens: tokens, words });
    const cache = emptyCache();
    const base = { section: sec, layer: 0, choice: { kind: 'mean' } as const, heads: [0, 1, 2], grouped: true, pinned: null, cache };
    const a = textShown({ ...base, focus: { side: 'query', index: 1 } });
    const matrix = cache.matrix;
    const grouped = cache.grouped;
    expect(matrix).not.toBeNull();
    expect(grouped).not.toBeNull();
    const b = textShown({ ...base, focus: { side: 'query', index: 3 } });
    expect(cache.matrix).toBe(matrix);
    expect(cache.grouped).toBe(grouped);
    const fresh = textShown({ ...base, focus: { side: 'query', index: 3 }, cache: undefined });
    close(b.shading?.weights ?? [], Array.from(fresh.shading?.weights ?? []));
    expect(Array.from(a.shading?.weights ?? [])).not.toEqual(Array.from(b.shading?.weights ?? []));
    textShown({ ...base, layer: 1, focus: null });
    expect(cache.matrix).not.toBe(matrix);
    const layer1 = cache.grouped;
    textShown({ ...base, layer: 1, choice: { kind: 'max' }, focus: null });
    expect(cache.grouped).not.toBe(layer1);
  });
});
