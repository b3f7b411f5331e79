/**
 * @jest-environment jsdom
 */
import { headIds } from '../selection/ids';
import { headVectors, neuronRow } from '../analysis/neuron';
import { Selection, SelectionState } from '../selection/state';
import { neuronSvg, NeuronSvgInput } from '../export/neuron-svg';
import { PALETTES } from '../export/svg';
import { DivergingScale } from '../render/vectors';
import { formatWeight } from '../render/format';
import { eager } from '../data/eager';
import { Section } from '../data/section';
import { els, HOSTILE, noScript, parse, texts } from './fixtures/svg';
import { tensorOf } from './fixtures/tensors';

const NL = 2, NH = 2, NN = 3, D = 4, SCALE = 0.5;
const qAt = (l: number, hd: number, i: number, t: number): number => (((l * 7 + hd * 5 + i * 3 + t * 2) % 7) - 3) / 2;
const kAt = (l: number, hd: number, j: number, t: number): number => (((l * 3 + hd * 2 + j * 5 + t * 3) % 5) - 2) / 2;

function neuronSection(causal: boolean): Section {
  const score = (l: number, hd: number, i: number, j: number): number =>
    SCALE * Array.from({ length: D }, (_, t) => qAt(l, hd, i, t) * kAt(l, hd, j, t)).reduce((a, b) => a + b, 0);
  const weight = (l: number, hd: number, i: number, j: number): number => {
    const s = Array.from({ length: NN }, (_, jj) => (causal && jj > i ? -Infinity : score(l, hd, i, jj)));
    const e = s.map(x => Math.exp(x - Math.max(...s)));
    return e[j] / e.reduce((a, b) => a + b, 0);
  };
  return eager({
    key: 'self',
    label: 'Attention',
    attention: tensorOf([NL, NH, NN, NN], ([l, hd, i, j]) => weight(l, hd, i, j)),
    layers: [4, 5],
    heads: [2, 6],
    queryTokens: ['[CLS]', HOSTILE, 'cat'],
    keyTokens: ['[CLS]', HOSTILE, 'cat'],
    queries: tensorOf([NL, NH, NN, D], ([l, hd, i, t]) => qAt(l, hd, i, t)),
    keys: tensorOf([NL, NH, NN, D], ([l, hd, j, t]) => kAt(l, hd, j, t)),
    scale: SCALE,
    causal
  });
}

function neuronInput(sec: Section, change: (s: Selection) => void = () => undefined, theme: 'light' | 'dark' = 'light'): NeuronSvgInput {
  const sel = new Selection({ section: 'self', layer: 4, nHeads: NH });
  change(sel);
  const state: Readonly<SelectionState> = sel.state;
  return { section: sec, state, focus: sel.focus, palette: PALETTES[theme], rowHeight: 20, maxTokenChars: 64 };
}

describe('neuronSvg', () => {
  it('without a query: key vectors only, a hint, empty numbers', () => {
    const out = neuronSvg(neuronInput(neuronSection(false)));
    const doc = parse(out.svg);
    noScript(doc);
    expect(out.name).toBe('attnscope-neuron-L4-H2');
    expect(out.query).toBeNull();
    expect(out.cells).toBe(NN * D);
    expect(doc.querySelectorAll('[data-matrix="k"] rect')).toHaveLength(NN * D);
    expect(doc.querySelectorAll('[data-matrix="qk"] rect')).toHaveLength(0);
    expect(doc.querySelector('[data-role="hint"]')).not.toBeNull();
    expect(texts(doc, '[data-role="dot"]')).toEqual(['', '', '']);
    expect(texts(doc, '[data-role="query-tokens"] text')).toEqual(['[CLS]', HOSTILE, 'cat']);
    // the query vector's row is labelled on the left, above the first query token's row (issue 16, item 11)
    const rowTitle = doc.querySelector('[data-role="query-row-title"]');
    expect(rowTitle?.textContent).toBe('query q');
    const firstQuery = doc.querySelector('[data-role="query-tokens"] text');
    expect(Number(rowTitle?.getAttribute('y'))).toBeLessThan(Number(firstQuery?.getAttribute('y')));
  });

  it('with a pinned query: q, k and q*k cells in the view colours, scores and softmax as numbers', () => {
    const sec = neuronSection(false);
    const out = neuronSvg(neuronInput(sec, s => s.pin({ side: 'query', index: 1 })));
    const doc = parse(out.svg);
    noScript(doc);
    const hv = headVectors(sec, 0, 0)!;
    const row = neuronRow(hv, 1);
    expect(out.query).toBe(1);
    expect(out.cells).toBe(D + 2 * NN * D);
    expect(doc.querySelectorAll('[data-matrix="q"] rect')).toHaveLength(D);
    expect(doc.querySelectorAll('[data-matrix="qk"] rect')).toHaveLength(NN * D);
    expect(texts(doc, '[data-role="dot"]')).toEqual(Array.from(row.dots, formatWeight));
    expect(texts(doc, '[data-role="softmax"]')).toEqual(Array.from(row.model, formatWeight));
    expect(texts(doc, '[data-role="key"]')).toEqual(['[CLS]', HOSTILE, 'cat']);
    // colours: the view's quantised diverging scales
    const vectors = new DivergingScale('light', 1.5);
    const kRects = els(doc, '[data-matrix="k"] rect');
    expect(kRects[1 * D + 2].getAttribute('fill')).toBe(vectors.color(kAt(0, 0, 1, 2)));
    let m = 0;
    row.products.forEach(v => (m = Math.max(m, Math.abs(v))));
    const products = new DivergingScale('light', m);
    expect(els(doc, '[data-matrix="qk"] rect')[2 * D + 3].getAttribute('fill')).toBe(products.color(row.products[2 * D + 3]));
    expect(doc.querySelector('[data-role="legend-vectors"]')!.getAttribute('data-max')).toBe('1.5');
    expect(doc.querySelector('[data-role="status"]')!.textContent).toMatch(/max \|\u0394\| = \d/);
    expect(doc.querySelector('[data-role="title"]')!.textContent).toContain(`head ${headIds(sec)[0]}`);
    expect(doc.querySelector('[data-side="query"][data-index="1"]')!.getAttribute('data-pinned')).toBe('true');
  });

  it('marks masked keys of a causal head and draws no cells for them', () => {
    const out = neuronSvg(neuronInput(neuronSection(true), s => s.pin({ side: 'query', index: 0 })));
    const doc = parse(out.svg);
    expect(els(doc, '.attnscope-neuron-row[data-masked="true"]').map(r => r.getAttribute('data-index'))).toEqual(['1', '2']);
    expect(els(doc, '.attnscope-neuron-row[data-masked="true"] [data-role="mask"]')).toHaveLength(2);
    expect(texts(doc, '[data-role="dot"]').slice(1)).toEqual(['\u2013', '\u2013']);
    expect(texts(doc, '[data-role="softmax"]')).toEqual(['1.0000', '\u2013', '\u2013']);
    expect(out.cells).toBe(3 * D);
    expect(doc.querySelector('[data-role="status"]')!.textContent).toContain('causal mask');
  });

  it('follows the open head and the theme', () => {
    const out = neuronSvg(neuronInput(neuronSection(false), s => s.setOpenHead({ layer: 5, head: 1 }), 'dark'));
    const doc = parse(out.svg);
    expect(out.name).toBe('attnscope-neuron-L5-H6');
    expect(doc.querySelector('[data-role="background"]')!.getAttribute('fill')).toBe('#111111');
    expect(doc.documentElement.getAttribute('data-theme')).toBe('dark');
  });
});

// --- PNG -------------------------------------------------------------------------------------------
