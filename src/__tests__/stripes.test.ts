import { splitLayer } from '../wire/tensor';
import { drawStripes, StripeInput } from '../render/stripes';

/** A 2D context that records each filled rectangle with its colour and opacity. */
function recorder(): { ctx: CanvasRenderingContext2D; rects: { x: number; y: number; w: number; h: number; color: string; alpha: number }[] } {
  const rects: { x: number; y: number; w: number; h: number; color: string; alpha: number }[] = [];
  const ctx = {
    fillStyle: '',
    globalAlpha: 1,
    fillRect(x: number, y: number, w: number, h: number) {
      rects.push({ x, y, w, h, color: String(this.fillStyle), alpha: this.globalAlpha });
    }
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, rects };
}

// One head, 1 query x 512 keys: key k has weight (k + 1) / 1000 (only the positions matter here).
const N = 512;
function input(over: Partial<StripeInput> = {}): StripeInput {
  const w = new Float32Array(N).map((_, k) => (k + 1) / 1000);
  return { weights: splitLayer(w, 1), nQueries: 1, nKeys: N, heads: [0], focusSide: 'query', focusIndex: 0, start: 0, end: N, ...over };
}

describe('drawStripes', () => {
  it('without a band draws a stripe on every row, row 0 at y 0', () => {
    const { ctx, rects } = recorder();
    drawStripes(ctx, input({ end: 3 }), 40, 20, () => '#abcdef');
    expect(rects.map(r => [r.x, r.y, r.w, r.h])).toEqual([
      [0, 1, 40, 18],
      [0, 21, 40, 18],
      [0, 41, 40, 18]
    ]);
    expect(rects[2].alpha).toBeCloseTo(0.003, 6);
    expect(rects[2].color).toBe('#abcdef');
  });

  it('with a band draws only the rows in it, shifted to the band top', () => {
    const { ctx, rects } = recorder();
    drawStripes(ctx, input(), 40, 20, () => '#abcdef', { top: 5010, height: 100 });
    // rows 250 (partly: 5000..5020) to 255 (5100..5120, partly)
    expect(rects.map(r => r.y)).toEqual([-9, 11, 31, 51, 71, 91]);
    expect(rects[0].alpha).toBeCloseTo(0.251, 6);
    expect(rects[5].alpha).toBeCloseTo(0.256, 6);
  });

  it('counts rows from the first index shown (a filtered column)', () => {
    const { ctx, rects } = recorder();
    drawStripes(ctx, input({ start: 100, end: 200 }), 40, 20, () => '#abcdef', { top: 40, height: 20 });
    // row 2 of the column is key 102
    expect(rects).toHaveLength(1);
    expect(rects[0].y).toBe(1);
    expect(rects[0].alpha).toBeCloseTo(0.103, 6);
  });

  it('splits the width among the active heads', () => {
    const { ctx, rects } = recorder();
    const w = new Float32Array(2 * N).fill(0.5);
    const p = input({ weights: splitLayer(w, 2), heads: [1, 0] });
    drawStripes(ctx, p, 40, 20, h => `#00000${h}`, { top: 0, height: 20 });
    expect(rects.map(r => [r.x, r.w, r.color])).toEqual([
      [0, 20, '#000001'],
      [20, 20, '#000000']
    ]);
  });
});
