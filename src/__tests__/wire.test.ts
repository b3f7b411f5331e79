import { readFileSync } from 'fs';
import { resolve } from 'path';

import { decodeWire, ITEMSIZE, WireDType } from '../wire/codec';
import { WireError } from '../wire/errors';
import { decodeFloat16 } from '../wire/float16';

interface Fixture {
  dtype: string;
  shape: number[];
  buffer_base64: string;
  values: number[];
  source_values: number[];
}

const FIXTURE: Fixture = JSON.parse(
  readFileSync(resolve(__dirname, '../../tests/fixtures/wire_attention_2x3x4x4.json'), 'utf8')
) as Fixture;

/** Independent float16 reference: the IEEE 754 formula, no tables. */
function refHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) {
    return sign * m * 2 ** -24;
  }
  if (e === 31) {
    return m === 0 ? sign * Infinity : NaN;
  }
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** A fresh ArrayBuffer holding `bytes` starting at byte `offset`. */
function placed(bytes: Uint8Array, offset: number): Uint8Array {
  const buffer = new ArrayBuffer(bytes.length + offset + 3);
  const view = new Uint8Array(buffer, offset, bytes.length);
  view.set(bytes);
  return view;
}

function fixtureBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(FIXTURE.buffer_base64, 'base64'));
}

describe('decodeFloat16', () => {
  const cases: [string, number, number][] = [
    ['+0', 0x0000, 0],
    ['-0', 0x8000, -0],
    ['smallest subnormal', 0x0001, 2 ** -24],
    ['negative smallest subnormal', 0x8001, -(2 ** -24)],
    ['largest subnormal', 0x03ff, 1023 * 2 ** -24],
    ['smallest normal', 0x0400, 2 ** -14],
    ['one', 0x3c00, 1],
    ['one third (rounded)', 0x3555, 0.333251953125],
    ['minus two', 0xc000, -2],
    ['largest normal', 0x7bff, 65504],
    ['most negative normal', 0xfbff, -65504],
    ['+infinity', 0x7c00, Infinity],
    ['-infinity', 0xfc00, -Infinity],
    ['quiet NaN', 0x7e00, NaN],
    ['signalling NaN', 0x7c01, NaN],
    ['negative NaN', 0xfe00, NaN]
  ];
  test.each(cases)('%s (0x%s)', (_name, bits, expected) => {
    const [value] = decodeFloat16(new Uint16Array([bits]));
    expect(Object.is(value, expected)).toBe(true);
  });

  test('all 65536 bit patterns match the IEEE formula, NaN payloads kept', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const out = decodeFloat16(bits);
    const words = new Uint32Array(out.buffer);
    for (let h = 0; h < 65536; h++) {
      expect(Object.is(out[h], refHalf(h))).toBe(true);
      if (Number.isNaN(refHalf(h))) {
        const signBit = (h & 0x8000) << 16;
        expect(words[h] >>> 0).toBe((signBit | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0);
      }
    }
  });

  test('writes into a given output and rejects one too short', () => {
    const out = new Float32Array(3).fill(7);
    expect(decodeFloat16(new Uint16Array([0x3c00, 0xc000]), out)).toBe(out);
    expect(Array.from(out)).toEqual([1, -2, 7]);
    expect(() => decodeFloat16(new Uint16Array(4), out)).toThrow(RangeError);
  });
});

describe('decodeWire on the shared fixture', () => {
  const containers: [string, (b: Uint8Array) => unknown][] = [
    ['DataView (as ipywidgets delivers)', b => new DataView(b.buffer, b.byteOffset, b.byteLength)],
    ['ArrayBuffer', b => b.slice().buffer],
    ['Uint8Array', b => b],
    ['Node Buffer', b => Buffer.from(b)],
    ['Uint16Array', b => new Uint16Array(b.slice().buffer)],
    ['unaligned DataView (offset 1)', b => new DataView(placed(b, 1).buffer, 1, b.length)],
    ['unaligned Uint8Array (offset 3)', b => placed(b, 3)]
  ];
  test.each(containers)('%s decodes to exactly `values`', (_name, wrap) => {
    const t = decodeWire(
      { dtype: FIXTURE.dtype, shape: FIXTURE.shape, buffer: wrap(fixtureBytes()) },
      'attention'
    );
    expect(t.shape).toEqual([2, 3, 4, 4]);
    expect(Array.from(t.data)).toEqual(FIXTURE.values);
  });

  test('values are the source values to float16 precision', () => {
    FIXTURE.source_values.forEach((v, i) => {
      expect(Math.abs(FIXTURE.values[i] - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
    });
  });

  test('uses the native Float16Array when the runtime has one', () => {
    const calls: number[] = [];
    class FakeFloat16Array {
      readonly length: number;
      [index: number]: number;
      constructor(buffer: ArrayBufferLike, byteOffset: number, length: number) {
        calls.push(byteOffset % 2);
        const bits = new Uint16Array(buffer, byteOffset, length);
        this.length = length;
        bits.forEach((h, i) => {
          this[i] = refHalf(h);
        });
      }
    }
    const g = globalThis as { Float16Array?: unknown };
    const saved = g.Float16Array;
    g.Float16Array = FakeFloat16Array;
    try {
      const bytes = placed(fixtureBytes(), 1);
      const t = decodeWire({ dtype: 'float16', shape: [2, 3, 4, 4], buffer: bytes });
      expect(Array.from(t.data)).toEqual(FIXTURE.values);
      expect(calls).toEqual([0]); // called once, on an aligned copy
    } finally {
      g.Float16Array = saved;
    }
  });
});

describe('decodeWire dtypes', () => {
  test('float32 is little-endian and zero-copy when aligned', () => {
    const buffer = new ArrayBuffer(12);
    const view = new DataView(buffer);
    [1.5, -0, 3.25].forEach((v, i) => view.setFloat32(4 * i, v, true));
    const t = decodeWire({ dtype: 'float32', shape: [3], buffer: view });
    expect(Array.from(t.data)).toEqual([1.5, -0, 3.25]);
    expect(t.data.buffer).toBe(buffer);
  });

  test('uint8 maps to value / 255', () => {
    const t = decodeWire({ dtype: 'uint8', shape: [1, 3], buffer: new Uint8Array([0, 51, 255]) });
    expect(Array.from(t.data)).toEqual([0, Math.fround(0.2), 1]);
  });

  test('an empty shape dimension needs an empty buffer', () => {
    const t = decodeWire({ dtype: 'float16', shape: [2, 0, 4], buffer: new ArrayBuffer(0) });
    expect(t.size).toBe(0);
  });
});

describe('decodeWire errors', () => {
  const ok = { dtype: 'float16', shape: [2], buffer: new Uint8Array(4) };
  const cases: [string, unknown, RegExp][] = [
    ['not an object (null)', null, /^w: expected an object \{dtype, shape, buffer\}, received null/],
    ['not an object (array)', [1, 2], /^w: expected an object.*received an array of length 2/],
    ['not an object (number)', 3, /^w: expected an object.*received number 3/],
    ['not an object (bytes)', new Uint8Array(2), /^w: expected an object.*received Uint8Array/],
    ['unknown field', { ...ok, strides: [1] }, /^w: unknown field "strides", expected only dtype, shape, buffer/],
    ['missing field', { dtype: 'float16', shape: [2] }, /^w\.buffer: missing/],
    ['wrong dtype', { ...ok, dtype: 'float64' }, /^w\.dtype: expected one of "float16", "float32", "uint8", received "float64"/],
    ['dtype not a string', { ...ok, dtype: 16 }, /^w\.dtype: .*received number 16/],
    ['shape not an array', { ...ok, shape: 2 }, /^w\.shape: expected an array of non-negative integers, received number 2/],
    ['negative shape', { ...ok, shape: [2, -1] }, /^w\.shape\[1\]: expected a non-negative integer, received number -1/],
    ['fractional shape', { ...ok, shape: [1.5] }, /^w\.shape\[0\]: expected a non-negative integer, received number 1\.5/],
    ['string in shape', { ...ok, shape: ['2'] }, /^w\.shape\[0\]: .*received "2"/],
    ['NaN in shape', { ...ok, shape: [NaN] }, /^w\.shape\[0\]: .*received number NaN/],
    ['huge shape', { ...ok, shape: [2 ** 40, 2 ** 40] }, /^w\.shape: .*too many elements/],
    ['byte length too short', { ...ok, buffer: new Uint8Array(3) }, /^w\.buffer: expected 4 bytes \(shape \[2\] of float16, 2 bytes each\), received 3/],
    ['byte length too long', { ...ok, dtype: 'float32', buffer: new Uint8Array(12) }, /^w\.buffer: expected 8 bytes .*received 12/],
    ['buffer a list of numbers', { ...ok, buffer: [0, 0, 0, 0] }, /^w\.buffer: expected bytes .*received an array of length 4/],
    ['buffer a string', { ...ok, buffer: 'AAAA' }, /^w\.buffer: expected bytes .*received "AAAA"/]
  ];
  test.each(cases)('%s', (_name, value, message) => {
    let caught: unknown = null;
    try {
      decodeWire(value, 'w');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WireError);
    expect((caught as WireError).name).toBe('WireError');
    expect((caught as WireError).message).toMatch(message);
  });

  test('the default name is "array"', () => {
    expect(() => decodeWire(null)).toThrow(/^array: /);
  });
});

// ---------------------------------------------------------------------------
// Seeded fuzz: random dtypes, shapes, byte lengths and containers either
// decode to the right values or throw WireError, never anything else.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectedValues(dtype: WireDType, bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / ITEMSIZE[dtype];
  return Array.from({ length: n }, (_, i) => {
    if (dtype === 'float16') {
      return Math.fround(refHalf(view.getUint16(2 * i, true)));
    }
    if (dtype === 'float32') {
      return view.getFloat32(4 * i, true);
    }
    return Math.fround(bytes[i] / 255);
  });
}

test('fuzz: decodes correctly or throws WireError', () => {
  const rand = mulberry32(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const dtypes: unknown[] = ['float16', 'float16', 'float32', 'float32', 'uint8', 'uint8', 'float64', 'int8', 2, null];
  const oddDims: unknown[] = [-1, 0.5, '3', NaN, Infinity, null];
  let decoded = 0;
  let rejected = 0;
  for (let iter = 0; iter < 600; iter++) {
    const dtype = pick(dtypes);
    const rank = Math.floor(rand() * 5);
    const shape: unknown[] = Array.from({ length: rank }, () => (rand() < 0.05 ? pick(oddDims) : Math.floor(rand() * 5)));
    const validShape = shape.every(d => typeof d === 'number' && Number.isInteger(d) && d >= 0);
    const validDType = typeof dtype === 'string' && dtype in ITEMSIZE;
    const itemsize = validDType ? ITEMSIZE[dtype as WireDType] : 1 + Math.floor(rand() * 4);
    const count = validShape ? (shape as number[]).reduce((a, b) => a * b, 1) : Math.floor(rand() * 8);
    const delta = rand() < 0.7 ? 0 : pick([-2, -1, 1, 3]);
    const length = Math.max(0, count * itemsize + delta);
    const bytes = new Uint8Array(length).map(() => Math.floor(rand() * 256));
    const offset = Math.floor(rand() * 4);
    const containers: [boolean, () => unknown][] = [
      [true, () => placed(bytes, offset)],
      [true, () => new DataView(placed(bytes, offset).buffer, offset, length)],
      [true, () => bytes.slice().buffer],
      [true, () => Buffer.from(bytes)],
      [false, () => Array.from(bytes)],
      [false, () => 'bytes']
    ];
    const [validBuffer, make] = rand() < 0.9 ? pick(containers.slice(0, 4)) : pick(containers);
    const value: Record<string, unknown> = { dtype, shape: rand() < 0.03 ? 'x' : shape, buffer: make() };
    const shapeOk = validShape && Array.isArray(value.shape);
    const extra = rand() < 0.03;
    if (extra) {
      value.extra = 1;
    }
    const shouldDecode = validDType && shapeOk && validBuffer && length === count * itemsize && !extra;
    try {
      const t = decodeWire(value, 'fuzz');
      expect(shouldDecode).toBe(true);
      expect(t.shape).toEqual(shape);
      const got = Array.from(t.data);
      const want = expectedValues(dtype as WireDType, bytes);
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(Object.is(v, want[i])).toBe(true));
      decoded++;
    } catch (err) {
      if (!(err instanceof WireError)) {
        throw err;
      }
      expect(shouldDecode).toBe(false);
      rejected++;
    }
  }
  expect(decoded).toBeGreaterThan(100);
  expect(rejected).toBeGreaterThan(100);
});
