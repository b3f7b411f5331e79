/** Byte access for decoders: every accepted buffer kind as bytes, aligned copies only when needed. */
import { describe, WireError } from './errors';

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isArrayBuffer(x: unknown): x is ArrayBufferLike {
  // Tag check rather than instanceof: buffers may come from another realm.
  const tag = Object.prototype.toString.call(x);
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]';
}

/** View any accepted buffer as bytes (no copy). */
export function asBytes(buffer: unknown, field: string): Uint8Array {
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
export function aligned(bytes: Uint8Array, align: number): Uint8Array {
  return bytes.byteOffset % align === 0 ? bytes : bytes.slice();
}
