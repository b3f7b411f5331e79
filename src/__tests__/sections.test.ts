import { decodeSections } from '../data/sections';

function f16ones(n: number): DataView {
  const u = new Uint16Array(n).fill(0x3c00); // 1.0
  return new DataView(u.buffer);
}

function section(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key: 'self',
    label: 'Attention',
    attention: { dtype: 'float16', shape: [1, 2, 2, 2], buffer: f16ones(8) },
    layers: [3],
    query_tokens: ['a', 'b'],
    key_tokens: ['a', 'b'],
    ...over
  };
}

describe('decodeSections', () => {
  it('decodes query/key vectors, real head ids, scale and causality', () => {
    const f32 = (n: number): DataView => new DataView(new Float32Array(n).fill(0.5).buffer);
    const d = decodeSections([
      section({
        heads: [4, 9],
        queries: { dtype: 'float32', shape: [1, 2, 2, 3], buffer: f32(12) },
        keys: { dtype: 'float32', shape: [1, 2, 2, 3], buffer: f32(12) },
        scale: 0.5,
        causal: true
      })
    ]);
    if (!d.ok) {
      throw new Error(d.error);
    }
    const s = d.sections[0];
    expect(s.heads).toEqual([4, 9]);
    expect(s.queries!.shape).toEqual([1, 2, 2, 3]);
    expect(s.keys!.get(0, 1, 1, 2)).toBe(0.5);
    expect([s.scale, s.causal]).toEqual([0.5, true]);
  });

  it('decodes tensors and keeps the raw value for saving', () => {
    const raw = [section()];
    const d = decodeSections(raw);
    if (!d.ok) {
      throw new Error(d.error);
    }
    expect(d.raw).toBe(raw);
    expect(d.sections[0].shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(d.sections[0].attention!.data)).toEqual(new Array(8).fill(1));
    expect(d.sections[0].layers).toEqual([3]);
    expect(d.sections[0].heads).toEqual([0, 1]);
    expect(d.sections[0].queries).toBeNull();
    expect(d.sections[0].causal).toBe(false);
  });

  it.each([
    [[], /non-empty list/],
    [[section({ query_tokens: ['a'] })], /query_tokens has 1 tokens but the attention has 2/],
    [[section({ layers: [0, 1] })], /layers must list 1/],
    [[section({ heads: [7] })], /heads must list 2 non-negative/],
    [[section({ queries: { dtype: 'float32', shape: [1, 2, 2, 1], buffer: new DataView(new ArrayBuffer(16)) } })], /not both/],
    [
      [
        section({
          queries: { dtype: 'float32', shape: [1, 2, 2, 1], buffer: new DataView(new ArrayBuffer(16)) },
          keys: { dtype: 'float32', shape: [1, 2, 3, 1], buffer: new DataView(new ArrayBuffer(24)) }
        })
      ],
      /must be \[1, 2, 2, d\] and \[1, 2, 2, d\]/
    ],
    [[section({ causal: 'yes' })], /causal must be true or false/],
    [[section({ same_positions: 1 })], /same_positions must be true or false/],
    [[section({ attention: { dtype: 'float16', shape: [2, 2, 2], buffer: f16ones(8) } })], /4 axes/],
    [[section({ attention: { dtype: 'float16', shape: [1, 2, 2, 2], buffer: f16ones(7) } })], /sections\[0\]\.attention/],
    [[section({ extra: 1 })], /unknown field\(s\) extra/],
    [[section(), section()], /duplicate keys/],
    [[section({ key_tokens: ['a', 2] })], /list of strings/]
  ])('rejects malformed input %#', (raw, message) => {
    const d = decodeSections(raw);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error).toMatch(message);
    }
  });

  it.each([
    ['the same tokens on both sides', {}, true],
    ['other key tokens', { key: 'cross', label: 'Cross', key_tokens: ['x', 'y'] }, false],
    ['the same tokens, but the kernel says they are other positions', { key: 'cross', same_positions: false }, false],
    ['other tokens, but the kernel says they are the same positions', { key: 'rollout', key_tokens: ['x', 'y'], same_positions: true }, true]
  ])('knows whether queries and keys are the same positions from the fields: %s', (_name, over, same) => {
    const d = decodeSections([section(over)]);
    if (!d.ok) {
      throw new Error(d.error);
    }
    expect(d.sections[0].samePositions).toBe(same);
  });
});
