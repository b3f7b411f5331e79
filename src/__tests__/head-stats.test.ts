/**
 * Head statistics of lazy sections in the page: arriving after the widget (the kernel's "stats"
 * message), kept in the saved wire form, rejected when malformed, and shown in the model view's
 * thumbnail tooltip.
 */
import { headStatsText } from '../analysis/head-stats';
import { Tensor } from '../wire/tensor';
import { applyStats } from '../data/stats';
import { decodeSections, DecodedSections } from '../data/sections';
import { f32View, lazySection } from './fixtures/lazy';

const NAMES = ['entropy', 'max', 'first', 'previous', 'distance'];

/** A lazy section [2 layers, 2 heads, 4, 4] whose summary has the five names and no statistics yet. */
function pending(key = 'self'): Record<string, unknown> {
  const base = lazySection();
  return { ...base, key, summary: { ...(base.summary as Record<string, unknown>), stats: null, stat_names: NAMES } };
}

/** stats[l][h][s] = 10 l + h + s / 10 */
const VALUES = Array.from({ length: 2 * 2 * 5 }, (_, i) => 10 * Math.floor(i / 10) + (Math.floor(i / 5) % 2) + (i % 5) / 10);

function message(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'stats', section: 'self', stat_names: NAMES, stats: { dtype: 'float32', shape: [2, 2, 5], buffer: 0 }, ...over };
}

function decoded(raw: Record<string, unknown>[]): DecodedSections & { ok: true } {
  const d = decodeSections(raw);
  if (!d.ok) {
    throw new Error(d.error);
  }
  return d;
}

describe('headStatsText', () => {
  const stats = new Tensor(Float32Array.from([2.3456, 0.41234, 0.1, 0.05, 7.25]), [1, 1, 5]);

  it('writes each statistic with its unit, in the order the kernel names them', () => {
    expect(headStatsText(stats, NAMES, 0, 0, true)).toBe(
      'entropy 2.35 nats \u00b7 max weight 0.412 \u00b7 on first token 0.100 \u00b7 on previous token 0.050 \u00b7 mean distance 7.3 tokens'
    );
  });

  it('leaves out the positional ones for cross-attention, and says nothing before they arrive', () => {
    expect(headStatsText(stats, NAMES, 0, 0, false)).toBe('entropy 2.35 nats \u00b7 max weight 0.412 \u00b7 on first token 0.100');
    expect(headStatsText(null, NAMES, 0, 0, true)).toBe('');
  });

  it('shows a name it does not know as it is', () => {
    const t = new Tensor(Float32Array.from([0.5]), [1, 1, 1]);
    expect(headStatsText(t, ['induction'], 0, 0, true)).toBe('induction 0.500');
  });
});

describe('stats messages', () => {
  it('a section may arrive without statistics; the message fills them in, for views and for saving', () => {
    const d = decoded([pending()]);
    const sec = d.sections[0];
    expect(sec.summary!.stats).toBeNull();
    expect(applyStats(d, message(), [f32View(VALUES)])).toBe('self');
    expect(sec.summary!.stats!.get(1, 0, 4)).toBeCloseTo(10.4, 5);
    expect(sec.summary!.stats!.get(0, 1, 2)).toBeCloseTo(1.2, 5);
    // the wire form that saved widget state is made from now carries them: decoding it again gives the same
    const again = decoded(d.raw as Record<string, unknown>[]);
    expect(Array.from(again.sections[0].summary!.stats!.data)).toEqual(Array.from(sec.summary!.stats!.data));
  });

  it('ignores messages that are not statistics (slices go to the slice store)', () => {
    const d = decoded([pending()]);
    expect(applyStats(d, { type: 'slice', id: 1 }, [])).toBeNull();
    expect(applyStats(d, 'stats', [])).toBeNull();
    expect(d.sections[0].summary!.stats).toBeNull();
  });

  it.each([
    [message({ section: 'cross' }), /no section "cross"/],
    [message({ stats: { dtype: 'float32', shape: [2, 2, 5], buffer: 3 } }), /must be the index of a binary buffer/],
    [message({ stats: { dtype: 'float32', shape: [2, 2, 4], buffer: 0 } }), /expected 64 bytes/],
    [message({ stats: { dtype: 'float32', shape: [2, 2, 5, 1], buffer: 0 } }), /stats.stats must be \[2, 2, S\]/],
    [message({ stat_names: ['entropy'] }), /stat_names must be/],
    [message({ stats: { dtype: 'int64', shape: [2, 2, 5], buffer: 0 } }), /dtype/]
  ])('rejects a malformed stats message %#, leaving the section as it was', (msg, error) => {
    const d = decoded([pending()]);
    expect(() => applyStats(d, msg, [f32View(VALUES)])).toThrow(error);
    expect(d.sections[0].summary!.stats).toBeNull();
  });

  it('rejects a buffer whose length does not match the shape', () => {
    const d = decoded([pending()]);
    expect(() => applyStats(d, message(), [f32View(VALUES.slice(1))])).toThrow(/buffer/);
  });

  it('a section whose state already has statistics decodes them (saved notebooks, HTML export)', () => {
    const base = pending();
    const summary = { ...(base.summary as Record<string, unknown>), stats: { dtype: 'float32', shape: [2, 2, 5], buffer: f32View(VALUES) } };
    const d = decoded([{ ...base, summary }]);
    expect(d.sections[0].summary!.stats!.get(1, 1, 1)).toBeCloseTo(11.1, 5);
  });
});
