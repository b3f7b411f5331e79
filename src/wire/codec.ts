/**
 * Wire format: `{dtype, shape, buffer}` -> Tensor.
 *
 * Buffers are little-endian. Everything received is validated and any problem
 * throws a WireError naming the field, what was received and what was expected.
 */
import { aligned, asBytes, LITTLE_ENDIAN } from './bytes';
import { describe, WireError } from './errors';
import { readFloat16 } from './float16';
import { Tensor, sizeOf } from './tensor';

export type WireDType = 'float16' | 'float32' | 'uint8';

export interface WireArray {
  dtype: WireDType;
  shape: number[];
  buffer: DataView | ArrayBuffer | ArrayBufferView;
}

/** Bytes per element of each dtype. */
export const ITEMSIZE: Readonly<Record<WireDType, number>> = Object.freeze({
  float16: 2,
  float32: 4,
  uint8: 1
});

const FIELDS: readonly string[] = ['dtype', 'shape', 'buffer'];

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
