/**
 * @jest-environment jsdom
 *
 * tests/fixtures/golden_lines.json: the lines the head view draws for a small input, written by a
 * plain loop on the Python side. The static picture (pytest) and the widget (here) must both give
 * exactly those lines: collectLinks with the shared minimum alpha, and the head view's SVG.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { collectLinks } from '../analysis/links';
import { RENDER_CONSTANTS } from '../config/render-constants';
import { eager } from '../data/eager';
import { layerWeights, Section, SectionSource } from '../data/section';
import { Selection, TokenRef } from '../selection/state';
import { HeadView } from '../views/head/view';
import { settings } from '../config/settings';
import { Tensor } from '../wire/tensor';

interface GoldenLine {
  head: number;
  query: number;
  key: number;
  alpha: number;
}

interface GoldenCase {
  name: string;
  layer: number;
  heads: number[];
  focus: TokenRef | null;
  lines: GoldenLine[];
}

interface Golden {
  min_line_alpha: number;
  tokens: string[];
  shape: number[];
  attention: number[][][][];
  cases: GoldenCase[];
}

const golden = JSON.parse(readFileSync(join(__dirname, '..', '..', 'tests', 'fixtures', 'golden_lines.json'), 'utf8')) as Golden;
const [nL, nH, nQ, nK] = golden.shape;

function section(): Section {
  const data = Float32Array.from(golden.attention.flat(3));
  return eager({
    key: 'self',
    label: 'Attention',
    attention: new Tensor(data, golden.shape),
    layers: Array.from({ length: nL }, (_, l) => l),
    heads: Array.from({ length: nH }, (_, h) => h),
    queryTokens: golden.tokens,
    keyTokens: golden.tokens
  });
}


function expectSameLines(got: GoldenLine[], want: GoldenLine[]): void {
  expect(got.map(({ head, query, key }) => [head, query, key])).toEqual(want.map(({ head, query, key }) => [head, query, key]));
  got.forEach((line, i) => expect(Math.abs(line.alpha - want[i].alpha)).toBeLessThan(1e-6));
}

describe('golden lines', () => {
  it('the fixture uses the shared minimum alpha', () => {
    expect(golden.min_line_alpha).toBe(RENDER_CONSTANTS.min_line_alpha);
    expect(golden.cases.length).toBeGreaterThan(0);
  });

  it.each(golden.cases.map(c => [c.name, c] as const))('collectLinks: %s', (_name, c) => {
    const sec = section();
    const weights = layerWeights(sec, c.layer, c.heads);
    expect(weights).not.toBeNull();
    const batch = collectLinks({
      weights: weights ?? [],
      nQueries: nQ,
      nKeys: nK,
      heads: c.heads,
      query: { start: 0, end: nQ },
      key: { start: 0, end: nK },
      focus: c.focus,
      minAlpha: RENDER_CONSTANTS.min_line_alpha
    });
    const got = Array.from({ length: batch.count }, (_, i) => ({ head: batch.head[i], query: batch.q[i], key: batch.k[i], alpha: batch.alpha[i] }));
    expectSameLines(got, c.lines);
  });

  describe('the head view draws them', () => {
    beforeAll(() => {
      Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 200 });
      HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
    });
    afterEach(() => (document.body.innerHTML = ''));

    it.each(golden.cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
      const sec = section();
      const source: SectionSource = { sectionList: [sec], section: k => (k === sec.key ? sec : undefined), sentenceBStart: null };
      const sel = new Selection({ section: 'self', layer: c.layer, nHeads: nH, heads: c.heads });
      const view = new HeadView(source, sel);
      document.body.appendChild(view.element);
      sel.pin(c.focus);
      const rowH = settings.value.rowHeight;
      const rowOf = (y: string | null): number => Number(y) / rowH - 0.5;
      const lines = Array.from(view.element.querySelectorAll('.attnscope-links-svg line')).map(l => ({
        head: Number(l.getAttribute('data-head')),
        query: rowOf(l.getAttribute('y1')),
        key: rowOf(l.getAttribute('y2')),
        alpha: Number(l.getAttribute('stroke-opacity'))
      }));
      expect(view.element.dataset.lines).toBe(String(c.lines.length));
      // the SVG carries opacities to 4 significant digits
      expect(lines.map(({ head, query, key }) => [head, query, key])).toEqual(c.lines.map(({ head, query, key }) => [head, query, key]));
      lines.forEach((line, i) => expect(Math.abs(line.alpha - c.lines[i].alpha)).toBeLessThanOrEqual(5e-4 * c.lines[i].alpha + 1e-12));
      view.dispose();
    });
  });
});
