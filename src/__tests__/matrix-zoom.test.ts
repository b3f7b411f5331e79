import { clampSpan, fullWindow, inWindow, isFull, keyStep, MIN_WINDOW, rectWindow, showCell, WHEEL_FACTOR, zoomAt, zoomSpan } from '../analysis/zoom';

describe('zoom maths', () => {
  it.each([
    // a0, a1, n -> a0, a1
    [0, 10, 10, 0, 10],
    [-3, 5, 10, 0, 8],
    [6, 14, 10, 2, 10],
    [5, 6, 10, 4, 8],
    [9, 10, 10, 6, 10],
    [0, 20, 10, 0, 10],
    [3, 1, 10, 0, 4],
    [0, 2, 3, 0, 3],
    [0, 0, 0, 0, 0]
  ])('clampSpan(%p, %p, n=%p) -> [%p, %p)', (a0, a1, n, b0, b1) => {
    expect(clampSpan(a0, a1, n)).toEqual({ a0: b0, a1: b1 });
  });

  it.each([
    // span, n, point, factor -> span
    [[0, 100], 100, 50, WHEEL_FACTOR, [10, 90]],
    [[0, 100], 100, 0, WHEEL_FACTOR, [0, 80]],
    [[0, 100], 100, 100, WHEEL_FACTOR, [20, 100]],
    [[10, 90], 100, 50, 1 / WHEEL_FACTOR, [0, 100]],
    [[0, 100], 100, 50, 1 / WHEEL_FACTOR, [0, 100]],
    [[0, 4], 100, 2, WHEEL_FACTOR, [0, 4]],
    [[0, 5], 100, 2.5, WHEEL_FACTOR, [1, 5]],
    [[0, 4], 100, 2, 1 / WHEEL_FACTOR, [0, 5]],
    [[0, 3], 3, 1, WHEEL_FACTOR, [0, 3]]
  ])('zoomSpan(%p, n=%p, at %p, x%p) -> %p', (s, n, p, f, out) => {
    expect(zoomSpan({ a0: s[0], a1: s[1] }, n, p, f)).toEqual({ a0: out[0], a1: out[1] });
  });

  it('the wheel keeps the cell under the pointer under it', () => {
    let w = fullWindow(512, 256);
    const at = { row: 300.5, col: 40.5 };
    for (let i = 0; i < 12; i++) {
      const before = { fr: (at.row - w.r0) / (w.r1 - w.r0), fc: (at.col - w.c0) / (w.c1 - w.c0) };
      w = zoomAt(w, 512, 256, at.row, at.col, WHEEL_FACTOR);
      expect(at.row).toBeGreaterThanOrEqual(w.r0);
      expect(at.row).toBeLessThan(w.r1);
      expect(Math.abs((at.row - w.r0) / (w.r1 - w.r0) - before.fr)).toBeLessThan(0.2);
      expect(Math.abs((at.col - w.c0) / (w.c1 - w.c0) - before.fc)).toBeLessThan(0.2);
    }
    expect(w.r1 - w.r0).toBeLessThan(512 / 8);
    for (let i = 0; i < 40 && !isFull(w, 512, 256); i++) {
      w = zoomAt(w, 512, 256, at.row, at.col, 1 / WHEEL_FACTOR);
    }
    expect(isFull(w, 512, 256)).toBe(true);
  });

  it.each([
    // rowA, colA, rowB, colB, rows, cols -> window
    [2.5, 3.5, 8.2, 9.9, 20, 20, { r0: 2, r1: 9, c0: 3, c1: 10 }],
    [8.2, 9.9, 2.5, 3.5, 20, 20, { r0: 2, r1: 9, c0: 3, c1: 10 }],
    [5.5, 5.5, 6.5, 6.5, 20, 20, { r0: 4, r1: 8, c0: 4, c1: 8 }],
    [0, 0, 1, 1, 20, 20, { r0: 0, r1: 4, c0: 0, c1: 4 }],
    [18.5, 18.5, 19.5, 19.5, 20, 20, { r0: 16, r1: 20, c0: 16, c1: 20 }],
    [-5, -5, 30, 30, 20, 10, { r0: 0, r1: 20, c0: 0, c1: 10 }],
    [0, 0, 2, 2, 3, 2, { r0: 0, r1: 3, c0: 0, c1: 2 }]
  ])('rectWindow(%p, %p, %p, %p, %p x %p) -> %p', (ra, ca, rb, cb, rows, cols, out) => {
    const w = rectWindow(ra, ca, rb, cb, rows, cols);
    expect(w).toEqual(out);
    expect(w.r1 - w.r0).toBeGreaterThanOrEqual(Math.min(MIN_WINDOW, rows));
  });

  it('moves the window to show a cell, and the keyboard cursor stays in the matrix', () => {
    const w = { r0: 10, r1: 20, c0: 0, c1: 8 };
    expect(showCell(w, 100, 100, 15, 4)).toEqual(w);
    expect(showCell(w, 100, 100, 20, 8)).toEqual({ r0: 11, r1: 21, c0: 1, c1: 9 });
    expect(showCell(w, 100, 100, 3, 0)).toEqual({ r0: 3, r1: 13, c0: 0, c1: 8 });
    expect(keyStep({ row: 0, col: 0 }, 'ArrowUp', 5, 5)).toEqual({ row: 0, col: 0 });
    expect(keyStep({ row: 0, col: 0 }, 'ArrowDown', 5, 5)).toEqual({ row: 1, col: 0 });
    expect(keyStep({ row: 2, col: 4 }, 'ArrowRight', 5, 5)).toEqual({ row: 2, col: 4 });
    expect(keyStep({ row: 2, col: 3 }, 'Home', 5, 5)).toEqual({ row: 2, col: 0 });
    expect(keyStep({ row: 2, col: 3 }, 'End', 5, 5)).toEqual({ row: 2, col: 4 });
    expect(keyStep({ row: 2, col: 3 }, 'a', 5, 5)).toBeNull();
    expect(inWindow({ row: 0, col: 30 }, w)).toEqual({ row: 10, col: 7 });
    expect(inWindow({ row: 12, col: 3 }, w)).toEqual({ row: 12, col: 3 });
  });
});
