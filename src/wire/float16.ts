/**
 * float16 -> float32. The native Float16Array when the runtime has one, otherwise a table-driven
 * decoder (Node 20 and older browsers have no Float16Array).
 */
import { aligned, LITTLE_ENDIAN } from './bytes';

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

/** `n` little-endian float16 values of `bytes` as float32. */
export function readFloat16(bytes: Uint8Array, n: number): Float32Array {
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
