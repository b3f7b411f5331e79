/** Errors of everything the page receives: each names the field, what came and what was expected. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** A short description of a received value for an error message (never the whole value). */
export function describe(x: unknown): string {
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

