import { bandHeight, canvasBand, crossesBand, rowsInBand, ViewportInput, visibleRange } from '../render/viewport';

// 512 tokens x 20 px rows in a body 600 px high, 256 px drawn above and below what is visible.
function view(over: Partial<ViewportInput> = {}): ViewportInput {
  return { scrollTop: 0, viewHeight: 600, contentHeight: 512 * 20, overscan: 256, maxHeight: 4096, ...over };
}

describe('bandHeight', () => {
  it('is the visible height plus overscan on both sides', () => {
    expect(bandHeight(view())).toBe(600 + 2 * 256);
  });

  it('is never taller than the rows: small inputs get one canvas over every row, as before', () => {
    expect(bandHeight(view({ contentHeight: 4 * 20, viewHeight: 80 }))).toBe(80);
    expect(bandHeight(view({ contentHeight: 0 }))).toBe(0);
  });

  it('without a layout (height 0) covers the rows up to the cap', () => {
    expect(bandHeight(view({ viewHeight: 0, contentHeight: 300 }))).toBe(300);
    // 2,048 tokens: 40,960 px of rows, over Chromium's 32,767 px canvas limit
    expect(bandHeight(view({ viewHeight: 0, contentHeight: 2048 * 20 }))).toBe(4096);
    expect(bandHeight(view({ viewHeight: 50_000, contentHeight: 2048 * 20 }))).toBe(4096);
  });
});

describe('visibleRange', () => {
  it('is what the body shows, clamped to the rows', () => {
    expect(visibleRange(view({ scrollTop: 1000 }))).toEqual({ top: 1000, bottom: 1600 });
    expect(visibleRange(view({ scrollTop: 99_999 }))).toEqual({ top: 10_240 - 600, bottom: 10_240 });
    expect(visibleRange(view({ scrollTop: -30 }))).toEqual({ top: 0, bottom: 600 });
    expect(visibleRange(view({ scrollTop: 10.7 }))).toEqual({ top: 10, bottom: 610 });
  });
});

describe('canvasBand', () => {
  it('starts at the top of the rows when the body is not scrolled', () => {
    expect(canvasBand(null, view())).toEqual({ top: 0, height: 1112 });
  });

  it('centres the visible rows in the band', () => {
    // visible [5000, 5600): 256 px of spare above and below
    expect(canvasBand(null, view({ scrollTop: 5000 }))).toEqual({ top: 4744, height: 1112 });
  });

  it('stays inside the rows at the bottom', () => {
    expect(canvasBand(null, view({ scrollTop: 10_240 - 600 }))).toEqual({ top: 10_240 - 1112, height: 1112 });
  });

  it('keeps the band (the same object) while it covers what is visible: nothing to redraw', () => {
    const band = canvasBand(null, view({ scrollTop: 5000 }));
    expect(canvasBand(band, view({ scrollTop: 4744 }))).toBe(band);
    expect(canvasBand(band, view({ scrollTop: 5256 }))).toBe(band); // 5256 + 600 = 4744 + 1112
    expect(canvasBand(band, view({ scrollTop: 5257 }))).toEqual({ top: 5001, height: 1112 });
    expect(canvasBand(band, view({ scrollTop: 4743 }))).toEqual({ top: 4487, height: 1112 });
  });

  it('moves when the body is resized or the rows shrink', () => {
    const band = canvasBand(null, view({ scrollTop: 5000 }));
    expect(canvasBand(band, view({ scrollTop: 5000, viewHeight: 400 }))).toEqual({ top: 4744, height: 912 });
    expect(canvasBand(band, view({ scrollTop: 0, contentHeight: 4000 }))).toEqual({ top: 0, height: 1112 });
    expect(canvasBand({ top: 3000, height: 1112 }, view({ scrollTop: 3400, contentHeight: 4000 }))).toEqual({ top: 2888, height: 1112 });
  });

  it('never makes a canvas over the limit, even with 2,048 tokens scrolled anywhere', () => {
    for (const scrollTop of [0, 12_345, 40_000, 41_000]) {
      const band = canvasBand(null, view({ scrollTop, contentHeight: 2048 * 20 }));
      expect(band.height).toBe(1112);
      expect(band.top).toBeGreaterThanOrEqual(0);
      expect(band.top + band.height).toBeLessThanOrEqual(2048 * 20);
    }
    expect(canvasBand(null, view({ scrollTop: 40_000, contentHeight: 2048 * 20 })).top).toBe(40_000 - 256);
    expect(canvasBand(null, view({ scrollTop: 41_000, contentHeight: 2048 * 20 })).top).toBe(40_960 - 1112);
  });
});

describe('rowsInBand', () => {
  it('lists the rows intersecting the band, partial ones included', () => {
    expect(rowsInBand({ top: 4744, height: 1112 }, 20, 512)).toEqual({ first: 237, end: 293 });
    expect(rowsInBand({ top: 0, height: 80 }, 20, 4)).toEqual({ first: 0, end: 4 });
    expect(rowsInBand({ top: 10, height: 20 }, 20, 4)).toEqual({ first: 0, end: 2 });
  });

  it('is empty for a short column the band is below', () => {
    expect(rowsInBand({ top: 4744, height: 1112 }, 20, 10)).toEqual({ first: 10, end: 10 });
  });
});

describe('crossesBand', () => {
  it('keeps segments with an end inside the band', () => {
    expect(crossesBand(150, 5000, 100, 200)).toBe(true);
    expect(crossesBand(5000, 150, 100, 200)).toBe(true);
  });

  it('keeps segments whose ends are on both sides of the band', () => {
    expect(crossesBand(10, 5000, 100, 200)).toBe(true);
    expect(crossesBand(5000, 10, 100, 200)).toBe(true);
  });

  it('drops segments entirely above or below it', () => {
    expect(crossesBand(10, 90, 100, 200)).toBe(false);
    expect(crossesBand(210, 5000, 100, 200)).toBe(false);
  });
});
