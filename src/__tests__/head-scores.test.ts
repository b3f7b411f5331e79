/**
 * Score tables in the page: decoded with a section or arriving in the kernel's stats message (eager
 * sections: scores only; lazy: with the statistics), progress messages before them, saved with the
 * wire form, malformed ones rejected with the field named.
 */
import { applyStats } from '../data/stats';
import { decodeSections, DecodedSections } from '../data/sections';
import { alikeHeads, decodeHeadScores, headLabelsOf, scoreValue } from '../wire/head-scores';
import { Tensor } from '../wire/tensor';
import { f32View, lazySection } from './fixtures/lazy';
import { SCORE_NAMES, scoresWire, scoreValues } from './fixtures/scores';

const value = (l: number, h: number, n: number): number => (n === 1 ? (l * 2 + h) / 4 : l + h / 10 + n);

function eagerWire(over: Record<string, unknown> = {}): Record<string, unknown> {
  const n = 3;
  const data = Array.from({ length: 2 * 2 * n * n }, () => 1 / n);
  return {
    key: 'self', label: 'Attention', layers: [0, 1], heads: [0, 1], query_tokens: ['a', 'b', 'c'], key_tokens: ['a', 'b', 'c'],
    attention: { dtype: 'float32', shape: [2, 2, n, n], buffer: f32View(data) }, ...over
  };
}

function decoded(raw: Record<string, unknown>[]): DecodedSections & { ok: true } {
  const d = decodeSections(raw);
  if (!d.ok) {
    throw new Error(d.error);
  }
  return d;
}

describe('decodeHeadScores', () => {
  it('reads names, values, labels and rules; a score it lacks is NaN', () => {
    const s = decodeHeadScores(scoresWire(2, 2, value), 'x.scores', [2, 2, 3, 3])!;
    expect(s.names).toEqual(SCORE_NAMES);
    expect(scoreValue(s, 'induction', 1, 1)).toBeCloseTo(0.75, 6);
    expect(scoreValue(s, 'previous', 1, 0)).toBeCloseTo(3, 6);
    expect(scoreValue(s, 'sink', 0, 0)).toBeNaN();
    expect(headLabelsOf(s, 1, 0).map(l => l.label)).toEqual(['induction']);
    expect(headLabelsOf(s, 0, 0)).toEqual([]);
    expect(s.rules[0].threshold).toBe(0.4);
    expect(decodeHeadScores(undefined, 'x', [2, 2, 3, 3])).toBeNull();
    expect(s.similarity).toBeNull();
    const sim = { order: [[1, 0], [0, 1]], redundant: [[1, 0, 1, 0.93]], collapsed: [1], threshold: 0.9, measure: '1 - JSD' };
    const t = decodeHeadScores({ ...scoresWire(2, 2, value), similarity: sim }, 'x', [2, 2, 3, 3])!;
    expect(t.similarity!.order[0]).toEqual([1, 0]);
    expect(alikeHeads(t, 1, 1)).toEqual([[0, 0.93]]);
    expect(alikeHeads(t, 0, 1)).toEqual([]);
  });

  it.each([
    [{ names: [] }, /names must be a non-empty list/],
    [{ values: { dtype: 'float32', shape: [2, 3, 3], buffer: f32View(new Array(18).fill(0)) } }, /values must be \[2, 2, 3\], received \[2, 3, 3\]/],
    [{ labels: [[[], []]] }, /labels must be \[2\]\[2\] lists/],
    [{ rules: [{ label: 'x' }] }, /rules must be a list of/],
    [{ similarity: { order: [[0, 0], [1, 0]], redundant: [], collapsed: [], threshold: 0.9, measure: 'x' } }, /similarity must be \{order: \[2\] orders of the 2 head slots/],
    [{ similarity: { order: [[0, 1], [1, 0]], redundant: [[0, 0, 5, 1]], collapsed: [], threshold: 0.9, measure: 'x' } }, /similarity must be/]
  ])('rejects a malformed table %#, naming the field', (over, error) => {
    expect(() => decodeHeadScores({ ...scoresWire(2, 2, value), ...over }, 'sections[0].scores', [2, 2, 3, 3])).toThrow(error);
  });

  it('a section of the state may carry its table (a saved widget, a comparison)', () => {
    const d = decoded([eagerWire({ scores: scoresWire(2, 2, value) })]);
    expect(scoreValue(d.sections[0].scores!, 'induction', 0, 1)).toBeCloseTo(0.25, 6);
  });
});

describe('scores in messages', () => {
  const scoresMessage = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'stats', section: 'self', scores: scoresWire(2, 2, value, 0), ...over });

  it('progress, then the scores of an eager section; the saved form carries them', () => {
    const d = decoded([eagerWire()]);
    const sec = d.sections[0];
    expect(sec.scores).toBeNull();
    expect(applyStats(d, { type: 'progress', section: 'self', task: 'scores', done: 1, total: 4 }, [])).toBe('self');
    expect(sec.scoresProgress).toEqual({ done: 1, total: 4 });
    expect(applyStats(d, scoresMessage(), [f32View(scoreValues(2, 2, value))])).toBe('self');
    expect(sec.scoresProgress).toBeNull();
    expect(scoreValue(sec.scores!, 'induction', 1, 0)).toBeCloseTo(0.5, 6);
    const again = decoded(d.raw as Record<string, unknown>[]);
    expect(Array.from(again.sections[0].scores!.values.data)).toEqual(Array.from(sec.scores!.values.data));
    expect(again.sections[0].scores!.labels).toEqual(sec.scores!.labels);
  });

  it('a lazy section gets statistics and scores in one message (buffers 0 and 1)', () => {
    const base = lazySection();
    const names = ['entropy', 'max', 'first', 'previous', 'distance'];
    const d = decoded([{ ...base, summary: { ...(base.summary as Record<string, unknown>), stats: null, stat_names: names } }]);
    const msg = { type: 'stats', section: 'self', stat_names: names, stats: { dtype: 'float32', shape: [2, 2, 5], buffer: 0 }, scores: scoresWire(2, 2, value, 1) };
    expect(applyStats(d, msg, [f32View(new Array(20).fill(0.5)), f32View(scoreValues(2, 2, value))])).toBe('self');
    const sec = d.sections[0];
    expect(sec.summary!.stats!.get(1, 1, 4)).toBe(0.5);
    expect(scoreValue(sec.scores!, 'previous', 0, 1)).toBeCloseTo(2.1, 5);
  });

  it.each([
    [{ type: 'progress', section: 'self', task: 'scores', done: 5, total: 4 }, /0 <= done <= total/],
    [{ type: 'progress', section: 'nope', task: 'scores', done: 0, total: 4 }, /no section "nope"/],
    [{ type: 'stats', section: 'self' }, /neither stats nor scores/],
    [{ type: 'stats', section: 'self', scores: scoresWire(2, 2, value, 3) }, /scores.values.buffer must be the index/],
    [{ type: 'stats', section: 'self', stat_names: ['entropy'], stats: { dtype: 'float32', shape: [2, 2, 1], buffer: 0 } }, /is not lazy/]
  ])('rejects a malformed message %#, leaving the section as it was', (msg, error) => {
    const d = decoded([eagerWire()]);
    expect(() => applyStats(d, msg, [f32View(scoreValues(2, 2, value))])).toThrow(error);
    expect(d.sections[0].scores).toBeNull();
    expect(d.sections[0].scoresProgress).toBeNull();
  });

  it('values are what the buffer holds, float32', () => {
    const t = new Tensor(Float32Array.from(scoreValues(2, 2, value)), [2, 2, 3]);
    const d = decoded([eagerWire()]);
    applyStats(d, scoresMessage(), [f32View(scoreValues(2, 2, value))]);
    expect(Array.from(d.sections[0].scores!.values.data)).toEqual(Array.from(t.data));
  });
});
