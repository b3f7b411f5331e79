/**
 * The wire decoder never throws. decodeSections gets random nested structures, random
 * dtypes, shapes and buffer lengths, near-valid sections with one or more fields broken, and
 * hostile strings; it must return {ok: false, error} (a non-empty string) or {ok: true} with
 * sections that are consistent, never throw and never allocate for a shape the buffer does not hold.
 */
import { decodeSections } from '../data/sections';
import { decodeWire } from '../wire/codec';
import { WireError } from '../wire/errors';

/** mulberry32: a small seeded PRNG, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE: readonly string[] = [
  '',
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=1</script>',
  '"\'`',
  '\u0000\u0001\u001b[31m\u007f',
  '\u200b\u200c\u200d\ufeff',
  '\u202eRTL override\u202c \u05e9\u05dc\u05d5\u05dd',
  '\u{1F600}\u{1F469}\u200d\u{1F4BB}',
  '\ud800',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(10_000)
];

const DTYPES: readonly unknown[] = ['float16', 'float32', 'uint8', 'float64', 'int8', 'FLOAT16', '', null, 16, {}, ['float16']];
const NUMBERS: readonly unknown[] = [0, 1, 2, 3, 4, -1, 0.5, NaN, Infinity, -Infinity, -0, 2 ** 31, 2 ** 53 + 2, 1e308, '2', true, null];
const FIELDS = ['key', 'label', 'attention', 'layers', 'heads', 'query_tokens', 'key_tokens', 'queries', 'keys', 'scale', 'causal'];

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }

  /** Bytes in one of the forms a comm may deliver: ArrayBuffer, DataView (maybe unaligned), typed arrays. */
  buffer(nBytes: number): unknown {
    const n = Math.max(0, nBytes);
    const pad = this.int(4);
    const raw = new ArrayBuffer(n + pad);
    const bytes = new Uint8Array(raw);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = this.int(256);
    }
    switch (this.int(5)) {
      case 0:
        return pad === 0 ? raw : raw.slice(pad);
      case 1:
        return new DataView(raw, pad, n);
      case 2:
        return new Uint8Array(raw, pad, n);
      case 3:
        return n % 2 === 0 && pad % 2 === 0 ? new Uint16Array(raw, pad, n / 2) : new DataView(raw, pad, n);
      default:
        return n % 4 === 0 ? new Float32Array(raw.slice(pad), 0, n / 4) : new Uint8Array(raw, pad, n);
    }
  }

  /** Anything JSON (plus buffers) can carry, nested up to `depth`. */
  value(depth: number): unknown {
    const kind = this.int(depth > 0 ? 9 : 6);
    switch (kind) {
      case 0:
        return this.pick(NUMBERS);
      case 1:
        return this.pick(HOSTILE);
      case 2:
        return this.pick([null, undefined, true, false]);
      case 3:
        return this.buffer(this.int(64));
      case 4:
        return this.pick(DTYPES);
      case 5:
        return this.shape();
      case 6:
        return Array.from({ length: this.int(5) }, () => this.value(depth - 1));
      default: {
        const o: Record<string, unknown> = {};
        const keys = [...FIELDS, 'dtype', 'shape', 'buffer', ...HOSTILE.slice(0, 12)];
        for (let i = this.int(6); i > 0; i--) {
          put(o, this.pick(keys), this.value(depth - 1));
        }
        return o;
      }
    }
  }

  shape(): unknown {
    if (this.chance(0.1)) {
      return this.value(0);
    }
    const rank = this.pick([4, 4, 4, 0, 1, 3, 5]);
    return Array.from({ length: rank }, () => (this.chance(0.9) ? this.int(4) : this.pick(NUMBERS)));
  }

  wire(shape: readonly number[], dtype: string): Record<string, unknown> {
    const item = dtype === 'float32' ? 4 : dtype === 'uint8' ? 1 : 2;
    const n = shape.reduce((a, b) => a * b, 1) * item;
    const w: Record<string, unknown> = { dtype, shape: [...shape], buffer: this.buffer(n) };
    // break it sometimes: dtype, shape, buffer length, missing or extra fields
    const breakage = this.int(40);
    if (breakage === 0) {
      w.dtype = this.pick(DTYPES);
    } else if (breakage === 1) {
      w.shape = this.shape();
    } else if (breakage === 2) {
      w.buffer = this.buffer(n + this.pick([-2, -1, 1, 2, 7]));
    } else if (breakage === 3) {
      delete w[this.pick(['dtype', 'shape', 'buffer'])];
    } else if (breakage === 4) {
      put(w, this.pick(['extra', '__proto__', 'deflate']), this.value(1));
    } else if (breakage === 5) {
      w.buffer = this.value(1);
    }
    return w;
  }

  tokens(n: number): unknown {
    const t: unknown[] = Array.from({ length: n }, () => this.pick(HOSTILE));
    if (this.chance(0.04)) {
      t.push('extra');
    }
    if (this.chance(0.04) && n > 0) {
      t[this.int(n)] = this.value(0);
    }
    return this.chance(0.02) ? this.value(1) : t;
  }

  /** A section that is valid most of the time, with random breakage. */
  section(key: string): Record<string, unknown> {
    const [L, H, Q, K] = [1 + this.int(2), 1 + this.int(3), 1 + this.int(4), 1 + this.int(4)];
    const s: Record<string, unknown> = {
      key,
      label: this.pick(['Attention', ...HOSTILE]),
      attention: this.wire([L, H, Q, K], this.pick(['float16', 'float32', 'uint8'])),
      layers: Array.from({ length: L }, (_, i) => i),
      query_tokens: this.tokens(Q),
      key_tokens: this.tokens(K)
    };
    if (this.chance(0.5)) {
      s.heads = Array.from({ length: H }, (_, i) => i * 2);
    }
    if (this.chance(0.4)) {
      const d = 1 + this.int(3);
      s.queries = this.wire([L, H, Q, d], 'float32');
      s.keys = this.wire([L, H, this.chance(0.9) ? K : K + 1, d], 'float32');
      s.scale = this.pick([0.5, 1, 0.125, null, NaN, '0.5', Infinity]);
      s.causal = this.pick([true, false, true, false, undefined, 'yes', 1]);
    }
    for (let i = this.chance(0.3) ? 1 + this.int(2) : 0; i > 0; i--) {
      const f = this.pick([...FIELDS, 'extra']);
      put(s, f, this.chance(0.5) ? this.value(2) : undefined);
    }
    return s;
  }

  sections(): unknown {
    if (this.chance(0.15)) {
      return this.value(3);
    }
    const keys = ['self', 'encoder', 'decoder', 'cross', ...HOSTILE.slice(0, 4)];
    const offset = this.int(keys.length);
    // distinct keys mostly; a repeated key now and then
    return Array.from({ length: this.int(4) }, (_, i) =>
      this.section(this.chance(0.05) ? this.pick(keys) : keys[(offset + i) % keys.length])
    );
  }
}

/** An own property, as JSON.parse makes it (assigning "__proto__" would set the prototype instead). */
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function product(xs: readonly number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

describe('decodeSections fuzz', () => {
  // FUZZ_ROUNDS / FUZZ_SEED replay or extend a run (e.g. FUZZ_ROUNDS=100000 npx jest robustness-fuzz)
  const ROUNDS = Number(process.env.FUZZ_ROUNDS) || 4000;
  const SEED = Number(process.env.FUZZ_SEED) || 20261122;

  it(`returns ok or a readable error for ${ROUNDS} random inputs, never throws`, () => {
    const g = new Gen(rng(SEED));
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const raw = g.sections();
      let d: ReturnType<typeof decodeSections>;
      try {
        d = decodeSections(raw);
      } catch (err) {
        throw new Error(`round ${i}: decodeSections threw ${String(err)}`);
      }
      expect(d.raw).toBe(raw);
      if (!d.ok) {
        failed++;
        expect(typeof d.error).toBe('string');
        expect(d.error.length).toBeGreaterThan(0);
        continue;
      }
      ok++;
      // what is accepted is consistent: the views index it without further checks
      const seen = new Set<string>();
      for (const s of d.sections) {
        const [L, H, Q, K] = s.shape;
        expect(s.shape).toHaveLength(4);
        expect(s.attention!.data.length).toBe(product(s.shape));
        expect(L * H * Q * K).toBeGreaterThan(0);
        expect(s.layers).toHaveLength(L);
        expect(s.heads).toHaveLength(H);
        expect(s.queryTokens).toHaveLength(Q);
        expect(s.keyTokens).toHaveLength(K);
        expect([...s.queryTokens, ...s.keyTokens].every(t => typeof t === 'string')).toBe(true);
        expect(typeof s.causal).toBe('boolean');
        expect(s.scale === null || Number.isFinite(s.scale)).toBe(true);
        expect((s.queries === null) === (s.keys === null)).toBe(true);
        if (s.queries && s.keys) {
          expect(s.queries.shape.slice(0, 3)).toEqual([L, H, Q]);
          expect(s.keys.shape.slice(0, 3)).toEqual([L, H, K]);
          expect(s.keys.shape[3]).toBe(s.queries.shape[3]);
        }
        expect(seen.has(s.key)).toBe(false);
        seen.add(s.key);
      }
    }
    if (process.env.FUZZ_ROUNDS) {
      console.log(`seed ${SEED}: ${ok} accepted, ${failed} rejected`);
    }
    // both outcomes are exercised
    expect(ok).toBeGreaterThan(ROUNDS / 20);
    expect(failed).toBeGreaterThan(ROUNDS / 4);
  });

  it('rejects a huge shape against a small buffer without allocating for it', () => {
    const big = [65536, 65536, 65536, 65536];
    const d = decodeSections([
      { key: 'self', label: 'A', attention: { dtype: 'float16', shape: big, buffer: new ArrayBuffer(8) }, layers: [0], query_tokens: [], key_tokens: [] }
    ]);
    expect(d.ok).toBe(false);
    expect(d.ok ? '' : d.error).toMatch(/too many elements|expected \d+ bytes/);
  });

  it.each([
    ['a wrong dtype', { dtype: 'float64', shape: [1], buffer: new ArrayBuffer(8) }, /dtype: expected one of/],
    ['a buffer one byte short', { dtype: 'float32', shape: [2], buffer: new ArrayBuffer(7) }, /expected 8 bytes.*received 7/],
    ['an unknown field', { dtype: 'uint8', shape: [1], buffer: new ArrayBuffer(1), deflate: 'x' }, /unknown field "deflate"/],
    ['a negative dimension', { dtype: 'uint8', shape: [-1], buffer: new ArrayBuffer(0) }, /shape\[0\]: expected a non-negative integer/],
    ['a string buffer', { dtype: 'uint8', shape: [1], buffer: '\u0000' }, /expected bytes/],
    ['a JSON list as buffer', { dtype: 'uint8', shape: [1], buffer: [1] }, /expected bytes/]
  ])('decodeWire names %s in a WireError', (_what, value, message) => {
    expect(() => decodeWire(value, 'attention')).toThrow(WireError);
    expect(() => decodeWire(value, 'attention')).toThrow(message);
  });

  it('hostile strings in the error are shortened, never the whole 10 KB', () => {
    const d = decodeSections([{ key: 'self', label: 'A', attention: { dtype: 'x'.repeat(10_000), shape: [1], buffer: new ArrayBuffer(2) } }]);
    expect(d.ok).toBe(false);
    expect(d.ok ? 0 : d.error.length).toBeLessThan(300);
  });
});
