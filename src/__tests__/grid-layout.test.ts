/**
 * Issue 16, item 2: the model view's grid fits its box (it was 957 px in a 956 px box: a horizontal
 * scrollbar), and with a head open the two are laid out so that both stay usable.
 */
import { BODY_GAP, gridLayout, gridWidth, PANEL_MIN, thumbnailSize } from '../views/model/dom';

describe('gridLayout', () => {
  // content widths of a notebook output at common window sizes, 12 and 32 heads, gutters 0 and 15 px
  const cases: [number, number, number][] = [];
  for (const width of [500, 700, 956, 1200, 1500]) {
    for (const heads of [4, 12, 32]) {
      for (const gutter of [0, 15]) {
        cases.push([width, heads, gutter]);
      }
    }
  }

  it.each(cases)('closed: at %p px with %p heads (gutter %p) the grid fits unless thumbnails are at their minimum', (width, heads, gutter) => {
    const { size, layout } = gridLayout(width, gutter, heads, false);
    expect(layout).toBe('side');
    if (size > 40) {
      expect(gridWidth(size, heads) + gutter).toBeLessThanOrEqual(width);
      // and fills it: one pixel more per thumbnail would not fit, or the maximum is reached
      expect(size === 96 || gridWidth(size + 1, heads) + gutter > width).toBe(true);
    }
  });

  it.each(cases)('open: at %p px with %p heads (gutter %p) grid and head both fit, side by side or stacked', (width, heads, gutter) => {
    const { size, layout } = gridLayout(width, gutter, heads, true);
    if (layout === 'side') {
      expect(size).toBeGreaterThanOrEqual(40);
      const grid = gridWidth(size, heads) + gutter;
      expect(width - BODY_GAP - grid).toBeGreaterThanOrEqual(PANEL_MIN);
    } else {
      // stacked: the grid has the full width, like a closed grid
      expect(size).toBe(gridLayout(width, gutter, heads, false).size);
    }
  });

  it.each([
    // the case: MiniLM's 12 heads in a 956 px output
    [956, 15, 12, false, { size: 70, layout: 'side' }],
    [956, 15, 12, true, { size: 70, layout: 'stacked' }],
    [1500, 15, 12, true, { size: 58, layout: 'side' }],
    [1500, 0, 4, false, { size: 96, layout: 'side' }]
  ] as const)('%p px, gutter %p, %p heads, open %p -> %j', (width, gutter, heads, open, want) => {
    expect(gridLayout(width, gutter, heads, open)).toEqual(want);
  });

  it('thumbnailSize keeps to its bounds', () => {
    expect(thumbnailSize(100, 32)).toBe(40);
    expect(thumbnailSize(10_000, 2)).toBe(96);
  });
});
