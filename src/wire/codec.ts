/**
 * Wire format: `{dtype, shape, buffer}` (DESIGN section 4) -> Tensor.
 *
 * Buffers are little-endian. Everything received is validated and any problem
 * throws a WireError naming the field, what was received and what was expected.
 * float16 uses the native Float16Array when the runtime has one, otherwise a
 * table-driven decoder (Node 20 and older browsers have no Float16Array).
 */
import { Tensor, sizeOf } from './tensor';

export type WireDType = 'float16' | 'float32' | 'uint8';

export interface WireArray {
  dtype: WireDType;
  shape: number[];
  buffer: DataView | ArrayBuffer | ArrayBufferView;
}

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** Bytes per element of each dtype. */
export const ITEMSIZE: Readonly<Record<WireDType, number>> = Object.freeze({
  float16: 2,
  float32: 4,
  uint8: 1
});

const FIELDS: readonly string[] = ['dtype', 'shape', 'buffer'];

// ---------------------------------------------------------------------------
// float16 -> float32, table-driven (J. van der Zijp, "Fast Half Float
// Conversions", 2008). The float32 bit pattern of a half h is
//   MANTISSA[OFFSET[h >> 10] + (h & 0x3ff)] + EXPONENT[h >> 10]
// which is exact for zeros, subnormals, normals, infinities and NaNs.

interface HalfTables {
  mantissa: Uint32Array; // 2048
  exponent: Uint32Array; // 64
  offset: Uint16Array; // 64
}

function subnormalMantissa(i: number): number {
  // Normalise the subnormal mantissa i (1..1023) into a float32 pattern.
  let m = i << 13;
  let e = 0;
  while ((m & 0x00800000) === 0) {
    e -= 0x00800000;
    m <<= 1;
  }
  m &= ~0x00800000;
  e += 0x38800000;
  return (m | e) >>> 0;
}

function buildTables(): HalfTables {
  const mantissa = new Uint32Array(2048);
  for (let i = 1; i < 1024; i++) {
    mantissa[i] = subnormalMantissa(i);
  }
  for (let i = 1024; i < 2048; i++) {
    mantissa[i] = 0x38000000 + ((i - 1024) << 13);
  }
  const exponent = new Uint32Array(64);
  for (let i = 1; i < 31; i++) {
    exponent[i] = i << 23;
  }
  exponent[31] = 0x47800000;
  exponent[32] = 0x80000000;
  for (let i = 33; i < 63; i++) {
    exponent[i] = 0x80000000 + ((i - 32) << 23);
  }
  exponent[63] = 0xc7800000;
  const offset = new Uint16Array(64).fill(1024);
  offset[0] = 0;
  offset[32] = 0;
  return { mantissa, exponent, offset };
}

let tables: HalfTables | null = null;

/** Decode float16 bit patterns into float32 values (exact), into `out` if given. */
export function decodeFloat16(bits: Uint16Array, out?: Float32Array): Float32Array {
  const n = bits.length;
  const target = out ?? new Float32Array(n);
  if (target.length < n) {
    throw new RangeError(
      `decodeFloat16: out has ${target.length} elements, needs at least ${n}`
    );
  }
  const { mantissa, exponent, offset } = (tables ??= buildTables());
  const words = new Uint32Array(target.buffer, target.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const h = bits[i];
    const e = h >> 10;
    words[i] = mantissa[offset[e] + (h & 0x3ff)] + exponent[e];
  }
  return target;
}

// ---------------------------------------------------------------------------
// Byte access.

interface Float16ArrayLike {
  readonly length: number;
  [index: number]: number;
}
type Float16ArrayCtor = new (
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number
) => Float16ArrayLike;

/** The runtime's Float16Array constructor, if it has one. */
function nativeFloat16(): Float16ArrayCtor | undefined {
  const ctor = (globalThis as { Float16Array?: unknown }).Float16Array;
  return typeof ctor === 'function' ? (ctor as Float16ArrayCtor) : undefined;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isArrayBuffer(x: unknown): x is ArrayBufferLike {
  // Tag check rather than instanceof: buffers may come from another realm.
  const tag = Object.prototype.toString.call(x);
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]';
}

function describe(x: unknown): string {
  if (x === null) {
    return 'null';
  }
  if (Array.isArray(x)) {
    return `an array of length ${x.length}`;
  }
  if (typeof x === 'string') {
    return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  }
  if (typeof x === 'object') {
    return Object.prototype.toString.call(x).slice(8, -1);
  }
  return `${typeof x} ${String(x)}`;
}

/** View any accepted buffer as bytes (no copy). */
function asBytes(buffer: unknown, field: string): Uint8Array {
  if (ArrayBuffer.isView(buffer)) {
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  if (isArrayBuffer(buffer)) {
    return new Uint8Array(buffer);
  }
  throw new WireError(
    `${field}: expected bytes (ArrayBuffer, DataView or typed array), received ${describe(buffer)}`
  );
}

/** Bytes whose offset is a multiple of `align` (copied only when it is not). */
function aligned(bytes: Uint8Array, align: number): Uint8Array {
  return bytes.byteOffset % align === 0 ? bytes : bytes.slice();
}

function readFloat16(bytes: Uint8Array, n: number): Float32Array {
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bits = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      bits[i] = view.getUint16(2 * i, true);
    }
    return decodeFloat16(bits);
  }
  const src = aligned(bytes, 2);
  const Native = nativeFloat16();
  if (Native) {
    const halves = new Native(src.buffer, src.byteOffset, n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = halves[i];
    }
    return out;
  }
  return decodeFloat16(new Uint16Array(src.buffer, src.byteOffset, n));
}

function readFloat32(bytes: Uint8Array, n: number): Float32Array {
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = view.getFloat32(4 * i, true);
    }
    return out;
  }
  const src = aligned(bytes, 4);
  return new Float32Array(src.buffer, src.byteOffset, n); // zero-copy when aligned
}

function readUint8(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = bytes[i] / 255;
  }
  return out;
}

const READERS: Readonly<Record<WireDType, (bytes: Uint8Array, n: number) => Float32Array>> = {
  float16: readFloat16,
  float32: readFloat32,
  uint8: readUint8
};

// ---------------------------------------------------------------------------
// Validation.

function isDType(x: unknown): x is WireDType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ITEMSIZE, x);
}

function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new WireError(
      `${name}: expected an object {dtype, shape, buffer}, received ${describe(value)}`
    );
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!FIELDS.includes(key)) {
      throw new WireError(
        `${name}: unknown field ${JSON.stringify(key)}, expected only ${FIELDS.join(', ')}`
      );
    }
  }
  for (const key of FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) {
      throw new WireError(`${name}.${key}: missing, expected ${FIELDS.join(', ')}`);
    }
  }
  return record;
}

function checkDType(dtype: unknown, name: string): WireDType {
  if (!isDType(dtype)) {
    const known = Object.keys(ITEMSIZE).map(k => JSON.stringify(k)).join(', ');
    throw new WireError(`${name}.dtype: expected one of ${known}, received ${describe(dtype)}`);
  }
  return dtype;
}

function checkShape(shape: unknown, name: string): number[] {
  if (!Array.isArray(shape)) {
    throw new WireError(
      `${name}.shape: expected an array of non-negative integers, received ${describe(shape)}`
    );
  }
  shape.forEach((d: unknown, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new WireError(
        `${name}.shape[${i}]: expected a non-negative integer, received ${describe(d)}`
      );
    }
  });
  const dims = shape as number[];
  if (!Number.isSafeInteger(sizeOf(dims))) {
    throw new WireError(`${name}.shape: [${dims.join(', ')}] has too many elements`);
  }
  return [...dims];
}

/** Validate a wire value and decode it into a Tensor of float32 values. */
export function decodeWire(value: unknown, name = 'array'): Tensor {
  const record = checkObject(value, name);
  const dtype = checkDType(record.dtype, name);
  const shape = checkShape(record.shape, name);
  const bytes = asBytes(record.buffer, `${name}.buffer`);
  const n = sizeOf(shape);
  const expected = n * ITEMSIZE[dtype];
  if (bytes.byteLength !== expected) {
    throw new WireError(
      `${name}.buffer: expected ${expected} bytes (shape [${shape.join(', ')}] of ${dtype}, ` +
        `${ITEMSIZE[dtype]} bytes each), received ${bytes.byteLength}`
    );
  }
  return new Tensor(READERS[dtype](bytes, n), shape);
}
