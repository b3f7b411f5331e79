/**
 * Notebook 7 (the classic-style notebook page at /notebooks/...) uses the same widget manager as
 * JupyterLab: the quickstart opened there renders the head, model and neuron views, and they link.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const QUICKSTART = path.resolve(__dirname, '..', '..', 'examples', 'quickstart.ipynb');

// Galata opens /lab by default; this test drives the Notebook 7 page itself.
test.use({ autoGoto: false });

test('quickstart in Notebook 7: head, model and neuron views render and link', async ({ page, tmpPath, baseURL }) => {
  test.setTimeout(300_000);
  const target = `${tmpPath}/quickstart.ipynb`;
  // Through the REST API: Galata's content helpers drive the JupyterLab page, which is not open here.
  const content = JSON.parse(fs.readFileSync(QUICKSTART, 'utf-8'));
  const put = await page.request.put(`api/contents/${target}`, { data: { type: 'notebook', format: 'json', content } });
  expect(put.ok()).toBe(true);

  // A plain Playwright page: Galata's page.goto waits for JupyterLab's launcher, which Notebook 7 has not.
  const nb = await page.context().newPage();
  await nb.goto(`${baseURL}/notebooks/${target}`);
  await expect(nb.locator('#main-panel .jp-Notebook')).toBeVisible({ timeout: 120_000 });
  await expect(nb.locator('.jp-Notebook .jp-Cell').first()).toBeVisible();
  // Wait for the notebook's kernel to be idle (the app is exposed by the test server configuration,
  // expose_app_in_browser), then run every cell from the Run menu, as a user does.
  await nb.waitForFunction(
    () => {
      type App = { shell: { currentWidget?: { sessionContext?: { session?: { kernel?: { status: string } } } } } };
      const app = (window as unknown as { jupyterapp?: App }).jupyterapp;
      return app?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle';
    },
    undefined,
    { timeout: 120_000 }
  );
  await nb.getByRole('menuitem', { name: 'Run', exact: true }).click();
  await nb.getByRole('menuitem', { name: /^Run All Cells/ }).click();

  // The linked dashboard: one widget output holding all three views.
  const dash = nb.locator('.jp-OutputArea-output .attnscope:has(.attnscope-model):has(.attnscope-neuron)').first();
  await expect(dash).toBeAttached({ timeout: 180_000 });
  // drawn by attnscope's own output renderer, as the live widget (src/output-renderer.ts)
  await expect(nb.locator('.attnscope-output[data-attnscope-output="live"]').first()).toBeAttached();
  await dash.scrollIntoViewIfNeeded();
  const head = dash.locator('.attnscope-head:not(.attnscope-open-head)').first();
  const grid = dash.locator('.attnscope-model');
  const neuron = dash.locator('.attnscope-neuron');
  for (const v of [head, grid, neuron]) {
    await expect(v).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  }
  await expect(grid.locator('.attnscope-thumb')).toHaveCount(6 * 12);
  await expect(nb.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')).toHaveCount(0);

  // Linking: a hover in the head view moves the model and neuron views.
  await head.locator('.attnscope-token[data-side="query"][data-index="4"]').hover();
  await expect(head).toHaveAttribute('data-focus', 'query:4');
  await expect(grid).toHaveAttribute('data-focus', 'query:4');
  await expect(neuron).toHaveAttribute('data-query', '4');
  expect(Number(await head.getAttribute('data-lines'))).toBeGreaterThan(0);
});
