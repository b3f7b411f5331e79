import { decodeSections } from '../data/sections';
import { decodeViewOptions } from '../wire/view-options';

function f16ones(n: number): DataView {
  return new DataView(new Uint16Array(n).fill(0x3c00).buffer);
}

/** An eager [1, 1, 3, 3] section ("play ##ing now"), plus `over`. */
function section(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key: 'rollout',
    label: 'Rollout',
    attention: { dtype: 'float16', shape: [1, 1, 3, 3], buffer: f16ones(9) },
    layers: [0],
    heads: [0],
    query_tokens: ['play', '##ing', 'now'],
    key_tokens: ['play', '##ing', 'now'],
    ...over
  };
}

const WORDS = { query: [0, 0, 1], key: [0, 0, 1], query_labels: ['playing', 'now'], key_labels: ['playing', 'now'] };

function decodeOne(over: Record<string, unknown>) {
  const d = decodeSections([section(over)]);
  if (!d.ok) {
    throw new Error(d.error);
  }
  return d.sections[0];
}

function errorOf(over: Record<string, unknown>): string {
  const d = decodeSections([section(over)]);
  return d.ok ? '' : d.error;
}

describe('optional section fields', () => {
  it('are absent for attention from the model', () => {
    const s = decodeOne({});
    expect([s.derived, s.derivedFrom, s.headLabels, s.words, s.params, s.generation]).toEqual([null, null, null, null, {}, null]);
  });

  it('decode the generated positions of a generation', () => {
    expect(decodeOne({ generation: { prompt_length: 1, generated: [1, 2] } }).generation).toEqual({
      promptLength: 1,
      generated: [1, 2]
    });
    expect(decodeOne({ generation: { prompt_length: 3, generated: [] } }).generation).toEqual({ promptLength: 3, generated: [] });
  });

  it('decode a rollout section with its parameters, head label and words', () => {
    const s = decodeOne({
      derived: 'rollout',
      derived_from: 'self',
      params: { residual: 0.5, head_fusion: 'mean', discard_ratio: 0 },
      head_labels: ['rollout'],
      words: WORDS
    });
    expect(s.derived).toBe('rollout');
    expect(s.derivedFrom).toBe('self');
    expect(s.params).toEqual({ residual: 0.5, head_fusion: 'mean', discard_ratio: 0 });
    expect(s.headLabels).toEqual(['rollout']);
    expect(s.words).toEqual({ query: [0, 0, 1], key: [0, 0, 1], queryLabels: ['playing', 'now'], keyLabels: ['playing', 'now'] });
  });

  it.each([
    ['derived not a string', { derived: 3 }, 'derived must be a non-empty string'],
    ['head labels of the wrong length', { head_labels: ['a', 'b'] }, 'head_labels must list 1 strings'],
    ['a parameter that is an object', { params: { residual: {} } }, 'params.residual must be a number or a string'],
    ['words that skip an index', { words: { ...WORDS, query: [0, 2, 2] } }, 'words.query must start at 0'],
    ['words that do not start at 0', { words: { ...WORDS, key: [1, 1, 2] } }, 'words.key must start at 0'],
    ['words of the wrong length', { words: { ...WORDS, key: [0, 1] } }, 'words.key must list one word index per token (3)'],
    ['one label too few', { words: { ...WORDS, query_labels: ['playing'] } }, 'words.query_labels must list 2 strings'],
    ['words not an object', { words: [0, 1] }, 'words must be an object'],
    ['a generation that is a list', { generation: [1, 2] }, 'generation must be an object'],
    ['a prompt longer than the tokens', { generation: { prompt_length: 4, generated: [] } }, 'generation.prompt_length must be an integer in 0..3'],
    ['a generated position inside the prompt', { generation: { prompt_length: 2, generated: [1, 2] } }, 'generated must be increasing positions in 2..2'],
    ['generated positions out of order', { generation: { prompt_length: 1, generated: [2, 1] } }, 'generated must be increasing'],
    ['a generated position past the tokens', { generation: { prompt_length: 1, generated: [3] } }, 'generated must be increasing positions in 1..2'],
    ['generated not a list', { generation: { prompt_length: 1, generated: 1 } }, 'generated must list the positions']
  ])('reject %s with a message naming the field', (_name, over, message) => {
    expect(errorOf(over)).toContain(message);
  });
});

const NO_TRIAGE = { score: null, sort: 'none', top: null, minScore: null, chart: null };

describe('decodeViewOptions', () => {
  it.each([
    ['nothing', undefined, { colormap: null, scale: null, group: 'token' }],
    ['every field', { colormap: 'magma', scale: 'log', group: 'word' }, { colormap: 'magma', scale: 'log', group: 'word' }],
    ['a rainbow map and an unknown scale', { colormap: 'jet', scale: 'cubic', group: 'word' }, { colormap: null, scale: null, group: 'word' }],
    ['a list', ['viridis'], { colormap: null, scale: null, group: 'token' }],
    ['wrong types', { colormap: 1, scale: true, group: null }, { colormap: null, scale: null, group: 'token' }],
    ['the head triage', { score: 'induction', sort: 'rank', top: 5, min_score: 0.25, chart: ['first', 'induction'] }, { score: 'induction', sort: 'rank', top: 5, minScore: 0.25, chart: ['first', 'induction'] }],
    ['a malformed triage', { score: 3, sort: 'best', top: 0, min_score: 'x', chart: ['first'] }, {}]
  ])('%s', (_name, value, expected) => {
    expect(decodeViewOptions(value)).toEqual({ ...NO_TRIAGE, colormap: null, scale: null, group: 'token', ...expected });
  });
});
