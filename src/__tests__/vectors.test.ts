import * as d3 from 'd3';

import {
  CellLayout,
  cellAt,
  cellWidthFor,
  divergingColor,
  DivergingScale,
  drawLegend,
  formatBound,
  formatExact,
  LEVELS,
  paintVectorRows,
  PixelContext,
  rasterizeRows,
  VectorContext
} from '../render/vectors';

/** A fake 2D context that records every fillRect with the fillStyle in force. */
class Recorder implements VectorContext {
  fillStyle: string | CanvasGradient | CanvasPattern = '#000000';
  styleSets = 0;
  readonly rects: { style: string; x: number; y: number; w: number; h: number }[] = [];
  constructor() {
    let style: VectorContext['fillStyle'] = '#000000';
    Object.defineProperty(this, 'fillStyle', {
      get: () => style,
      set: (v: VectorContext['fillStyle']) => {
        style = v;
        this.styleSets++;
      }
    });
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    this.rects.push({ style: String(this.fillStyle), x, y, w, h });
  }
}

const layout: CellLayout = { cellWidth: 4, rowHeight: 10 };

/** The colour of cell (row, dim) of dim-wide RGBA pixels, as #rrggbb, or null when transparent. */
function pixel(px: Uint8ClampedArray, dim: number, row: number, d: number): string | null {
  const p = (row * dim + d) * 4;
  return px[p + 3] === 0 ? null : d3.rgb(px[p], px[p + 1], px[p + 2]).formatHex();
}

/** A fake 2D context that records the image data it is given. */
class PixelRecorder implements PixelContext {
  readonly puts: { image: ImageData; x: number; y: number }[] = [];
  createImageData(width: number, height: number): ImageData {
    return { data: new Uint8ClampedArray(width * height * 4), width, height, colorSpace: 'srgb' } as ImageData;
  }
  putImageData(image: ImageData, x: number, y: number): void {
    this.puts.push({ image, x, y });
  }
}

function luminance(hex: string): number {
  const c = d3.rgb(hex);
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('diverging colours', () => {
  it.each([
    // theme, t, colour
    ['light', 1, '#67001f'], // RdBu reversed: positive = red
    ['light', -1, '#053061'], // negative = blue
    ['light', 0, '#f2efee'],
    ['light', 5, '#67001f'], // clamped
    ['dark', 1, '#ff7b6b'],
    ['dark', -1, '#6cb4f0'],
    ['dark', 0, '#303030'],
    ['dark', NaN, '#303030']
  ] as const)('%s theme, t = %p -> %s', (theme, t, hex) => expect(divergingColor(theme, t)).toBe(hex));

  it.each([
    ['light', '#ffffff'],
    ['dark', '#111111']
  ] as const)('ends stand out and zero recedes on the %s background', (theme, bg) => {
    expect(contrast(divergingColor(theme, 1), bg)).toBeGreaterThan(3);
    expect(contrast(divergingColor(theme, -1), bg)).toBeGreaterThan(3);
    expect(contrast(divergingColor(theme, 0), bg)).toBeLessThan(1.5);
  });

  it('is symmetric: equal magnitudes of either sign are equally far from zero', () => {
    const s = new DivergingScale('light', 2);
    expect(s.domain).toEqual([-2, 2]);
    expect(s.colors).toHaveLength(2 * LEVELS + 1);
    expect(s.level(0)).toBe(LEVELS);
    expect(s.level(2)).toBe(2 * LEVELS);
    expect(s.level(-2)).toBe(0);
    expect(s.level(1) - LEVELS).toBe(LEVELS - s.level(-1));
    expect(s.level(99)).toBe(2 * LEVELS);
  });

  it('an all-zero domain maps everything to the middle', () => {
    const s = new DivergingScale('dark', 0);
    expect(s.domain).toEqual([0, 0]);
    expect(s.color(0)).toBe('#303030');
  });
});

describe('rasterizeRows and paintVectorRows', () => {
  it('gives each cell the colour of its value, one pixel per cell', () => {
    const scale = new DivergingScale('light', 2);
    const px = new Uint8ClampedArray(2 * 4 * 4);
    // 2 rows x 4 dims
    const n = rasterizeRows(px, [-2, 0, 2, 1, 0.5, -0.5, -1, 2], 2, 4, scale);
    expect(n).toBe(8);
    const at = (v: number): string => scale.colors[Math.round((v / 2) * LEVELS) + LEVELS];
    const got = [0, 1].map(r => [0, 1, 2, 3].map(d => pixel(px, 4, r, d)));
    expect(got).toEqual([
      ['#053061', at(0), '#67001f', at(1)],
      [at(0.5), at(-0.5), at(-1), '#67001f']
    ]);
    expect(at(1)).not.toBe(at(-1));
  });

  it('leaves skipped rows and non-finite values transparent', () => {
    const px = new Uint8ClampedArray(3 * 3 * 4);
    const scale = new DivergingScale('dark', 1);
    const n = rasterizeRows(px, [1, NaN, -1, 1, 1, 1, Infinity, 0, 0], 3, 3, scale, r => r === 1);
    expect(n).toBe(4);
    const got = [0, 1, 2].map(r => [0, 1, 2].map(d => pixel(px, 3, r, d)));
    expect(got).toEqual([
      ['#ff7b6b', null, '#6cb4f0'],
      [null, null, null],
      [null, '#303030', '#303030']
    ]);
  });

  it('refuses a pixel buffer that is too small', () => {
    expect(() => rasterizeRows(new Uint8ClampedArray(8), [1, 2, 3], 1, 3, new DivergingScale('light', 1))).toThrow(RangeError);
  });

  it('paints a dim x rows image at the origin', () => {
    const ctx = new PixelRecorder();
    const scale = new DivergingScale('light', 3);
    expect(paintVectorRows(ctx, [3, -3, 0, 1, 2, -1], 2, 3, scale)).toBe(6);
    expect(ctx.puts).toHaveLength(1);
    const { image, x, y } = ctx.puts[0];
    expect([image.width, image.height, x, y]).toEqual([3, 2, 0, 0]);
    expect(pixel(image.data, 3, 0, 0)).toBe('#67001f');
    expect(pixel(image.data, 3, 0, 1)).toBe('#053061');
    expect(paintVectorRows(ctx, [], 0, 3, scale)).toBe(0);
    expect(ctx.puts).toHaveLength(1);
  });
});

describe('cell geometry', () => {
  it.each([
    [0, 0, { row: 0, dim: 0 }],
    [3.9, 9.9, { row: 0, dim: 0 }],
    [4, 10, { row: 1, dim: 1 }],
    [11, 25, { row: 2, dim: 2 }],
    [12, 0, null], // past the last dimension
    [0, 30, null], // past the last row
    [-1, 0, null]
  ])('cellAt(%p, %p)', (x, y, want) => expect(cellAt(x, y, layout, 3, 3)).toEqual(want));

  it.each([
    [1, 8],
    [4, 8],
    [32, 8],
    [64, 4],
    [128, 2],
    [256, 1],
    [1024, 1]
  ])('head dim %p -> %p px per cell', (d, w) => expect(cellWidthFor(d)).toBe(w));
});

describe('legend and numbers', () => {
  it('draws every colour of the scale across the bar', () => {
    const ctx = new Recorder();
    const scale = new DivergingScale('light', 3);
    drawLegend(ctx, 130, 10, scale);
    expect(ctx.rects).toHaveLength(2 * LEVELS + 1);
    expect(ctx.rects[0]).toMatchObject({ style: '#053061', x: 0 });
    expect(ctx.rects[ctx.rects.length - 1].style).toBe('#67001f');
    const last = ctx.rects[ctx.rects.length - 1];
    expect(last.x + last.w).toBe(130);
  });

  it.each([
    [0.1, '0.1'],
    [Math.fround(0.1), '0.1'],
    [-1.2345678901, '-1.234568'],
    [1e-9, '1e-9'],
    [0, '0'],
    [NaN, 'NaN']
  ])('formatExact(%p) = %p', (v, s) => expect(formatExact(v)).toBe(s));

  it.each([
    [0, '0'],
    [-0, '0'],
    [3.14159, '3.14'],
    [-0.0123456, '-0.0123'],
    [1234.5, '1230']
  ])('formatBound(%p) = %p', (v, s) => expect(formatBound(v)).toBe(s));
});
