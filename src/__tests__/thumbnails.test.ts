import { drawThumbnail, MAX_LINE_TOKENS, thumbnailMode, heatmapPixels } from '../render/thumbnails';
import { heatAlpha, poolHeatmap, poolMatrix } from '../analysis/pooling';

/** Records the calls a thumbnail makes, enough to check what a person would see. */
class FakeContext {
  strokes: { alpha: number; from: [number, number]; to: [number, number] }[] = [];
  fills: { alpha: number; x: number; y: number; w: number; h: number }[] = [];
  globalAlpha = 1;
  strokeStyle = '';
  fillStyle = '';
  lineWidth = 1;
  private from: [number, number] = [0, 0];
  private to: [number, number] = [0, 0];
  beginPath(): void {}
  moveTo(x: number, y: number): void {
    this.from = [x, y];
  }
  lineTo(x: number, y: number): void {
    this.to = [x, y];
  }
  stroke(): void {
    this.strokes.push({ alpha: this.globalAlpha, from: this.from, to: this.to });
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    this.fills.push({ alpha: this.globalAlpha, x, y, w, h });
  }
  strokeRect(): void {}
}

const ctx = (f: FakeContext): CanvasRenderingContext2D => f as unknown as CanvasRenderingContext2D;

describe('poolMatrix', () => {
  it('keeps the matrix when no pooling is needed', () => {
    const w = new Float32Array([1, 2, 3, 4]);
    expect(Array.from(poolMatrix(w, 2, 2, 2, 2))).toEqual([1, 2, 3, 4]);
  });

  it('averages blocks, uneven ones included', () => {
    // 3x3 -> 2x2: rows {0,1},{2}; cols {0,1},{2}
    const w = new Float32Array([1, 1, 4, 3, 3, 8, 5, 7, 9]);
    expect(Array.from(poolMatrix(w, 3, 3, 2, 2))).toEqual([2, 6, 6, 9]);
  });

  it('keeps the mean of a row-stochastic matrix', () => {
    const n = 100;
    const w = new Float32Array(n * n).fill(1 / n);
    const p = poolMatrix(w, n, n, 7, 7);
    p.forEach(v => expect(v).toBeCloseTo(1 / n, 6));
  });
});

describe('thumbnails', () => {
  it('switches from lines to a heatmap past the line limit', () => {
    expect(thumbnailMode(MAX_LINE_TOKENS, MAX_LINE_TOKENS)).toBe('lines');
    expect(thumbnailMode(MAX_LINE_TOKENS + 1, 3)).toBe('heatmap');
  });

  it('draws one line per visible weight, at that opacity', () => {
    const f = new FakeContext();
    const w = new Float32Array([0.5, 0.5, 0, 1]);
    const n = drawThumbnail(ctx(f), { weights: w, nQueries: 2, nKeys: 2, color: '#f00', focus: null }, 40);
    expect(n).toBe(3);
    expect(f.strokes.map(s => s.alpha)).toEqual([0.5, 0.5, 1]);
    expect(f.strokes[2].from).toEqual([6, 30]);
    expect(f.strokes[2].to).toEqual([34, 30]);
  });

  it('draws only the focused key column when a key is focused', () => {
    const f = new FakeContext();
    const w = new Float32Array([0.5, 0.5, 0.25, 0.75]);
    drawThumbnail(ctx(f), { weights: w, nQueries: 2, nKeys: 2, color: '#f00', focus: { side: 'key', index: 1 } }, 40);
    expect(f.strokes.map(s => s.alpha)).toEqual([0.5, 0.75]);
    expect(f.strokes.every(s => s.to[1] === 30)).toBe(true);
  });

  it('heatmap cells are relative to the strongest cell', () => {
    expect(heatAlpha(1, 4)).toBeCloseTo(0.5);
    expect(heatAlpha(4, 4)).toBe(1);
    expect(heatAlpha(1, 0)).toBe(0);
    const n = 60;
    const w = new Float32Array(n * n);
    for (let q = 0; q < n; q++) {
      w[q * n] = 1; // everything attends to the first token
    }
    const f = new FakeContext();
    drawThumbnail(ctx(f), { weights: w, nQueries: n, nKeys: n, color: '#00f', focus: null }, 30);
    // 30x30 cells; only the first column has mass, at full strength
    expect(f.fills).toHaveLength(30);
    expect(f.fills.every(c => c.x === 0 && c.alpha === 1)).toBe(true);
  });

  it('a heatmap pooled once draws what pooling on every paint draws', () => {
    const n = 70;
    const w = new Float32Array(n * n).map((_, i) => ((i * 37) % 11) / 11);
    const input = { weights: w, nQueries: n, nKeys: n, color: '#0a0', focus: { side: 'query' as const, index: 5 } };
    const fresh = new FakeContext();
    const cached = new FakeContext();
    drawThumbnail(ctx(fresh), input, 40);
    drawThumbnail(ctx(cached), input, 40, poolHeatmap(w, n, n, 40));
    expect(cached.fills).toEqual(fresh.fills);
    expect(cached.fills.length).toBeGreaterThan(0);
  });
});

describe('heatmapPixels', () => {
  it('gives each device pixel its cell colour at the cell opacity (sqrt of the share of the max)', () => {
    const heat = { pooled: Float32Array.from([1, 0, 0.25, 0.04]), rows: 2, cols: 2, max: 1 };
    const px = heatmapPixels(heat, [10, 20, 30], 4, 2);
    const at = (x: number, y: number): number[] => Array.from(px.slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    expect(at(0, 0)).toEqual([10, 20, 30, 255]);
    expect(at(1, 0)).toEqual([10, 20, 30, 255]); // same cell: columns 0-1 of 4 pixels
    expect(at(2, 0)).toEqual([0, 0, 0, 0]); // weight 0: transparent
    expect(at(0, 1)).toEqual([10, 20, 30, 128]); // sqrt(0.25) = 0.5
    expect(at(3, 1)).toEqual([10, 20, 30, 51]); // sqrt(0.04) = 0.2
  });
});
