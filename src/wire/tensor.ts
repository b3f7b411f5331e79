/**
 * A dense row-major float tensor over a Float32Array.
 *
 * `slice` and `row` never copy: they return views (`subarray`) over the same
 * memory, so taking a layer, a head or a query row of a [L, H, Q, K] attention
 * tensor is O(1). Indices are validated; a bad one throws a RangeError naming
 * the axis, the index received and the valid range.
 */

function checkShape(shape: readonly number[]): void {
  shape.forEach((d, axis) => {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `Tensor: shape[${axis}] must be a non-negative integer, received ${String(d)}`
      );
    }
  });
}

/** Row-major strides of a shape (the last axis has stride 1). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis];
  }
  return strides;
}

/** Number of elements of a shape (1 for the empty shape of a scalar). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly size: number;

  constructor(data: Float32Array, shape: readonly number[]) {
    checkShape(shape);
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new RangeError(
        `Tensor: shape [${shape.join(', ')}] needs ${size} values, received ${data.length}`
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(stridesOf(shape));
    this.size = size;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The value at a full index (one integer per axis). */
  get(...index: number[]): number {
    if (index.length !== this.rank) {
      throw new RangeError(
        `Tensor.get: expected ${this.rank} indices for shape [${this.shape.join(', ')}], received ${index.length}`
      );
    }
    return this.data[this.offset(index, 'get')];
  }

  /**
   * The sub-tensor at the given leading indices, sharing memory:
   * `t.slice(l)` is layer l of [L, H, Q, K], `t.slice(l, h)` one head.
   */
  slice(...leading: number[]): Tensor {
    if (leading.length > this.rank) {
      throw new RangeError(
        `Tensor.slice: at most ${this.rank} indices for shape [${this.shape.join(', ')}], received ${leading.length}`
      );
    }
    const start = this.offset(leading, 'slice');
    const rest = this.shape.slice(leading.length);
    const end = start + sizeOf(rest);
    return new Tensor(this.data.subarray(start, end), rest);
  }

  /** The last-axis row at the given leading indices, sharing memory. */
  row(...index: number[]): Float32Array {
    if (this.rank === 0 || index.length !== this.rank - 1) {
      throw new RangeError(
        `Tensor.row: expected ${Math.max(this.rank - 1, 0)} indices for shape [${this.shape.join(', ')}], received ${index.length}`
      );
    }
    const start = this.offset(index, 'row');
    return this.data.subarray(start, start + this.shape[this.rank - 1]);
  }

  private offset(index: readonly number[], method: string): number {
    let offset = 0;
    index.forEach((i, axis) => {
      const n = this.shape[axis];
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new RangeError(
          `Tensor.${method}: index ${String(i)} on axis ${axis} is outside [0, ${n}) (shape [${this.shape.join(', ')}])`
        );
      }
      offset += i * this.strides[axis];
    });
    return offset;
  }
}

/**
 * One layer's weights as one [queries * keys] row-major array per head slot. A lazy section
 * holds only the heads it has fetched, so consumers index by head and never assume one buffer.
 */
export type LayerWeights = readonly Float32Array[];

/** Views (no copy) of each head of a row-major [heads, queries, keys] layer. */
export function splitLayer(layer: Float32Array, nHeads: number): Float32Array[] {
  const size = layer.length / nHeads;
  return Array.from({ length: nHeads }, (_, h) => layer.subarray(h * size, (h + 1) * size));
}
