import { dot, focusedQuery, headVectors, isMasked, maxAbs, neuronRow, scaleOf, shownHead, softmax, symmetricDomain } from '../analysis/neuron';
import { headIds } from '../selection/ids';
import { Selection } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { Section } from '../data/section';
import { eager } from '../data/eager';

/** Reference softmax(scale * q.k + mask), written out independently of src/analysis/neuron.ts. */
function reference(q: number[][], k: number[][], scale: number, causal: boolean): number[][] {
  return q.map((qi, i) => {
    const scores = k.map((kj, j) => (causal && j > i + Math.max(0, k.length - q.length) ? -Infinity : scale * qi.reduce((s, v, t) => s + v * kj[t], 0)));
    const m = Math.max(...scores);
    const e = scores.map(s => (s === -Infinity ? 0 : Math.exp(s - m)));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map(v => v / z);
  });
}

/** A one-layer section from per-head q/k lists; attention = the reference softmax. */
function section(qs: number[][][], ks: number[][][], opts: { scale?: number | null; causal?: boolean; layers?: number[]; heads?: number[] } = {}): Section {
  const H = qs.length;
  const Q = qs[0].length;
  const K = ks[0].length;
  const d = qs[0][0].length;
  const scale = opts.scale === undefined ? 1 : opts.scale;
  const causal = opts.causal ?? false;
  const att = qs.map((q, h) => reference(q, ks[h], scale ?? 1 / Math.sqrt(d), causal));
  return eager({
    key: 'self',
    label: 'Attention',
    attention: new Tensor(Float32Array.from(att.flat(2)), [1, H, Q, K]),
    layers: opts.layers ?? [0],
    heads: opts.heads ?? Array.from({ length: H }, (_, h) => h),
    queryTokens: Array.from({ length: Q }, (_, i) => `q${i}`),
    keyTokens: Array.from({ length: K }, (_, i) => `k${i}`),
    queries: new Tensor(Float32Array.from(qs.flat(2)), [1, H, Q, d]),
    keys: new Tensor(Float32Array.from(ks.flat(2)), [1, H, K, d]),
    scale,
    causal
  });
}

const Q3 = [[1, 0], [0, 2], [1, 1]];
const K3 = [[1, 0], [0, 1], [-1, 0]];

describe('dot and softmax', () => {
  it.each([
    [[1, 2, 3], [4, 5, 6], 32],
    [[1, 0], [0, 1], 0],
    [[-1.5, 2], [2, 0.25], -2.5],
    [[], [], 0]
  ])('dot(%p, %p) = %p', (a, b, want) => expect(dot(a, b)).toBe(want));

  it('rejects vectors of different lengths', () => expect(() => dot([1], [1, 2])).toThrow(RangeError));

  it.each([
    // hand-computed: e^1, e^0, e^-1 over their sum
    [[1, 0, -1], undefined, [0.66524096, 0.24472847, 0.09003057]],
    [[0, 1, 0], undefined, [0.21194156, 0.57611688, 0.21194156]],
    [[1000, 1000], undefined, [0.5, 0.5]], // stable for large scores
    [[0, 2, 5], [0, 0, 1], [0.11920292, 0.88079708, 0]],
    [[3, 4], [1, 1], [0, 0]] // everything masked: zeros, not NaN
  ])('softmax(%p, mask %p)', (scores, mask, want) => {
    const got = Array.from(softmax(scores, mask ? Uint8Array.from(mask) : undefined));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 7));
  });
});

describe('neuronRow', () => {
  it.each([
    // query, scale, causal, dots, softmax
    [0, 1, false, [1, 0, -1], [0.66524096, 0.24472847, 0.09003057]],
    [1, 0.5, false, [0, 1, 0], [0.21194156, 0.57611688, 0.21194156]],
    [2, 1, false, [1, 1, -1], [0.46831053, 0.46831053, 0.06337894]],
    [0, 1, true, [1, NaN, NaN], [1, 0, 0]],
    [1, 1, true, [0, 2, NaN], [0.11920292, 0.88079708, 0]],
    [2, 1, true, [1, 1, -1], [0.46831053, 0.46831053, 0.06337894]]
  ])('query %p, scale %p, causal %p', (query, scale, causal, dots, want) => {
    const sec = section([Q3], [K3], { scale, causal });
    const row = neuronRow(headVectors(sec, 0, 0)!, query);
    expect(Array.from(row.q)).toEqual(Q3[query]);
    Array.from(row.dots).forEach((v, k) => (Number.isNaN(dots[k]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(dots[k], 6)));
    Array.from(row.softmax).forEach((v, k) => expect(v).toBeCloseTo(want[k], 7));
    // the model's own row (here: the reference) agrees with the recomputed one in float32
    Array.from(row.model).forEach((v, k) => expect(v).toBeCloseTo(want[k], 6));
    expect(row.maxError).toBeLessThan(1e-6);
    expect(Array.from(row.masked)).toEqual(dots.map(x => (Number.isNaN(x) ? 1 : 0)));
  });

  it('q*k elementwise, masked rows left at zero', () => {
    const sec = section([Q3], [K3], { causal: true });
    const row = neuronRow(headVectors(sec, 0, 0)!, 1);
    // q1 = [0, 2]; k0 = [1, 0] -> [0, 0]; k1 = [0, 1] -> [0, 2]; k2 masked
    expect(Array.from(row.products)).toEqual([0, 0, 0, 2, 0, 0]);
  });

  it('reports the difference from the model row', () => {
    const sec = section([Q3], [K3]);
    sec.attention!.data[0] += 0.001; // the "model" disagrees at query 0, key 0
    expect(neuronRow(headVectors(sec, 0, 0)!, 0).maxError).toBeCloseTo(0.001, 6);
  });

  it('rejects a query outside the section', () => {
    const hv = headVectors(section([Q3], [K3]), 0, 0)!;
    expect(() => neuronRow(hv, 3)).toThrow(RangeError);
  });

  it('grouped-query keys arrive expanded per query head, so every head just works', () => {
    // 4 query heads share 2 key/value heads: head h uses key head h // 2.
    const kv = [
      [[0.5, -1, 0.25], [1, 1, -0.5], [-0.75, 0.5, 2], [0, -2, 1]],
      [[2, 0, -1], [-1, 0.5, 0.5], [0.25, 0.25, 0.25], [1, -1, 1]]
    ];
    const qs = [0, 1, 2, 3].map(h => [0, 1, 2, 3].map(i => [0, 1, 2].map(t => (((h * 5 + i * 3 + t * 7) % 9) - 4) / 3)));
    const ks = [0, 1, 2, 3].map(h => kv[Math.floor(h / 2)]);
    const sec = section(qs, ks, { scale: 1 / Math.sqrt(3), causal: true });
    for (let h = 0; h < 4; h++) {
      const want = reference(qs[h], kv[Math.floor(h / 2)], 1 / Math.sqrt(3), true);
      for (let i = 0; i < 4; i++) {
        const row = neuronRow(headVectors(sec, 0, h)!, i);
        Array.from(row.softmax).forEach((v, k) => expect(v).toBeCloseTo(want[i][k], 7));
        expect(row.maxError).toBeLessThan(1e-6);
      }
    }
  });
});

describe('masks, scale, heads', () => {
  it.each([
    // causal, query, key, nQ, nK, masked
    [false, 0, 3, 4, 4, false],
    [true, 0, 0, 4, 4, false],
    [true, 0, 1, 4, 4, true],
    [true, 3, 3, 4, 4, false],
    [true, 2, 1, 4, 4, false],
    // two cached keys before the queries: query 0 is position 2
    [true, 0, 2, 2, 4, false],
    [true, 0, 3, 2, 4, true],
    [true, 1, 3, 2, 4, false]
  ])('causal=%p q=%p k=%p (%p queries, %p keys) -> %p', (causal, q, k, nQ, nK, want) => {
    expect(isMasked(causal, q, k, nQ, nK)).toBe(want);
  });

  it('uses the section scale, else 1/sqrt(d)', () => {
    expect(scaleOf(section([Q3], [K3], { scale: 0.125 }), 64)).toBe(0.125);
    expect(scaleOf(section([Q3], [K3], { scale: null }), 64)).toBe(0.125);
    expect(headVectors(section([Q3], [K3], { scale: null }), 0, 0)!.scale).toBeCloseTo(1 / Math.sqrt(2), 12);
  });

  it('head ids are the real ids of the slots (include_heads), by default the slots', () => {
    expect(headIds(section([Q3, Q3, Q3], [K3, K3, K3]))).toEqual([0, 1, 2]);
    expect(headIds(section([Q3, Q3], [K3, K3], { heads: [3, 7] }))).toEqual([3, 7]);
  });

  it('throws for a section without vectors', () => {
    const sec = { ...section([Q3], [K3]), queries: null, keys: null, headDim: null };
    expect(() => headVectors(sec, 0, 0)!).toThrow(/no query\/key vectors/);
  });
});

describe('symmetricDomain', () => {
  it.each([
    [[[1, -3, 2]], [-3, 3]],
    [[[0.5], [-0.25, 0.1]], [-0.5, 0.5]],
    [[[-2, -1]], [-2, 2]],
    [[[NaN, -Infinity, 0.5]], [-0.5, 0.5]],
    [[[0, 0]], [0, 0]],
    [[[]], [0, 0]]
  ])('%p -> %p', (arrays, want) => {
    expect(symmetricDomain(...arrays)).toEqual(want);
    expect(maxAbs(...arrays)).toBe(want[1]);
  });

  it('takes Float32Arrays', () => {
    expect(symmetricDomain(Float32Array.from([0.25, -4]))).toEqual([-4, 4]);
  });
});

describe('focusedQuery and shownHead', () => {
  const qt = (index: number) => ({ side: 'query' as const, index });
  const kt = (index: number) => ({ side: 'key' as const, index });
  it.each([
    [null, null, null],
    [qt(1), null, 1],
    [qt(1), qt(2), 1],
    [kt(0), qt(2), 2],
    [kt(0), kt(1), null],
    [null, qt(2), 2],
    [qt(9), null, null]
  ])('focus %p, pinned %p -> %p', (focus, pinned, want) => {
    expect(focusedQuery(focus, pinned, 3)).toBe(want);
  });

  it('shows the open head, else the layer and the first active head', () => {
    const sec = section([Q3, Q3, Q3], [K3, K3, K3], { layers: [6] });
    const sel = new Selection({ section: 'self', layer: 6, nHeads: 3, heads: [1, 2] });
    expect(shownHead(sel.state, sec)).toEqual({ layer: 6, layerSlot: 0, head: 1 });
    sel.setOpenHead({ layer: 6, head: 2 });
    expect(shownHead(sel.state, sec)).toEqual({ layer: 6, layerSlot: 0, head: 2 });
    sel.setOpenHead({ layer: 9, head: 0 }); // a layer this section does not have: ignored
    expect(shownHead(sel.state, sec)).toEqual({ layer: 6, layerSlot: 0, head: 1 });
  });
});
