import { colorAt, colormapHex, colormapTable, cssGradient, luminance, TABLE_SIZE } from '../render/colormap';
import { heatmapRGBA, matrixMax } from '../render/heatmap';
import { legendTicks, LOG_FLOOR, niceStep, scalePosition, tickLabel } from '../render/legend';
import { shownLabels, thinStep } from '../render/axis-labels';
import { COLORMAPS, SCALES } from '../wire/view-options';

describe('colour maps', () => {
  it.each([
    ['viridis', '#440154', '#fde725'],
    ['magma', '#000004', '#fcfdbf'],
    ['blues', '#f7fbff', '#08306b'],
    ['greys', '#ffffff', '#000000']
  ] as const)('%s runs from %s to %s in 256 entries', (name, first, last) => {
    expect(colormapTable(name)).toHaveLength(TABLE_SIZE * 3);
    expect(colormapHex(name, 0)).toBe(first);
    expect(colormapHex(name, 255)).toBe(last);
    expect(colorAt(name, 0)).toBe(first);
    expect(colorAt(name, 1)).toBe(last);
    expect(colorAt(name, 2)).toBe(last);
    expect(colorAt(name, NaN)).toBe(first);
  });

  it.each(COLORMAPS.map(c => [c]))('%s has monotone luminance (no rainbow)', name => {
    const lum = Array.from({ length: TABLE_SIZE }, (_, i) => luminance(name, i));
    const up = lum[255] > lum[0];
    for (let i = 1; i < TABLE_SIZE; i++) {
      // allow the 1/255 wobble of rounding between two interpolated entries
      if (up) {
        expect(lum[i]).toBeGreaterThanOrEqual(lum[i - 1] - 0.004);
      } else {
        expect(lum[i]).toBeLessThanOrEqual(lum[i - 1] + 0.004);
      }
    }
    expect(Math.abs(lum[255] - lum[0])).toBeGreaterThan(0.5);
  });

  it('gives a CSS gradient for the legend bar', () => {
    expect(cssGradient('viridis', 2)).toMatch(/^linear-gradient\(to right, #440154 0\.00%, #[0-9a-f]{6} 50\.00%, #fde725 100\.00%\)$/);
  });
});

describe('scales', () => {
  it.each([
    // w, max, scale, expected t
    [0.5, 1, 'linear', 0.5],
    [0.25, 0.5, 'linear', 0.5],
    [2, 1, 'linear', 1],
    [0, 1, 'linear', 0],
    [-1, 1, 'linear', 0],
    [0.25, 1, 'sqrt', 0.5],
    [0.01, 1, 'sqrt', 0.1],
    [1, 1, 'log', 1],
    [0.1, 1, 'log', 0.75],
    [0.01, 1, 'log', 0.5],
    [0.001, 0.1, 'log', 0.5],
    [LOG_FLOOR, 1, 'log', 0],
    [1e-9, 1, 'log', 0],
    [0, 1, 'log', 0],
    [0.5, 0, 'linear', 0],
    [NaN, 1, 'sqrt', 0]
  ] as const)('w=%p of max %p on %s -> %p', (w, max, scale, t) => {
    expect(scalePosition(w, max, scale)).toBeCloseTo(t, 10);
  });

  it.each(SCALES.map(s => [s]))('%s is monotone on [0, max]', scale => {
    let prev = -1;
    for (let i = 0; i <= 100; i++) {
      const t = scalePosition(i / 100, 1, scale);
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
    }
    expect(prev).toBe(1);
  });
});

describe('legend ticks', () => {
  it.each([
    [1, 'linear', ['0', '0.2', '0.4', '0.6', '0.8', '1']],
    [0.5, 'linear', ['0', '0.1', '0.2', '0.3', '0.4', '0.5']],
    [0.37, 'linear', ['0', '0.1', '0.2', '0.3']],
    [0.83, 'linear', ['0', '0.2', '0.4', '0.6', '0.8']],
    [0.061, 'sqrt', ['0', '0.02', '0.04', '0.06']],
    [12, 'linear', ['0', '2.5', '5', '7.5', '10']],
    [1, 'log', ['1e-4', '0.001', '0.01', '0.1', '1']],
    [0.5, 'log', ['1e-4', '0.001', '0.01', '0.1']],
    [0.05, 'log', ['1e-5', '1e-4', '0.001', '0.01']],
    [0, 'linear', ['0']]
  ] as const)('max %p on %s -> %p', (max, scale, labels) => {
    const ticks = legendTicks(max as number, scale as 'linear');
    expect(ticks.map(t => t.label)).toEqual(labels);
    for (const t of ticks) {
      expect(t.t).toBeGreaterThanOrEqual(0);
      expect(t.t).toBeLessThanOrEqual(1 + 1e-12);
      expect(t.value).toBeLessThanOrEqual((max as number) * (1 + 1e-9));
    }
  });

  it('always gives 3 to 6 ticks for a positive maximum, on every scale', () => {
    for (const scale of SCALES) {
      for (let e = -6; e <= 3; e += 0.137) {
        const n = legendTicks(10 ** e, scale).length;
        expect([scale, e, n >= 3 && n <= 6]).toEqual([scale, e, true]);
      }
    }
  });

  it('log ticks are powers of ten; linear ticks are multiples of a nice step', () => {
    expect(legendTicks(0.3, 'log').every(t => Number.isInteger(Math.round(Math.log10(t.value) * 1e9) / 1e9))).toBe(true);
    expect(niceStep(1)).toBe(0.2);
    expect(niceStep(0.9)).toBe(0.2);
    expect(niceStep(0.3)).toBe(0.1);
    expect(niceStep(0.06)).toBe(0.02);
    expect(tickLabel(0.0001)).toBe('1e-4');
    expect(tickLabel(0.25)).toBe('0.25');
  });
});

describe('label thinning', () => {
  it.each([
    [14, 28, 1],
    [14, 14, 1],
    [14, 13.9, 2],
    [14, 7, 2],
    [14, 5, 3],
    [14, 1, 14],
    [14, 0.25, 56]
  ])('labels of %p px on cells of %p px: every %p-th', (label, cell, k) => {
    expect(thinStep(label, cell)).toBe(k);
  });

  it('keeps the multiples of k inside the window (stable while it moves)', () => {
    expect(shownLabels(0, 10, 1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(shownLabels(0, 10, 3)).toEqual([0, 3, 6, 9]);
    expect(shownLabels(4, 10, 3)).toEqual([6, 9]);
    expect(shownLabels(5, 5, 1)).toEqual([]);
    expect(thinStep(14, 0)).toBeGreaterThan(1e9);
  });
});

describe('heatmap bytes', () => {
  const W = new Float32Array([0, 0.5, 1, 0.25, 0.75, 0, NaN, 1, 0.5]);
  const rgba = (hex: string, a = 255): number[] => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), a];
  const px = (bytes: Uint8ClampedArray, i: number): number[] => Array.from(bytes.slice(i * 4, i * 4 + 4));

  it('a known 3x3 matrix, linear viridis: one RGBA pixel per cell, NaN transparent', () => {
    expect(matrixMax(W)).toBe(1);
    const bytes = heatmapRGBA(W, 3, { r0: 0, r1: 3, c0: 0, c1: 3 }, 'viridis', 'linear', 1);
    expect(bytes).toHaveLength(36);
    expect(px(bytes, 0)).toEqual(rgba('#440154'));
    expect(px(bytes, 2)).toEqual(rgba('#fde725'));
    expect(px(bytes, 1)).toEqual(rgba(colormapHex('viridis', 128)));
    expect(px(bytes, 3)).toEqual(rgba(colormapHex('viridis', 64)));
    expect(px(bytes, 4)).toEqual(rgba(colormapHex('viridis', 191)));
    expect(px(bytes, 6)).toEqual([0, 0, 0, 0]);
    expect(px(bytes, 7)).toEqual(rgba('#fde725'));
  });

  it('draws only the window, into a given buffer, on another scale and map', () => {
    const out = new Uint8ClampedArray(16);
    const bytes = heatmapRGBA(W, 3, { r0: 1, r1: 3, c0: 1, c1: 3 }, 'greys', 'sqrt', 1, out);
    expect(bytes).toBe(out);
    expect(px(bytes, 0)).toEqual(rgba(colorAt('greys', Math.sqrt(0.75))));
    expect(px(bytes, 1)).toEqual(rgba('#ffffff'));
    expect(px(bytes, 2)).toEqual(rgba('#000000'));
    expect(px(bytes, 3)).toEqual(rgba(colorAt('greys', Math.sqrt(0.5))));
  });

  it('2,048 x 2,048 fits one 16 MB image', () => {
    const n = 2048;
    const w = new Float32Array(n * n).map((_, i) => (i % 97) / 96);
    const bytes = heatmapRGBA(w, n, { r0: 0, r1: n, c0: 0, c1: n }, 'magma', 'log', 1);
    expect(bytes.length).toBe(n * n * 4);
    expect(px(bytes, n * n - 1)[3]).toBe(255);
  });
});
