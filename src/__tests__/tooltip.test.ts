/**
 * @jest-environment jsdom
 *
 * Issue 16, item 10: a tooltip stays whole and on screen (below its anchor, above when there is no
 * room below, shifted sideways inside the viewport), and it shows tokens in <bdi> elements.
 */
import { fillTooltip, showTooltipAt, tooltipPosition, VIEWPORT_MARGIN } from '../render/tooltip';

const viewport = { width: 1000, height: 700 };
const size = { width: 200, height: 150 };
const box = (left: number, top: number, right = left + 50, bottom = top + 20) => ({ left, top, right, bottom });

describe('tooltipPosition', () => {
  it.each([
    ['room below: below the anchor, left edges aligned', box(100, 100), 'start', { left: 100, top: 124, side: 'below' }],
    ['right-aligned to the anchor', box(300, 100), 'end', { left: 150, top: 124, side: 'below' }],
    // the case: the last token near the bottom, nothing fits below
    ['no room below: above the anchor', box(100, 600), 'start', { left: 100, top: 446, side: 'above' }],
    ['near the right edge: shifted left to stay whole', box(950, 100), 'start', { left: 1000 - VIEWPORT_MARGIN - 200, top: 124, side: 'below' }],
    ['near the left edge, right-aligned: shifted right', box(10, 100), 'end', { left: VIEWPORT_MARGIN, top: 124, side: 'below' }]
  ] as const)('%s', (_name, anchor, align, want) => {
    expect(tooltipPosition(anchor, size, viewport, { gap: 4, align })).toEqual(want);
  });

  it('a tooltip taller than the room on both sides stays inside the viewport', () => {
    const tall = { width: 200, height: 500 };
    const at = tooltipPosition(box(100, 300), tall, viewport, { gap: 4, align: 'start' });
    expect(at.top).toBeGreaterThanOrEqual(VIEWPORT_MARGIN);
    expect(at.top + tall.height).toBeLessThanOrEqual(viewport.height - VIEWPORT_MARGIN);
  });

  it('every anchor of a grid of positions gives a tooltip inside the viewport', () => {
    for (let x = 0; x <= 1000; x += 50) {
      for (let y = 0; y <= 680; y += 40) {
        for (const align of ['start', 'end'] as const) {
          const at = tooltipPosition(box(x, y), size, viewport, { gap: 4, align });
          expect(at.left).toBeGreaterThanOrEqual(VIEWPORT_MARGIN);
          expect(at.left + size.width).toBeLessThanOrEqual(viewport.width - VIEWPORT_MARGIN);
          expect(at.top).toBeGreaterThanOrEqual(VIEWPORT_MARGIN);
          expect(at.top + size.height).toBeLessThanOrEqual(viewport.height - VIEWPORT_MARGIN);
          // and never over its anchor
          expect(at.top >= y + 20 || at.top + size.height <= y).toBe(true);
        }
      }
    }
  });
});

describe('fillTooltip', () => {
  it('sets tokens as text in <bdi> elements, the rest as text nodes', () => {
    const tip = document.createElement('div');
    fillTooltip(tip, ['query 4: ', { token: '\u202eabc<b>' }], [{ text: ['head 0: 0.5000 \u2192 ', { token: 'x' }, '\u2026 (9 characters)'], color: '#ff0000' }], ['text: ', { token: 'raw' }]);
    const [title, exact, row] = Array.from(tip.children) as HTMLElement[];
    expect(title.className).toBe('attnscope-tooltip-title');
    expect(title.textContent).toBe('query 4: \u202eabc<b>');
    expect(title.querySelectorAll('bdi')).toHaveLength(1);
    expect(title.querySelector('bdi')!.textContent).toBe('\u202eabc<b>');
    expect(title.querySelector('b')).toBeNull();
    expect(exact.className).toBe('attnscope-tooltip-exact');
    expect(row.textContent).toBe('head 0: 0.5000 \u2192 x\u2026 (9 characters)');
    expect(row.style.getPropertyValue('--attnscope-chip-color')).toBe('#ff0000');
  });
});

describe('showTooltipAt without popovers', () => {
  it('places the tooltip relative to the root, flipped above an anchor at the bottom of the window', () => {
    const root = document.createElement('div');
    const tip = document.createElement('div');
    root.append(tip);
    document.body.append(root);
    root.getBoundingClientRect = () => ({ left: 20, top: 30, right: 820, bottom: 730, width: 800, height: 700, x: 20, y: 30, toJSON: () => ({}) });
    tip.getBoundingClientRect = () => ({ left: 0, top: 0, right: 200, bottom: 100, width: 200, height: 100, x: 0, y: 0, toJSON: () => ({}) });
    tip.hidden = true;
    const bottom = window.innerHeight - 10;
    showTooltipAt(tip, root, { left: 100, top: bottom - 20, right: 150, bottom }, { gap: 4, align: 'start' });
    expect(tip.hidden).toBe(false);
    expect(tip.dataset.layer).toBe('view');
    expect(tip.dataset.side).toBe('above');
    expect(tip.style.left).toBe('80px');
    expect(tip.style.top).toBe(`${bottom - 20 - 4 - 100 - 30}px`);
  });
});
