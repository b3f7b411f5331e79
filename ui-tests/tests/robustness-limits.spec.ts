/**
 * Issue 6, Limits: how large an eager input the tab and the comm handle. Measures, per input size,
 * the time from running the cell to every view ready, the tab's JS heap after a forced GC, and the
 * time of one hover repaint. These figures chose attnscope.validation.MAX_INPUT_BYTES (README, Limits).
 *
 * Opt-in (minutes, GBs of RAM): ATTNSCOPE_MEASURE_LIMITS=1 npx playwright test tests/robustness-limits.spec.ts
 * Sizes: ATTNSCOPE_MEASURE_SIZES="12x12x256,12x12x512" (layers x heads x tokens), views with
 * ATTNSCOPE_MEASURE_VIEWS="head,model" (default head,model).
 * By default only the chosen limit is checked: BERT-base at 512 tokens (75 MB, under MAX_INPUT_BYTES)
 * opens with the default limit; an input over it is refused in Python with the size, the limit and the
 * way out, and nothing reaches the page.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const MEASURE = !!process.env.ATTNSCOPE_MEASURE_LIMITS;
const SIZES = (process.env.ATTNSCOPE_MEASURE_SIZES || '12x12x256,12x12x512,12x12x724,12x12x1024')
  .split(',')
  .map(s => s.split('x').map(Number) as [number, number, number]);
const VIEWS = (process.env.ATTNSCOPE_MEASURE_VIEWS || 'head,model').split(',');

/** MB of JS heap and of ArrayBuffer backing stores (typed arrays live outside the JS heap), after GC. */
async function heapMB(page: IJupyterLabPageFixture): Promise<{ js: number; buffers: number }> {
  const cdp = await page.context().newCDPSession(page.mainFrame());
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  await cdp.detach();
  return { js: usage.usedSize / 1e6, buffers: (usage.backingStorageSize ?? NaN) / 1e6 };
}

const fmt = (m: { js: number; buffers: number }): string => `${m.js.toFixed(0)} MB JS + ${m.buffers.toFixed(0)} MB buffers`;

/**
 * Cell source: a random softmax [L, H, N, N] made in place (one float32 array in the kernel), shown
 * eagerly (lazy=False: above LAZY_ABOVE_BYTES the default would keep it in the kernel instead).
 */
function source(L: number, H: number, N: number, limit: string): string {
  return `import numpy as np, time
import attnscope.validation as V
from attnscope.api import dashboard
V.MAX_INPUT_BYTES = ${limit}
a = np.random.default_rng(0).random((${L}, ${H}, ${N}, ${N}), dtype=np.float32)
a /= a.sum(-1, keepdims=True)
t0 = time.perf_counter()
w = dashboard(${JSON.stringify(VIEWS)}, a, [f"t{i}" for i in range(${N})], lazy=False)
print("lazy", w.lazy)
print(f"python {time.perf_counter() - t0:.2f} s")`;
}

test.describe('limits: eager input size', () => {
  test.setTimeout(600_000);

  for (const [L, H, N] of SIZES) {
    const mb = (L * H * N * N * 2) / 1e6;
    test(`measure ${L}x${H}x${N}x${N} (${mb.toFixed(0)} MB float16)`, async ({ page }) => {
      test.skip(!MEASURE, 'measurement only: ATTNSCOPE_MEASURE_LIMITS=1');
      await page.notebook.createNew(`limits-${N}.ipynb`);
      const before = await heapMB(page);
      await page.notebook.setCell(0, 'code', source(L, H, N, 'None'));
      const t0 = Date.now();
      void page.notebook.runCell(0);
      const roots = VIEWS.map(v => page.locator(`.jp-OutputArea-output .attnscope-${v}`).first());
      for (const r of roots) {
        await expect(r).toHaveAttribute('data-state', /ready|error/, { timeout: 540_000 });
      }
      const ready = (Date.now() - t0) / 1000;
      const states = await Promise.all(roots.map(r => r.getAttribute('data-state')));
      const after = await heapMB(page);
      // one hover repaint of the head view, timed in the page
      const hover = (index: number): Promise<number> =>
        page.evaluate(
          i =>
            new Promise<number>(resolve => {
              const tok = document.querySelector(`.attnscope-token[data-side="query"][data-index="${i}"]`);
              const t = performance.now();
              tok?.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
              requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t)));
            }),
          index
        );
      const hoverMs = [await hover(1), await hover(2), await hover(3)].map(ms => ms.toFixed(0)).join('/');
      const note = `${L}x${H}x${N}x${N} = ${mb.toFixed(0)} MB float16, views ${VIEWS.join('+')}: ` +
        `ready in ${ready.toFixed(1)} s (${states.join(',')}), heap ${fmt(before)} -> ${fmt(after)}, ` +
        `hover repaints ${hoverMs} ms`;
      console.log(note);
      test.info().annotations.push({ type: 'measurement', description: note });
    });
  }

  test('12 layers x 12 heads x 512 tokens (75 MB) opens under the default limit', async ({ page }) => {
    await page.notebook.createNew('limits-under.ipynb');
    await page.notebook.setCell(0, 'code', source(12, 12, 512, 'V.MAX_INPUT_BYTES'));
    await page.notebook.runCell(0);
    expect((await page.notebook.getCellTextOutput(0))?.join('\n')).toContain('lazy False');
    for (const v of VIEWS) {
      await expect(page.locator(`.jp-OutputArea-output .attnscope-${v}`).first()).toHaveAttribute('data-state', 'ready', {
        timeout: 180_000
      });
    }
  });

  test('an input over MAX_INPUT_BYTES is refused in Python, naming the size, the limit and the way out', async ({ page }) => {
    await page.notebook.createNew('limits-over.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      `import numpy as np, attnscope.validation as V
from attnscope import head_view
print(V.MAX_INPUT_BYTES)
a = np.broadcast_to(np.float32(1 / 4096), (12, 12, 4096, 4096))  # 2.4 GB of float32, no memory used
try:
    head_view(a, ["t"] * 4096, lazy=False)  # lazy=None would go lazy instead
except ValueError as err:
    print(err)`
    );
    await page.notebook.runCell(0);
    const text = (await page.notebook.getCellTextOutput(0))?.join('\n') ?? '';
    expect(text).toContain('too large to show at once');
    expect(text).toContain('attention [12, 12, 4096, 4096]');
    expect(text).toContain('include_layers');
    expect(text).toContain('MAX_INPUT_BYTES');
    await expect(page.locator('.jp-OutputArea-output .attnscope')).toHaveCount(0);
  });
});
