/**
 * Issue 16, items 1, 2, 4 and 10: layouts that follow their box, in a real notebook.
 *  1. head view lines end at their key tokens at every window width, and after a resize;
 *  2. the model view's grid fits its box (no accidental horizontal scrollbar), and with a head open
 *     every thumbnail and the open head stay usable;
 * 10. a tooltip near the bottom of an output is whole, on screen and not clipped by the output area.
 * Screenshots of each state are written to test-results/ (look at them when changing the layout).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { runNotebook } from './notebook-file';
import type { Locator } from '@playwright/test';

const TOKENS = ['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '.', 'it', 'was', 'tired', 'and', 'it', 'slept', 'well', '.', '[SEP]'];

const SOURCE = `import numpy as np
from attnscope import head_view, model_view
rng = np.random.default_rng(16)
raw = rng.uniform(0.05, 1, size=(6, 12, ${TOKENS.length}, ${TOKENS.length})) ** 4
att = raw / raw.sum(-1, keepdims=True)
tokens = ${JSON.stringify(TOKENS)}
`;



interface LineGeometry {
  renderer: string;
  /** x of the lines' left and right ends, page pixels. */
  lineStart: number;
  lineEnd: number;
  /** right edge of the query column, left edge of the key column. */
  queryRight: number;
  keyLeft: number;
}

/** Where the drawn lines start and end, and where the token columns are, as the page lays them out. */
async function lineGeometry(view: Locator): Promise<LineGeometry> {
  return view.evaluate(root => {
    const links = root.querySelector<HTMLElement>('.attnscope-links')!.getBoundingClientRect();
    const renderer = (root as HTMLElement).dataset.renderer ?? '';
    let drawnWidth: number;
    if (renderer === 'svg') {
      const xs = Array.from(root.querySelectorAll('.attnscope-links-svg line')).map(l => Number(l.getAttribute('x2')));
      drawnWidth = Math.max(...xs);
    } else {
      drawnWidth = root.querySelector<HTMLCanvasElement>('.attnscope-links-canvas')!.getBoundingClientRect().width;
    }
    const rects = (side: string): DOMRect[] =>
      Array.from(root.querySelectorAll(`.attnscope-token[data-side="${side}"]`)).map(e => e.getBoundingClientRect());
    return {
      renderer,
      lineStart: links.left,
      lineEnd: links.left + drawnWidth,
      queryRight: Math.max(...rects('query').map(r => r.right)),
      keyLeft: Math.min(...rects('key').map(r => r.left))
    };
  });
}

/** Waits until the lines join the two columns: start at the queries, end at the keys (±1 px). */
async function expectLinesReachTokens(view: Locator, what: string): Promise<LineGeometry> {
  await expect
    .poll(async () => {
      const g = await lineGeometry(view);
      return Math.round(Math.max(Math.abs(g.lineEnd - g.keyLeft), Math.abs(g.lineStart - g.queryRight)));
    }, { message: `${what}: lines end at their key tokens` })
    .toBeLessThanOrEqual(1);
  return lineGeometry(view);
}

test.describe('layout follows its box', () => {
  test.setTimeout(240_000);

  test('head view lines end at their key tokens at every width and after a resize', async ({ page, tmpPath }) => {
    await page.setViewportSize({ width: 1500, height: 900 });
    await runNotebook(page, tmpPath, 'lines.ipynb', [`${SOURCE}head_view(att, tokens)`]);
    const view = page.locator('.attnscope-head').first();
    await expect(view).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    for (const width of [1500, 1000, 700, 1300]) {
      await page.setViewportSize({ width, height: 900 });
      const g = await expectLinesReachTokens(view, `${width} px`);
      expect(g.lineEnd - g.lineStart, `${width} px: a line area of 120 to 480 px`).toBeGreaterThanOrEqual(119);
      expect(g.lineEnd - g.lineStart).toBeLessThanOrEqual(481);
      await view.screenshot({ path: test.info().outputPath(`head-lines-${width}.png`) });
    }
    // hovering draws one token's lines (SVG): they too reach the keys
    await view.locator('.attnscope-token[data-side="query"][data-index="8"]').hover();
    await expect(view).toHaveAttribute('data-focus', 'query:8');
    const g = await expectLinesReachTokens(view, 'hovered');
    expect(g.renderer).toBe('svg');
  });

  test('model view grid fits its box; an open head and every thumbnail stay visible', async ({ page, tmpPath }) => {
    await runNotebook(page, tmpPath, 'grid.ipynb', [`${SOURCE}model_view(att, tokens)`]);
    const view = page.locator('.attnscope-model').first();
    await expect(view).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    for (const width of [1500, 1200, 900]) {
      await page.setViewportSize({ width, height: 900 });
      await view.scrollIntoViewIfNeeded();
      const scroll = view.locator('.attnscope-grid-scroll');
      // no horizontal scrollbar (the grid is no wider than its scroller), unless on purpose: when
      // even thumbnails of the minimum size (40 px) do not fit
      const overflowUnlessMinimal = (): Promise<number> =>
        scroll.evaluate(e => {
          const thumb = e.querySelector('.attnscope-thumb')!.getBoundingClientRect().width;
          return thumb <= 42.5 ? 0 : e.scrollWidth - e.clientWidth;
        });
      await expect.poll(overflowUnlessMinimal, { message: `${width} px, closed` }).toBeLessThanOrEqual(0);
      await view.screenshot({ path: test.info().outputPath(`grid-${width}-closed.png`) });

      await view.locator('.attnscope-thumb[data-layer="2"][data-head="11"]').click();
      await expect(view).toHaveAttribute('data-open', '2:11');
      const open = view.locator('.attnscope-open-head');
      await expect(open).toHaveAttribute('data-state', 'ready');
      await expect.poll(overflowUnlessMinimal, { message: `${width} px, open` }).toBeLessThanOrEqual(0);
      // every head of a row is inside the scroller, and the open head inside the view
      const boxes = await view.evaluate(root => {
        const s = root.querySelector('.attnscope-grid-scroll')!.getBoundingClientRect();
        const thumbs = Array.from(root.querySelectorAll('.attnscope-thumb[data-layer="2"]')).map(t => t.getBoundingClientRect());
        const panel = root.querySelector('.attnscope-open-panel')!.getBoundingClientRect();
        const r = root.getBoundingClientRect();
        return {
          thumbsInside: thumbs.every(t => t.width <= 42.5 || (t.left >= s.left - 0.5 && t.right <= s.right + 0.5)),
          panelInside: panel.left >= r.left - 0.5 && panel.right <= r.right + 0.5 && panel.width >= 240,
          layout: (root.querySelector('.attnscope-model-body') as HTMLElement).dataset.layout
        };
      });
      expect(boxes, `${width} px, open`).toMatchObject({ thumbsInside: true, panelInside: true });
      await expectLinesReachTokens(open, `${width} px, open head`);
      await view.screenshot({ path: test.info().outputPath(`grid-${width}-open-${boxes.layout}.png`) });
      await view.locator('.attnscope-thumb[data-layer="2"][data-head="11"]').click();
      await expect(view).toHaveAttribute('data-open', '');
    }
  });

  test('a tooltip at the bottom of an output is whole, on screen and on top', async ({ page, tmpPath }) => {
    await page.setViewportSize({ width: 1300, height: 800 });
    await runNotebook(page, tmpPath, 'tooltip.ipynb', [`${SOURCE}head_view(att, tokens)`, 'print("after")']);
    const view = page.locator('.attnscope-head').first();
    await expect(view).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    const last = TOKENS.length - 1;
    for (const [side, index] of [['key', last], ['query', last], ['query', 11]] as const) {
      const tok = view.locator(`.attnscope-token[data-side="${side}"][data-index="${index}"]`);
      // scroll the notebook so that the token sits just above the bottom of the window
      await tok.scrollIntoViewIfNeeded();
      await tok.evaluate(el => {
        const scroller = el.closest('.jp-WindowedPanel-outer') ?? el.closest('.jp-Notebook');
        const r = el.getBoundingClientRect();
        if (scroller) {
          scroller.scrollTop += r.bottom - (window.innerHeight - 40);
        }
      });
      await tok.hover();
      const tip = view.locator('.attnscope-tooltip');
      await expect(tip).toBeVisible();
      await expect(tip.locator('.attnscope-tooltip-row')).toHaveCount(12);
      const seen = await tip.evaluate(el => {
        const r = el.getBoundingClientRect();
        // pointer-events are off for the tooltip; turned on only to ask what is on top at its corners
        el.style.pointerEvents = 'auto';
        const inset = 3;
        const points = [
          [r.left + inset, r.top + inset],
          [r.right - inset, r.top + inset],
          [r.left + inset, r.bottom - inset],
          [r.right - inset, r.bottom - inset]
        ];
        const onTop = points.every(([x, y]) => {
          const hit = document.elementFromPoint(x, y);
          return !!hit && el.contains(hit);
        });
        el.style.pointerEvents = '';
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, onTop, layer: (el as HTMLElement).dataset.layer };
      });
      const screen = page.viewportSize()!;
      expect(seen, `${side} ${index}`).toMatchObject({ onTop: true, layer: 'top' });
      expect(seen.top).toBeGreaterThanOrEqual(0);
      expect(seen.bottom).toBeLessThanOrEqual(screen.height);
      expect(seen.left).toBeGreaterThanOrEqual(0);
      expect(seen.right).toBeLessThanOrEqual(screen.width);
      await page.screenshot({ path: test.info().outputPath(`tooltip-${side}-${index}.png`) });
    }
  });
});
