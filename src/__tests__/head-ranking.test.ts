/**
 * Head triage, pure: the grid's arrangement by a score (model order, within each layer, one ranking
 * with top N), the threshold filter, the colour domain, and the heads chart's layout.
 */
import { arrangeHeads, domainPosition, scoreDomain, TriageChoice } from '../analysis/head-ranking';
import { chartLayout } from '../render/heads-chart';
import { HeadScores } from '../wire/head-scores';
import { Tensor } from '../wire/tensor';

/** 2 layers x 3 heads; "s" = the table below, "t" = 10 * layer + head. */
const S = [
  [0.2, 0.9, 0.5],
  [0.7, NaN, 0.1]
];
function scores(): HeadScores {
  const data: number[] = [];
  S.forEach((row, l) => row.forEach((v, h) => data.push(v, 10 * l + h)));
  return { names: ['s', 't'], values: new Tensor(Float32Array.from(data), [2, 3, 2]), labels: [], rules: [], similarity: SIMILARITY };
}
/** heads 0 and 2 of layer 0 alike; layer 1 collapsed */
const SIMILARITY = { order: [[0, 2, 1], [0, 1, 2]], redundant: [[0, 0, 2, 0.97]] as [number, number, number, number][], collapsed: [1], threshold: 0.9, measure: 'x' };
const choice = (over: Partial<TriageChoice>): TriageChoice => ({ score: 's', sort: 'none', top: null, minScore: null, ...over });
const ids = (a: ReturnType<typeof arrangeHeads>): string[][] => a.rows.map(r => r.heads.map(p => `${p.layerSlot}:${p.headSlot}`));

describe('arrangeHeads', () => {
  const layers = ['0', '1'];
  const heads = ['h0', 'h1', 'h2'];
  it.each([
    ['model order', choice({}), [['0:0', '0:1', '0:2'], ['1:0', '1:1', '1:2']], ['h0', 'h1', 'h2'], ['0', '1']],
    ['within each layer, NaN last', choice({ sort: 'layer' }), [['0:1', '0:2', '0:0'], ['1:0', '1:2', '1:1']], ['1st', '2nd', '3rd'], ['0', '1']],
    ['one ranking', choice({ sort: 'rank' }), [['0:1', '1:0', '0:2'], ['0:0', '1:2', '1:1']], ['+0', '+1', '+2'], ['#1\u20133', '#4\u20136']],
    ['one ranking, top 4', choice({ sort: 'rank', top: 4 }), [['0:1', '1:0', '0:2'], ['0:0']], ['+0', '+1', '+2'], ['#1\u20133', '#4']],
    ['one ranking above 0.5 (NaN never passes)', choice({ sort: 'rank', minScore: 0.5 }), [['0:1', '1:0', '0:2']], ['+0', '+1', '+2'], ['#1\u20133']],
    ['ascending score "t"', choice({ score: 't', sort: 'rank', top: 2 }), [['1:2', '1:1']], ['+0', '+1'], ['#1\u20132']],
    ['similar heads together (no score needed)', choice({ score: null, sort: 'similarity' }), [['0:0', '0:2', '0:1'], ['1:0', '1:1', '1:2']], ['1st', '2nd', '3rd'], ['0', '1']],
    ['no such score: model order', choice({ score: 'nope', sort: 'rank' }), [['0:0', '0:1', '0:2'], ['1:0', '1:1', '1:2']], ['h0', 'h1', 'h2'], ['0', '1']]
  ])('%s', (_name, c, want, columns, headers) => {
    const a = arrangeHeads(scores(), c, layers, heads);
    expect(ids(a)).toEqual(want);
    expect(a.columns).toEqual(columns);
    expect(a.rows.map(r => r.header)).toEqual(headers);
  });

  it('ranks every head and marks those below the threshold, keeping them in place outside a ranking', () => {
    const a = arrangeHeads(scores(), choice({ minScore: 0.5 }), layers, heads);
    const flat = a.rows.flatMap(r => r.heads);
    expect(flat.map(p => p.rank)).toEqual([4, 1, 3, 2, 6, 5]);
    expect(flat.map(p => p.kept)).toEqual([false, true, true, true, false, false]);
    expect([a.kept, a.total]).toEqual([3, 6]);
  });

  it('without scores (not arrived yet) every choice is the model order, nothing filtered', () => {
    const a = arrangeHeads(null, choice({ sort: 'rank', minScore: 2 }), layers, heads);
    expect(ids(a)).toEqual([['0:0', '0:1', '0:2'], ['1:0', '1:1', '1:2']]);
    expect(a.rows.flatMap(r => r.heads).every(p => p.kept && p.rank === 0)).toBe(true);
  });
});

describe('colour domain', () => {
  it.each([
    [0.1, 0],
    [0.9, 1],
    [0.5, 0.5],
    [2, 1],
    [NaN, NaN]
  ])('position of %p in [0.1, 0.9] is %p', (v, t) => {
    const dom = scoreDomain(scores(), 's')!;
    expect(dom[0]).toBeCloseTo(0.1, 6);
    expect(dom[1]).toBeCloseTo(0.9, 6);
    const got = domainPosition(v, dom);
    if (Number.isNaN(t)) {
      expect(got).toBeNaN();
    } else {
      expect(got).toBeCloseTo(t, 5);
    }
  });
  it('a score without finite values has no domain; one value maps to the top', () => {
    expect(scoreDomain(scores(), 'nope')).toBeNull();
    expect(domainPosition(3, [3, 3])).toBe(1);
  });
});

describe('chartLayout', () => {
  it('one point per head with both scores; NaN heads counted as missing; y grows upwards', () => {
    const c = chartLayout(scores(), 't', 's', 340, 240);
    expect(c.points).toHaveLength(5);
    expect(c.missing).toBe(1);
    const p = (l: number, h: number) => c.points.find(q => q.layerSlot === l && q.headSlot === h)!;
    expect(p(0, 1).y).toBeCloseTo(0.9, 6);
    expect(p(0, 1).py).toBeLessThan(p(0, 0).py); // 0.9 above 0.2
    expect(p(1, 2).px).toBeGreaterThan(p(0, 0).px); // t 12 right of t 0
    for (const q of c.points) {
      expect(q.px).toBeGreaterThanOrEqual(c.box.left);
      expect(q.px).toBeLessThanOrEqual(c.box.right);
      expect(q.py).toBeGreaterThanOrEqual(c.box.top);
      expect(q.py).toBeLessThanOrEqual(c.box.bottom);
    }
    expect(c.xTicks.length).toBeGreaterThan(1);
    expect(p(0, 0).color).not.toBe(p(1, 0).color); // coloured by layer
  });
});
