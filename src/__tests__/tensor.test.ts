import { Tensor, sizeOf, stridesOf } from '../wire/tensor';

/** A [2, 3, 4] tensor whose value at (a, b, c) is 100a + 10b + c. */
function sample(): Tensor {
  const data = new Float32Array(24);
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 3; b++) {
      for (let c = 0; c < 4; c++) {
        data[a * 12 + b * 4 + c] = 100 * a + 10 * b + c;
      }
    }
  }
  return new Tensor(data, [2, 3, 4]);
}

describe('shape helpers', () => {
  test.each([
    [[], [], 1],
    [[5], [1], 5],
    [[2, 3, 4], [12, 4, 1], 24],
    [[2, 0, 4], [0, 4, 1], 0]
  ])('shape %j has strides %j and size %d', (shape, strides, size) => {
    expect(stridesOf(shape)).toEqual(strides);
    expect(sizeOf(shape)).toBe(size);
  });
});

describe('Tensor', () => {
  test('shape, strides, size, rank', () => {
    const t = sample();
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.strides).toEqual([12, 4, 1]);
    expect(t.size).toBe(24);
    expect(t.rank).toBe(3);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  test.each([
    [[0, 0, 0], 0],
    [[1, 2, 3], 123],
    [[0, 1, 2], 12],
    [[1, 0, 3], 103]
  ])('get(%j) = %d', (index, value) => {
    expect(sample().get(...index)).toBe(value);
  });

  test('slice is a zero-copy view over leading dims', () => {
    const t = sample();
    const layer = t.slice(1);
    expect(layer.shape).toEqual([3, 4]);
    expect(layer.get(2, 1)).toBe(121);
    expect(layer.data.buffer).toBe(t.data.buffer);
    const head = t.slice(1, 2);
    expect(Array.from(head.data)).toEqual([120, 121, 122, 123]);
    head.data[0] = -1;
    expect(t.get(1, 2, 0)).toBe(-1);
    expect(t.slice().shape).toEqual([2, 3, 4]);
    expect(t.slice(0, 1, 2).shape).toEqual([]);
    expect(t.slice(0, 1, 2).get()).toBe(12);
  });

  test('row is a zero-copy view of the last axis', () => {
    const t = sample();
    const row = t.row(1, 1);
    expect(Array.from(row)).toEqual([110, 111, 112, 113]);
    row[3] = 0.5;
    expect(t.get(1, 1, 3)).toBe(0.5);
    expect(t.slice(0).row(2)).toEqual(t.row(0, 2));
  });

  test.each<[string, (t: Tensor) => unknown, RegExp]>([
    ['get: axis 0 too large', t => t.get(2, 0, 0), /index 2 on axis 0 is outside \[0, 2\)/],
    ['get: axis 2 negative', t => t.get(0, 0, -1), /index -1 on axis 2 is outside \[0, 4\)/],
    ['get: fractional', t => t.get(0, 1.5, 0), /index 1.5 on axis 1/],
    ['get: NaN', t => t.get(0, NaN, 0), /index NaN on axis 1/],
    ['get: too few indices', t => t.get(0, 0), /expected 3 indices .* received 2/],
    ['slice: too many indices', t => t.slice(0, 0, 0, 0), /at most 3 indices/],
    ['slice: axis 1 out of range', t => t.slice(0, 3), /Tensor\.slice: index 3 on axis 1 is outside \[0, 3\)/],
    ['row: wrong index count', t => t.row(0), /Tensor\.row: expected 2 indices/],
    ['row: axis 0 out of range', t => t.row(5, 0), /index 5 on axis 0/]
  ])('%s throws RangeError', (_name, call, message) => {
    expect(() => call(sample())).toThrow(RangeError);
    expect(() => call(sample())).toThrow(message);
  });

  test('constructor validates shape and length', () => {
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(/needs 6 values, received 5/);
    expect(() => new Tensor(new Float32Array(0), [-1])).toThrow(/shape\[0\] must be a non-negative integer/);
    expect(() => new Tensor(new Float32Array(1), []).row()).toThrow(RangeError);
  });
});
