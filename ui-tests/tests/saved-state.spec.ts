/**
 * Issue 5: with "Save Widget State Automatically" on, a notebook saved after running the views
 * reopens without its kernel and every view renders from the saved state, hover and all.
 */
import { expect, test } from '@jupyterlab/galata';

const NAME = 'saved-state.ipynb';
const SOURCE = `import numpy as np
from attnscope import model_view
rng = np.random.default_rng(3)
raw = rng.uniform(0.1, 1, size=(3, 4, 6, 6))
att = raw / raw.sum(-1, keepdims=True)
w = model_view(att, ["[CLS]", "the", "</script><b>cat</b>", "sat", ".", "[SEP]"])
w.views = ["head", "model"]`;

test('views come back from the saved widget state with no kernel', async ({ page }) => {
  test.setTimeout(240_000);
  await page.evaluate(async () => {
    const registry = await window.galata.getPlugin('@jupyterlab/apputils-extension:settings');
    await registry!.set('@jupyter-widgets/jupyterlab-manager:plugin', 'saveState', true);
  });
  await page.notebook.createNew(NAME);
  await page.notebook.setCell(0, 'code', SOURCE);
  await page.notebook.runCell(0);
  const head = page.locator('.attnscope-head').first();
  await expect(head).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await head.locator('.attnscope-token[data-side="query"][data-index="3"]').click();
  await page.mouse.move(1, 1);
  await expect(head).toHaveAttribute('data-focus', 'query:3');
  await page.notebook.save();

  // The kernel goes away for good, then the page is reloaded and the notebook reopened.
  await page.kernel.shutdownAll();
  await page.reload({ waitForIsReady: true } as never);
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  await page.evaluate(async () => {
    // no kernel for the reopened notebook: open it with the "No Kernel" choice
    await window.jupyterapp.commands.execute('docmanager:open', { path: 'saved-state.ipynb', kernel: { name: null } } as never);
  });
  await page.kernel.shutdownAll();

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
