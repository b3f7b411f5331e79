/**
 * @jest-environment jsdom
 */
import { headSvg } from '../export/head-svg';
import { MAX_HEAT_CELLS, modelSvg, ModelSvgInput } from '../export/model-svg';
import { PALETTES } from '../export/svg';
import { headColors } from '../render/palette';
import { displayText } from '../render/tokens';
import { els, headInput, HOSTILE, noScript, parse, section, texts, TOKENS } from './fixtures/svg';

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
