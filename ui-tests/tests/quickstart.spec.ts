/**
 * The README promise: examples/quickstart.ipynb, run in a real JupyterLab with the real MiniLM model
 * (offline), renders every view it creates, without an error output.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const QUICKSTART = path.resolve(__dirname, '..', '..', 'examples', 'quickstart.ipynb');

test('quickstart notebook renders every view, with the real MiniLM', async ({ page, tmpPath }, testInfo) => {
  test.setTimeout(480_000); // the notebook loads MiniLM and SmolLM2 and runs a generation
  const target = `${tmpPath}/quickstart.ipynb`;
  expect(await page.contents.uploadContent(fs.readFileSync(QUICKSTART, 'utf-8'), 'text', target)).toBe(true);
  expect(await page.notebook.openByPath(target)).toBe(true);
  await page.notebook.activate('quickstart.ipynb');
  expect(await page.notebook.run()).toBe(true);

  // One widget output per cell that calls a view function (head_view, model_view, neuron_view, show).
  const nb = JSON.parse(fs.readFileSync(QUICKSTART, 'utf-8')) as { cells: { cell_type: string; source: string[] | string }[] };
  const widgets = nb.cells
    .filter(c => c.cell_type === 'code')
    .map(c => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .filter(src => /(head_view|model_view|neuron_view|matrix_view|text_view|\bshow|\bcompare)\(/.test(src)).length;
  expect(widgets).toBeGreaterThanOrEqual(5);

  const outputs = page.locator('.jp-OutputArea-output .attnscope');
  await expect(outputs).toHaveCount(widgets, { timeout: 300_000 });
  const views = page.locator('.attnscope-view');
  const nViews = await views.count();
  expect(nViews).toBeGreaterThanOrEqual(widgets);
  for (let i = 0; i < nViews; i++) {
    await views.nth(i).scrollIntoViewIfNeeded();
    await expect(views.nth(i)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  }
  await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')).toHaveCount(0);
  // the dashboard, the comparison, attnscope.show(...) of arrays and SmolLM2's induction probe
  await expect(page.locator('.attnscope-model')).toHaveCount(4);
  await expect(page.locator('.attnscope-neuron')).toHaveCount(2);

  // The first view is MiniLM on a sentence pair: 6 layers x 12 heads, opened at layer 2.
  const heads = page.locator('.attnscope-head');
  const minilm = heads.first();
  await minilm.scrollIntoViewIfNeeded();
  await expect(minilm.locator('.attnscope-head-chip')).toHaveCount(12);
  await expect(minilm.locator('select.attnscope-layer-select option')).toHaveCount(6);
  await expect(minilm).toHaveAttribute('data-layer', '2');
  await expect(minilm.locator('.attnscope-filter-control')).toBeVisible();
  await expect(minilm.locator('.attnscope-token[data-side="query"]').first()).toHaveText('[CLS]');
  const nTokens = await minilm.locator('.attnscope-token[data-side="query"]').count();
  await minilm.locator('.attnscope-token[data-side="query"][data-index="2"]').hover();
  await expect(minilm).toHaveAttribute('data-focus', 'query:2');
  const lines = Number(await minilm.getAttribute('data-lines'));
  expect(lines).toBeGreaterThan(0);
  expect(lines).toBeLessThanOrEqual(12 * nTokens);
  const shot = testInfo.outputPath('quickstart-minilm-hover.png');
  await minilm.screenshot({ path: shot });
  await testInfo.attach('quickstart-minilm-hover', { path: shot, contentType: 'image/png' });

  // The second view keeps layers 0, 3, 5 with heads 0 and 5 active.
  const subset = heads.nth(1);
  const layerValues = await subset
    .locator('select.attnscope-layer-select option')
    .evaluateAll(os => os.map(o => (o as HTMLOptionElement).value));
  expect(layerValues).toEqual(['0', '3', '5']);
  await expect(subset).toHaveAttribute('data-heads', '0,5');
});
