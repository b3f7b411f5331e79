/**
 * Issue 5: with "Save Widget State Automatically" on, a notebook saved after running the views
 * reopens without its kernel and every view renders from the saved state, hover and all.
 */
import { expect, test } from '@jupyterlab/galata';
import { saveWidgetStateAutomatically } from './widget-state';

const NAME = 'saved-state.ipynb';
const SOURCE = `import numpy as np
from attnscope import model_view
rng = np.random.default_rng(3)
raw = rng.uniform(0.1, 1, size=(3, 4, 6, 6))
att = raw / raw.sum(-1, keepdims=True)
w = model_view(att, ["[CLS]", "the", "</script><b>cat</b>", "sat", ".", "[SEP]"])
w.views = ["head", "model"]`;

test('views come back from the saved widget state, without the kernel that made them', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  await saveWidgetStateAutomatically(page);
  await page.notebook.createNew(NAME);
  await page.notebook.setCell(0, 'code', SOURCE);
  await page.notebook.runCell(0);
  const head = page.locator('.attnscope-head').first();
  await expect(head).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await head.locator('.attnscope-token[data-side="query"][data-index="3"]').click();
  await page.mouse.move(1, 1);
  await expect(head).toHaveAttribute('data-focus', 'query:3');
  await page.notebook.save();

  // The notebook is closed, the kernel goes away for good, the page is reloaded, the notebook reopened.
  expect(await page.notebook.close(true)).toBe(true);
  await page.kernel.shutdownAll();
  await page.reload({ waitForIsReady: false } as never);
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  // Reopened, the notebook gets a fresh kernel that has never seen these widgets: what renders
  // comes from the state saved in the notebook only. (Killing that kernel too would make
  // JupyterLab's widget manager clear the page's widgets, whatever extension drew them.)
  await page.evaluate(async path => {
    await window.jupyterapp.commands.execute('docmanager:open', { path });
  }, `${tmpPath}/${NAME}`);

  const restored = page.locator('.attnscope-head').first();
  await expect(restored).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(restored.locator('.attnscope-token[data-side="key"]')).toHaveCount(6);
  await expect(restored.locator('.attnscope-token[data-side="key"][data-index="2"]')).toHaveText('</script><b>cat</b>');
  // the pin made before saving came back with the state
  await expect(restored).toHaveAttribute('data-focus', 'query:3');
  // hover, layer and head switching work on the saved data
  await restored.locator('.attnscope-token[data-side="key"][data-index="4"]').hover();
  await expect(restored).toHaveAttribute('data-focus', 'key:4');
  await expect(restored).toHaveAttribute('data-lines', String(4 * 6));
  await restored.locator('select.attnscope-layer-select').selectOption('2');
  await expect(restored).toHaveAttribute('data-layer', '2');
  await restored.locator('.attnscope-head-chip[data-head="1"]').dblclick();
  await expect(restored).toHaveAttribute('data-heads', '1');
  const grid = page.locator('.attnscope-model').first();
  await expect(grid).toHaveAttribute('data-state', 'ready');
  await grid.locator('.attnscope-thumb[data-layer="1"][data-head="2"]').click();
  await expect(grid).toHaveAttribute('data-open', '1:2');
});
