/**
 * @jest-environment jsdom
 */
import { eager } from '../data/eager';
import { Section, SectionSource } from '../data/section';
import { PALETTES } from '../export/svg';
import { textSvg } from '../export/text-svg';
import { mountViews } from '../registry';
import { displayText } from '../render/tokens';
import { Selection } from '../selection/state';
import { TextView } from '../views/text/view';
import { attention, els, HOSTILE, noScript, parse, texts } from './fixtures/svg';

const TOKENS = ['[CLS]', 'the', 'play', '##ing', HOSTILE, 'it', '[SEP]'];

function mount(): { view: TextView; sel: Selection; sec: Section } {
  const sec = eager({ key: 'self', label: 'Attention', attention: attention(2, 3, TOKENS.length, TOKENS.length), layers: [4, 5], heads: [0, 1, 2], queryTokens: TOKENS, keyTokens: TOKENS });
  const src: SectionSource = { sectionList: [sec], section: () => sec, sentenceBStart: null };
  const sel = new Selection({ section: 'self', layer: 4, nHeads: 3 });
  const view = new TextView(src, sel);
  document.body.appendChild(view.element);
  return { view, sel, sec };
}

afterEach(() => (document.body.innerHTML = ''));

describe('text view export', () => {
  it('an SVG with the tokens as text (hostile ones escaped), their weights, caption and legend', () => {
    const { view, sel } = mount();
    sel.pin({ side: 'query', index: 5 });
    const snap = view.snapshot()!;
    const out = textSvg({ ...snap, palette: PALETTES.light });
    expect(out.svg).not.toContain('<script');
    const doc = parse(out.svg);
    noScript(doc);
    expect(texts(doc, '[data-role="text"] text')).toEqual(['[CLS]', 'the', 'play', 'ing', displayText(HOSTILE, 24), 'it', '[SEP]']);
    const spans = Array.from(view.element.querySelectorAll<HTMLElement>('.attnscope-text-token'));
    const groups = els(doc, '[data-role="text"] g');
    expect(groups.map(g => g.getAttribute('data-weight'))).toEqual(spans.map(s => s.dataset.weight));
    expect(groups[5].getAttribute('data-focused')).toBe('true');
    expect(groups[5].getAttribute('data-pinned')).toBe('true');
    expect(doc.querySelector('[data-role="caption"]')!.textContent).toBe('weights received from \u2018\u2068it\u2069\u2019 (query 5), mean of all heads, layer 4');
    expect(doc.querySelector('[data-role="legend"]')).not.toBeNull();
    expect(out.name).toBe('attnscope-text-L4-Hmean');
    expect(out.units).toBe(TOKENS.length);
    const dark = parse(textSvg({ ...snap, palette: PALETTES.dark }).svg);
    expect(dark.querySelector('[data-role="background"]')!.getAttribute('fill')).toBe('#111111');
  });

  it('wraps long texts to the width', () => {
    const { view } = mount();
    const snap = view.snapshot()!;
    const many = Array.from({ length: 60 }, (_, i) => ({ index: i, end: i + 1, word: null, text: `word${i}`, space: i > 0 }));
    const out = textSvg({ ...snap, units: many, shading: null, palette: PALETTES.light, textWidth: 300 });
    const words = els(parse(out.svg), '[data-role="text"] text');
    expect(new Set(words.map(t => t.getAttribute('y'))).size).toBeGreaterThan(5);
    // every word starts inside the 300 px block (after the 12 px padding)
    expect(Math.max(...words.map(t => Number(t.getAttribute('x'))))).toBeLessThan(12 + 300);
  });

  it('the registry attaches the export button to the text view', () => {
    const host = document.createElement('div');
    const { sec } = mount();
    mountViews(host, { sectionList: [sec], section: () => sec, sentenceBStart: null }, new Selection({ section: 'self', layer: 4, nHeads: 3 }), ['text'], null);
    expect(host.querySelector('.attnscope-text .attnscope-export')).not.toBeNull();
  });
});
