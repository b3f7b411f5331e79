/**
 * Smoke test: proves Chromium + Galata + JupyterLab + a Python kernel work on this machine.
 */
import { expect, test } from '@jupyterlab/galata';

test.describe('smoke', () => {
  test('a new notebook runs 1+1 and prints 2', async ({ page }) => {
    const t0 = Date.now();
    await page.notebook.createNew('smoke.ipynb');
    const tCreated = Date.now();
    await page.notebook.setCell(0, 'code', '1+1');
    await page.notebook.runCell(0);
    const tRan = Date.now();
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['2']);
    console.log(
      `smoke timings: createNew ${tCreated - t0} ms, first run (kernel start + execute) ${
        tRan - tCreated
      } ms`
    );
  });
});
