/**
 * @jest-environment jsdom
 */
import { headIds, headVectors, neuronRow } from '../analysis/neuron';
import { Selection, SelectionState } from '../selection/state';
import { Tensor } from '../wire/tensor';
import { headSvg, HeadSvgInput } from '../export/head-svg';
import { MAX_HEAT_CELLS, modelSvg, ModelSvgInput } from '../export/model-svg';
import { neuronSvg, NeuronSvgInput } from '../export/neuron-svg';
import { crc32, pngScale, withPhys } from '../export/png';
import { escapeAttr, escapeText, fileName, h, headsPart, num, PALETTES, render, xmlSafe } from '../export/svg';
import { headColors } from '../render/palette';
import { DivergingScale } from '../render/vectors';
import { formatWeight } from '../render/format';
import { displayText } from '../render/tokens';
import { EagerFields, eager } from '../data/eager';
import { Section } from '../data/section';

const HOSTILE = '</text><script>x</script>';

// --- helpers ---------------------------------------------------------------------------------

function parse(svg: string): Document {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  expect(doc.documentElement.localName).toBe('svg');
  return doc;
}

const els = (doc: Document | Element, css: string): Element[] => Array.from(doc.querySelectorAll(css));
const texts = (doc: Document | Element, css: string): string[] => els(doc, css).map(e => e.textContent ?? '');

function noScript(doc: Document): void {
  expect(doc.getElementsByTagName('script')).toHaveLength(0);
  expect(doc.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'script')).toHaveLength(0);
}

/** [L, H, Q, K] with every weight > 1/14 and rows summing to 1. */
function attention(L: number, H: number, Q: number, K: number): Tensor {
  const data = new Float32Array(L * H * Q * K);
  for (let r = 0; r < L * H * Q; r++) {
    const raw = Array.from({ length: K }, (_, k) => ((r * 7 + k * 3) % 5) + 1);
    const sum = raw.reduce((a, b) => a + b, 0);
    raw.forEach((v, k) => (data[r * K + k] = v / sum));
  }
  return new Tensor(data, [L, H, Q, K]);
}

function section(tokens: string[], over: Partial<EagerFields> = {}): Section {
  const n = tokens.length;
  return eager({
    key: 'self',
    label: 'Attention',
    attention: attention(2, 3, n, n),
    layers: [4, 5],
    heads: [0, 4, 9],
    queryTokens: tokens,
    keyTokens: tokens,
    queries: null,
    keys: null,
    scale: null,
    causal: false,
    ...over
  });
}

const TOKENS = ['[CLS]', 'the', HOSTILE, '[SEP]'];

function headInput(over: Partial<HeadSvgInput> = {}): HeadSvgInput {
  const sec = section(TOKENS);
  return {
    section: sec,
    layer: 4,
    heads: [0, 1, 2],
    query: { start: 0, end: 4 },
    key: { start: 0, end: 4 },
    focus: null,
    pinned: null,
    colors: headColors(3),
    palette: PALETTES.light,
    rowHeight: 20,
    maxTokenChars: 64,
    linksWidth: 200,
    ...over
  };
}

// --- the element builder -----------------------------------------------------------------------

describe('svg builder', () => {
  it('escapes text and attribute values, and keeps names to code constants', () => {
    expect(escapeText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(escapeAttr(`"x' <y>\n`)).toBe('&quot;x&#39; &lt;y&gt;&#10;');
    expect(render(h('text', { x: 1.234, title: '"><script>' }, HOSTILE))).toBe(
      '<text x="1.23" title="&quot;&gt;&lt;script&gt;">&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;</text>'
    );
    expect(render(h('g', { a: null, b: false, c: undefined, d: true }))).toBe('<g d="true"/>');
    expect(() => h('g onload="x"')).toThrow(/invalid SVG element/);
    expect(() => render(h('g', { 'x onload': '1' }))).toThrow(/invalid SVG attribute/);
  });

  it('replaces characters XML cannot hold', () => {
    expect(xmlSafe('a\u0000b\u001bc\td\ud800e\ud83d\ude00')).toBe('a\ufffdb\ufffdc\td\ufffde\ud83d\ude00');
    expect(num(-0.001)).toBe('0');
    expect(num(NaN)).toBe('0');
    expect(num(12.3456)).toBe('12.35');
  });

  it('names files attnscope-<view>-L<layer>-H<heads or head>', () => {
    expect(fileName('head', 4, headsPart([0, 4, 9], 3))).toBe('attnscope-head-L4-Hall');
    expect(fileName('head', 4, headsPart([0, 9], 3))).toBe('attnscope-head-L4-H0-9');
    expect(fileName('neuron', 11, '7')).toBe('attnscope-neuron-L11-H7');
    expect(headsPart(Array.from({ length: 20 }, (_, i) => i), 32)).toBe('20heads');
  });
});

// --- head view -----------------------------------------------------------------------------------

describe('headSvg', () => {
  it('is a well-formed SVG with size, viewBox, font and the theme background', () => {
    const out = headSvg(headInput());
    const doc = parse(out.svg);
    const root = doc.documentElement;
    expect(root.getAttribute('width')).toBe(String(out.width));
    expect(root.getAttribute('height')).toBe(String(out.height));
    expect(root.getAttribute('viewBox')).toBe(`0 0 ${out.width} ${out.height}`);
    expect(root.getAttribute('font-family')).toMatch(/sans-serif/);
    expect(doc.querySelector('[data-role="background"]')!.getAttribute('fill')).toBe('#ffffff');
    const dark = parse(headSvg(headInput({ palette: PALETTES.dark })).svg);
    expect(dark.querySelector('[data-role="background"]')!.getAttribute('fill')).toBe('#111111');
    expect(doc.querySelector('title')!.textContent).toContain('layer 4');
    expect(doc.querySelector('[data-role="title"]')!.textContent).toBe('attnscope \u00b7 Attention \u00b7 layer 4 \u00b7 heads 0, 4, 9');
    expect(out.name).toBe('attnscope-head-L4-Hall');
  });

  it('writes tokens as text: a hostile token stays text', () => {
    const out = headSvg(headInput());
    expect(out.svg).not.toContain('<script');
    const doc = parse(out.svg);
    noScript(doc);
    expect(texts(doc, '[data-role="query-tokens"] text')).toEqual(TOKENS);
    expect(texts(doc, '[data-role="key-tokens"] text')).toEqual(TOKENS);
    // shortened as on screen
    const short = parse(headSvg(headInput({ maxTokenChars: 24 })).svg);
    expect(texts(short, '[data-role="key-tokens"] text')[2]).toBe(displayText(HOSTILE, 24));
    // control characters cannot break the file
    const odd = section(['a\u0000', 'b\u001b', '\ud800', 'd']);
    parse(headSvg(headInput({ section: odd })).svg);
  });

  it('draws every visible line of the active heads, opacity = weight / active heads', () => {
    const p = headInput();
    const doc = parse(headSvg(p).svg);
    const lines = els(doc, '[data-role="links"] line');
    expect(lines).toHaveLength(3 * 16);
    const w = p.section.attention!.get(0, 1, 2, 3);
    // collected head by head, query by query, key by key: (head slot 1, query 2, key 3) is line 27
    const line = lines[16 + 2 * 4 + 3];
    const y0 = Number(lines[0].getAttribute('y1')) - p.rowHeight / 2;
    expect(line.getAttribute('data-head')).toBe('4');
    expect(Number(line.getAttribute('y1'))).toBeCloseTo(y0 + 2.5 * p.rowHeight, 2);
    expect(Number(line.getAttribute('y2'))).toBeCloseTo(y0 + 3.5 * p.rowHeight, 2);
    expect(line.getAttribute('stroke-opacity')).toBe((w / 3).toPrecision(4));
    expect(line.getAttribute('stroke')).toBe(p.colors[1]);
    expect(doc.querySelector('[data-role="links"]')!.getAttribute('stroke-width')).toBe('2');
    // two heads
    const two = headSvg(headInput({ heads: [0, 2] }));
    expect(two.lines).toBe(32);
    expect(two.name).toBe('attnscope-head-L4-H0-9');
    expect(texts(parse(two.svg), '[data-role="legend"] [data-role="head-chip"] text')).toEqual(['0', '9']);
  });

  it('skips unfocused lines under one 8-bit alpha step, like the screen', () => {
    const sec = section(['a', 'b']);
    const data = sec.attention!.data;
    data.fill(0.5);
    data[0] = 0.001; // layer 0, head 0, query 0 -> key 0: 0.001 / 3 < 1/255
    const out = headSvg(headInput({ section: sec, query: { start: 0, end: 2 }, key: { start: 0, end: 2 } }));
    expect(out.lines).toBe(3 * 4 - 1);
    // focused: every non-zero line of the token
    const focused = headSvg(headInput({ section: sec, query: { start: 0, end: 2 }, key: { start: 0, end: 2 }, focus: { side: 'key', index: 0 } }));
    expect(focused.lines).toBe(3 * 2);
  });

  it('with a focused token: only its lines, stripes on the other side, marks on the token', () => {
    const p = headInput({ focus: { side: 'query', index: 1 }, pinned: { side: 'query', index: 1 } });
    const out = headSvg(p);
    const doc = parse(out.svg);
    expect(out.lines).toBe(12);
    const ys = new Set(els(doc, '[data-role="links"] line').map(l => l.getAttribute('y1')));
    expect(ys.size).toBe(1);
    const stripes = els(doc, '[data-role="stripes"] rect');
    expect(stripes).toHaveLength(3 * 4);
    const keyX = Number(doc.querySelector('[data-role="key-tokens"] text')!.getAttribute('x')) - 6;
    stripes.forEach(s => expect(Number(s.getAttribute('x'))).toBeGreaterThanOrEqual(keyX - 0.01));
    expect(Number(stripes[0].getAttribute('fill-opacity'))).toBeCloseTo(p.section.attention!.get(0, 0, 1, 0), 3);
    const tok = doc.querySelector('[data-side="query"][data-index="1"]')!;
    expect(tok.getAttribute('data-focused')).toBe('true');
    expect(tok.getAttribute('data-pinned')).toBe('true');
    // the token is isolated (U+2068 … U+2069): an RTL or bidi-control token cannot reorder the title
    expect(doc.querySelector('[data-role="title"]')!.textContent).toContain('query 1 \u201c\u2068the\u2069\u201d');
  });

  it('shows only the filtered sentence pair', () => {
    const out = headSvg(headInput({ query: { start: 0, end: 2 }, key: { start: 2, end: 4 } }));
    const doc = parse(out.svg);
    expect(out.lines).toBe(3 * 2 * 2);
    expect(els(doc, '[data-role="query-tokens"] [data-index]').map(e => e.getAttribute('data-index'))).toEqual(['0', '1']);
    expect(els(doc, '[data-role="key-tokens"] [data-index]').map(e => e.getAttribute('data-index'))).toEqual(['2', '3']);
  });
});

// --- model view ----------------------------------------------------------------------------------

function modelInput(tokens: string[], over: Partial<ModelSvgInput> = {}): ModelSvgInput {
  const sec = section(tokens);
  return { section: sec, layer: 4, focus: null, openHead: null, colors: headColors(3), palette: PALETTES.light, thumbSize: 64, ...over };
}

describe('modelSvg', () => {
  it('draws every (layer, head) with real ids, lines for short inputs', () => {
    const out = modelSvg(modelInput(TOKENS));
    const doc = parse(out.svg);
    noScript(doc);
    expect(out.name).toBe('attnscope-model-Lall-Hall');
    expect(doc.querySelector('[data-view="model"]')!.getAttribute('data-mode')).toBe('lines');
    const thumbs = els(doc, '.attnscope-thumb');
    expect(thumbs).toHaveLength(6);
    expect(thumbs.map(t => `${t.getAttribute('data-layer')}:${t.getAttribute('data-head')}`)).toEqual(['4:0', '4:4', '4:9', '5:0', '5:4', '5:9']);
    expect(texts(doc, '[data-role="layer-label"]')).toEqual(['4', '5']);
    expect(texts(doc, '[data-role="head-label"]')).toEqual(['0', '4', '9']);
    expect(doc.querySelector('[data-role="layer-label"]')!.getAttribute('font-weight')).toBe('700');
    // 16 lines a head; every path segment is one line
    thumbs.forEach(t => {
      expect(t.querySelector('[data-role="lines"]')!.getAttribute('data-lines')).toBe('16');
      const segments = els(t, 'path').reduce((n, p) => n + (p.getAttribute('d')!.match(/M/g) ?? []).length, 0);
      expect(segments).toBe(16);
    });
    expect(doc.querySelector('[data-role="open-outline"]')).toBeNull();
  });

  it('highlights the focus in every thumbnail and outlines the open head, drawn large beside the grid', () => {
    const base = modelInput(TOKENS);
    const panel = headInput({ section: base.section, layer: 5, heads: [1], focus: { side: 'query', index: 2 } });
    const out = modelSvg({ ...base, focus: { side: 'query', index: 2 }, openHead: { layer: 5, head: 1 }, panel });
    const doc = parse(out.svg);
    noScript(doc);
    expect(out.name).toBe('attnscope-model-L5-H4');
    els(doc, '.attnscope-thumb').forEach(t => {
      expect(t.querySelector('[data-role="lines"]')!.getAttribute('data-lines')).toBe('4');
      expect(t.querySelector('[data-role="focus"]')).not.toBeNull();
    });
    expect(els(doc, '.attnscope-thumb[data-open="true"]').map(t => `${t.getAttribute('data-layer')}:${t.getAttribute('data-head')}`)).toEqual(['5:4']);
    const outline = doc.querySelector('[data-role="open-outline"]')!;
    expect(outline.getAttribute('stroke')).toBe(base.colors[1]);
    const open = doc.querySelector('[data-role="open-head"] [data-view="head"]')!;
    expect(open.getAttribute('data-layer')).toBe('5');
    expect(open.getAttribute('data-heads')).toBe('4');
    expect(open.querySelectorAll('[data-role="links"] line')).toHaveLength(4);
    expect(texts(open, '[data-role="key-tokens"] text')).toContain(HOSTILE);
    expect(doc.querySelector('[data-role="title"]')!.textContent).toContain('open: layer 5, head 4');
  });

  it('draws long inputs as the pooled heatmap', () => {
    const tokens = Array.from({ length: 60 }, (_, i) => `t${i}`);
    const out = modelSvg(modelInput(tokens, { focus: { side: 'key', index: 10 } }));
    const doc = parse(out.svg);
    expect(doc.querySelector('[data-view="model"]')!.getAttribute('data-mode')).toBe('heatmap');
    const cells = Math.min(64, MAX_HEAT_CELLS);
    els(doc, '.attnscope-thumb').forEach(t => {
      const heat = t.querySelector('[data-role="heatmap"]')!;
      expect(heat.getAttribute('data-cells')).toBe(String(cells * cells));
      const drawn = els(t, 'path').reduce((n, p) => n + (p.getAttribute('d')!.match(/z/g) ?? []).length, 0);
      expect(drawn).toBe(cells * cells); // every pooled cell is > 0 here
      expect(t.querySelector('[data-role="focus"]')!.getAttribute('stroke-width')).toBe('1.5');
    });
    // opacities: the strongest cell of a thumbnail is opaque
    const first = doc.querySelector('.attnscope-thumb')!;
    const levels = els(first, 'path').map(p => Number(p.getAttribute('fill-opacity')));
    expect(Math.max(...levels)).toBe(1);
    // no lines in heatmap mode
    expect(doc.querySelectorAll('.attnscope-thumb [data-role="lines"]')).toHaveLength(0);
  });
});

// --- neuron view ---------------------------------------------------------------------------------

const NL = 2, NH = 2, NN = 3, D = 4, SCALE = 0.5;
const qAt = (l: number, hd: number, i: number, t: number): number => (((l * 7 + hd * 5 + i * 3 + t * 2) % 7) - 3) / 2;
const kAt = (l: number, hd: number, j: number, t: number): number => (((l * 3 + hd * 2 + j * 5 + t * 3) % 5) - 2) / 2;

function tensor(shape: number[], f: (idx: number[]) => number): Tensor {
  const data: number[] = [];
  const walk = (prefix: number[]): void => {
    if (prefix.length === shape.length) {
      data.push(f(prefix));
      return;
    }
    for (let i = 0; i < shape[prefix.length]; i++) {
      walk([...prefix, i]);
    }
  };
  walk([]);
  return new Tensor(Float32Array.from(data), shape);
}

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
    attention: tensor([NL, NH, NN, NN], ([l, hd, i, j]) => weight(l, hd, i, j)),
    layers: [4, 5],
    heads: [2, 6],
    queryTokens: ['[CLS]', HOSTILE, 'cat'],
    keyTokens: ['[CLS]', HOSTILE, 'cat'],
    queries: tensor([NL, NH, NN, D], ([l, hd, i, t]) => qAt(l, hd, i, t)),
    keys: tensor([NL, NH, NN, D], ([l, hd, j, t]) => kAt(l, hd, j, t)),
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
    // the query vector's row is labelled on the left, above the first query token's row
    const title = doc.querySelector('[data-role="query-row-title"]')!;
    expect(title.textContent).toBe('query q');
    const firstQuery = doc.querySelector('[data-role="query-tokens"] text')!;
    expect(Number(title.getAttribute('y'))).toBeLessThan(Number(firstQuery.getAttribute('y')));
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

function chunk(type: string, data: number[]): number[] {
  const body = [...type].map(c => c.charCodeAt(0)).concat(data);
  const len = data.length;
  const crc = crc32(Uint8Array.from(body));
  return [len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, ...body, crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255];
}

function chunks(png: Uint8Array): { type: string; data: Uint8Array; crcOk: boolean }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array; crcOk: boolean }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    out.push({ type, data: png.subarray(at + 8, at + 8 + len), crcOk: crc32(png, at + 4, at + 8 + len) === view.getUint32(at + 8 + len) });
    at += 12 + len;
  }
  return out;
}

describe('PNG', () => {
  const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const ihdr = chunk('IHDR', [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
  const idat = chunk('IDAT', [1, 2, 3]);
  const iend = chunk('IEND', []);

  it('crc32 matches the PNG reference value', () => {
    expect(crc32(Uint8Array.from([...'IEND'].map(c => c.charCodeAt(0))))).toBe(0xae426082);
  });

  it('adds a pHYs chunk with the print resolution right after IHDR, replacing any other', () => {
    const png = Uint8Array.from([...SIG, ...ihdr, ...chunk('pHYs', [0, 0, 0, 1, 0, 0, 0, 1, 0]), ...idat, ...iend]);
    const out = withPhys(png, 288);
    const list = chunks(out);
    expect(list.map(c => c.type)).toEqual(['IHDR', 'pHYs', 'IDAT', 'IEND']);
    expect(list.every(c => c.crcOk)).toBe(true);
    const phys = new DataView(list[1].data.buffer, list[1].data.byteOffset, 9);
    expect(phys.getUint32(0)).toBe(Math.round(288 / 0.0254));
    expect(phys.getUint32(4)).toBe(Math.round(288 / 0.0254));
    expect(phys.getUint8(8)).toBe(1);
    expect(Array.from(withPhys(Uint8Array.from([1, 2, 3]), 288))).toEqual([1, 2, 3]);
  });

  it('renders at 3x, smaller only when the canvas could not exist', () => {
    expect(pngScale(800, 600)).toBe(3);
    expect(pngScale(800, 20000)).toBeLessThan(3);
    expect(pngScale(800, 20000) * 20000).toBeLessThanOrEqual(32000);
  });
});
