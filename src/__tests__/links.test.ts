/**
 * @jest-environment jsdom
 */
import { splitLayer } from '../wire/tensor';
import { alphaLevel, canvasLevel, drawLinksCanvas, drawLinksSvg, groupLinks, strokedCount } from '../render/links';
import { collectLinks, LinkBatch, LinkQuery, lineAlpha } from '../analysis/links';

// One layer, 2 heads x 3 queries x 3 keys; rows sum to 1.
const W = new Float32Array([
  // head 0
  0.5, 0.5, 0, 0.2, 0.3, 0.5, 1, 0, 0,
  // head 1
  0.001, 0.009, 0.99, 1 / 3, 1 / 3, 1 / 3, 0.1, 0.8, 0.1
]);

function query(over: Partial<LinkQuery> = {}): LinkQuery {
  return {
    weights: splitLayer(W, 2),
    nQueries: 3,
    nKeys: 3,
    heads: [0, 1],
    query: { start: 0, end: 3 },
    key: { start: 0, end: 3 },
    focus: null,
    minAlpha: 1 / 255,
    ...over
  };
}

/** (head, query, key) -> alpha of every line in a batch. */
function alphas(b: LinkBatch): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < b.count; i++) {
    out[`${b.head[i]},${b.q[i]},${b.k[i]}`] = Number(b.alpha[i].toFixed(4));
  }
  return out;
}

describe('hover contrast (issue 16, item 6)', () => {
  it.each([
    // 'shared' (the default, BertViz's rule): weight / 2 active heads
    ['shared', { side: 'query', index: 1 }, { '0,1,0': 0.1, '0,1,1': 0.15, '0,1,2': 0.25, '1,1,0': 0.1667, '1,1,1': 0.1667, '1,1,2': 0.1667 }],
    // 'row-maximum': each head's strongest line of the token is opaque, the others in proportion
    ['row-maximum', { side: 'query', index: 1 }, { '0,1,0': 0.4, '0,1,1': 0.6, '0,1,2': 1, '1,1,0': 1, '1,1,1': 1, '1,1,2': 1 }],
    // a focused key: its column, per head (head 0 column 0: 0.5, 0.2, 1; head 1: 0.001, 1/3, 0.1)
    ['row-maximum', { side: 'key', index: 0 }, { '0,0,0': 0.5, '0,1,0': 0.2, '0,2,0': 1, '1,0,0': 0.003, '1,1,0': 1, '1,2,0': 0.3 }]
  ] as const)('%s, focus %j', (contrast, focus, want) => {
    expect(alphas(collectLinks(query({ focus, contrast })))).toEqual(want);
  });

  it('leaves unfocused paints to the shared rule whatever the setting', () => {
    expect(alphas(collectLinks(query({ contrast: 'row-maximum' })))).toEqual(alphas(collectLinks(query())));
  });
});

describe('collectLinks', () => {
  it('skips zero weights and lines too faint to see when nothing is focused', () => {
    const b = collectLinks(query());
    // head 0: 6 non-zero; head 1: 9 non-zero, of which 0.001/2 = 0.0005 < 1/255 is skipped.
    expect(b.count).toBe(6 + 8);
    for (let i = 0; i < b.count; i++) {
      expect(b.alpha[i]).toBeCloseTo(W[b.head[i] * 9 + b.q[i] * 3 + b.k[i]] / 2, 6);
    }
  });

  it('keeps every non-zero line of a focused query, faint ones included', () => {
    const b = collectLinks(query({ focus: { side: 'query', index: 0 } }));
    expect(b.count).toBe(2 + 3);
    expect(Array.from(b.q)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(b.k)).toEqual([0, 1, 0, 1, 2]);
  });

  it('collects the column of a focused key', () => {
    const b = collectLinks(query({ focus: { side: 'key', index: 2 }, heads: [1] }));
    expect(Array.from(b.q)).toEqual([0, 1, 2]);
    expect(Array.from(b.alpha)).toEqual([0.99, 1 / 3, 0.1].map(w => Math.fround(w)));
  });

  it('respects sentence ranges and ignores a focus outside them', () => {
    const ranged = collectLinks(query({ query: { start: 1, end: 3 }, key: { start: 0, end: 1 } }));
    expect(Array.from(ranged.q).every(q => q >= 1)).toBe(true);
    expect(Array.from(ranged.k).every(k => k === 0)).toBe(true);
    const outside = collectLinks(query({ query: { start: 1, end: 3 }, focus: { side: 'query', index: 0 } }));
    expect(outside.count).toBe(0);
  });

  it('divides opacity by the number of active heads', () => {
    expect(lineAlpha(0.6, 3)).toBeCloseTo(0.2);
    expect(lineAlpha(0.6, 0)).toBeCloseTo(0.6);
    expect(collectLinks(query({ heads: [0] })).alpha[0]).toBeCloseTo(0.5);
  });
});

describe('alphaLevel', () => {
  it('maps opacity to the 8-bit level a canvas shows, never 0 for a drawn line', () => {
    expect(alphaLevel(1)).toBe(255);
    expect(alphaLevel(0.5)).toBe(128);
    expect(alphaLevel(1e-6)).toBe(1);
    expect(alphaLevel(2)).toBe(255);
  });
});

describe('canvasLevel', () => {
  it.each([
    [1, 255],
    [2, 255],
    [0.5, 128],
    [1.5 / 255, 2],
    [0.5 / 255, 1],
    [0.49 / 255, 0],
    [1e-6, 0],
    [0, 0]
  ])('alpha %p strokes at level %p', (alpha, level) => {
    expect(canvasLevel(alpha)).toBe(level);
  });
});

describe('drawLinksSvg', () => {
  it('draws one line per link with its head colour and exact opacity', () => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const b = collectLinks(query({ focus: { side: 'query', index: 1 }, heads: [0] }));
    drawLinksSvg(svg, b, { width: 100, rowHeight: 20, queryOffset: 0, keyOffset: 0, colorOf: h => `#00000${h}` });
    const lines = svg.querySelectorAll('line');
    expect(lines).toHaveLength(3);
    expect(lines[0].getAttribute('y1')).toBe('30');
    expect(lines[2].getAttribute('y2')).toBe('50');
    expect(lines[2].getAttribute('stroke-opacity')).toBe('0.5000');
    expect(lines[0].getAttribute('stroke')).toBe('#000000');
  });
});

/** A 2D context that records the segments of each stroke, with the stroke's colour and opacity. */
function recorder(): { ctx: CanvasRenderingContext2D; strokes: { color: string; alpha: number; segs: number[][] }[] } {
  const strokes: { color: string; alpha: number; segs: number[][] }[] = [];
  let path: number[][] = [];
  const ctx = {
    lineWidth: 1,
    strokeStyle: '',
    globalAlpha: 1,
    beginPath: () => (path = []),
    moveTo: (x: number, y: number) => path.push([x, y]),
    lineTo: (x: number, y: number) => path[path.length - 1].push(x, y),
    stroke() {
      strokes.push({ color: String(this.strokeStyle), alpha: this.globalAlpha, segs: path });
    }
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, strokes };
}

/** Lines of one head at full opacity between the given (query, key) rows. */
function lines(pairs: [number, number][]): LinkBatch {
  return {
    count: pairs.length,
    head: new Uint16Array(pairs.length),
    q: Uint32Array.from(pairs.map(p => p[0])),
    k: Uint32Array.from(pairs.map(p => p[1])),
    alpha: new Float32Array(pairs.length).fill(1)
  };
}

describe('groupLinks', () => {
  it('groups line indices by head and 8-bit opacity level, leaving out what rounds to level 0', () => {
    const b = collectLinks(query({ focus: { side: 'query', index: 0 } }));
    // head 0: 0.25, 0.25; head 1: 0.0005 (level 0.13: not stroked), 0.0045, 0.495
    const groups = groupLinks(b);
    expect(b.count).toBe(5);
    expect(Array.from(groups.keys())).toEqual([64, 256 + 1, 256 + 126]);
    expect(groups.get(64)).toEqual([0, 1]);
    expect(groups.get(256 + 1)).toEqual([3]);
    expect(groups.get(256 + 126)).toEqual([4]);
    expect(strokedCount(groups)).toBe(4);
  });
});

describe('drawLinksCanvas', () => {
  const g = { width: 100, rowHeight: 20, queryOffset: 0, keyOffset: 0, colorOf: () => '#123456' };

  it('without a band draws every line at its row centres, one stroke per group', () => {
    const { ctx, strokes } = recorder();
    drawLinksCanvas(ctx, lines([[0, 2], [511, 0]]), g);
    expect(strokes).toEqual([{ color: '#123456', alpha: 1, segs: [[0, 10, 100, 50], [0, 10230, 100, 10]] }]);
  });

  it('with a band draws the lines crossing it, shifted to the band top; ends outside count', () => {
    const { ctx, strokes } = recorder();
    const batch = lines([
      [250, 260], // both ends inside [5000, 5600)
      [0, 511], // both ends outside, crosses the band
      [511, 3], // both ends outside, crosses the band the other way
      [0, 10], // above
      [400, 500], // below
      [240, 0] // above, y 4810 to 10
    ]);
    drawLinksCanvas(ctx, batch, { ...g, band: { top: 5000, height: 600 } });
    expect(strokes).toHaveLength(1);
    expect(strokes[0].segs).toEqual([
      [0, 5010 - 5000, 100, 5210 - 5000],
      [0, 10 - 5000, 100, 10230 - 5000],
      [0, 10230 - 5000, 100, 70 - 5000]
    ]);
  });

  it('keeps a line whose stroke reaches into the band by its half width', () => {
    const { ctx, strokes } = recorder();
    // centre at y = 4990 (query 249): its 2 px stroke (plus a pixel of antialiasing) reaches 4991, not 4993
    drawLinksCanvas(ctx, lines([[249, 0]]), { ...g, band: { top: 4991, height: 600 } });
    expect(strokes[0].segs).toEqual([[0, -1, 100, 10 - 4991]]);
    const none = recorder();
    drawLinksCanvas(none.ctx, lines([[249, 0]]), { ...g, band: { top: 4993, height: 600 } });
    expect(none.strokes).toEqual([]);
  });

  it('uses the groups it is given (scroll redraws do not regroup)', () => {
    const { ctx, strokes } = recorder();
    const batch = lines([[0, 0], [1, 1], [2, 2]]);
    drawLinksCanvas(ctx, batch, g, new Map([[255, [2]]]));
    expect(strokes).toEqual([{ color: '#123456', alpha: 1, segs: [[0, 50, 100, 50]] }]);
  });
});
