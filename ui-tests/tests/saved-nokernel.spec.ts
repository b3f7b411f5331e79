/**
 * Issue 16, item 3 (NOT FIXED YET, marked test.fixme: skipped, not counted as a pass): a notebook saved with its widget state and
 * reopened with "No Kernel" should render attnscope's views from the saved state. Today every widget
 * stays at "Loading widget...": @jupyter-widgets/jupyterlab-manager 5.0's restoreWidgets awaits
 * _loadFromKernel() in a try/finally without catch, _loadFromKernel throws "Kernel not set", the
 * outer catch swallows it, so _loadFromNotebook (the saved metadata.widgets) never runs and
 * `restored` is never emitted; set_state could not run anyway (_get_comm_info throws "No current
 * kernel"). When attnscope renders from the saved state itself, drop test.fixme.
 *
 * How to open a notebook with No Kernel in Galata: a kernelspec whose name and language match no
 * installed kernel makes JupyterLab ask ("Select Kernel"); choose "No Kernel" there.
 */
import { expect, test } from '@jupyterlab/galata';
import { saveWidgetStateAutomatically } from './widget-state';

const NAME = 'nokernel.ipynb';
const SOURCE = `import numpy as np
from attnscope import model_view
rng = np.random.default_rng(3)
raw = rng.uniform(0.1, 1, size=(3, 4, 6, 6))
att = raw / raw.sum(-1, keepdims=True)
w = model_view(att, ["[CLS]", "the", "cat", "sat", ".", "[SEP]"])`;

test('a saved notebook opened with No Kernel renders the views from its saved state', async ({ page, tmpPath }) => {
  test.fixme(true, 'issue 16 item 3: jupyterlab-manager restores nothing without a kernel; attnscope has no fallback yet');
  test.setTimeout(120_000);
  await saveWidgetStateAutomatically(page);
  await page.notebook.createNew(NAME);
  await page.notebook.setCell(0, 'code', SOURCE);
  await page.notebook.runCell(0);
  await expect(page.locator('.attnscope-model').first()).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.notebook.save();
  expect(await page.notebook.close(true)).toBe(true);
  await page.kernel.shutdownAll();

  // a kernel that does not exist: JupyterLab asks which kernel to use
  const path = `${tmpPath}/${NAME}`;
  const nb = (await (await page.request.get(`/api/contents/${path}?type=notebook&content=1`)).json()).content;
  expect(nb.metadata.widgets, 'the widget state was saved').toBeTruthy();
  nb.metadata.kernelspec = { name: 'no-such-kernel', display_name: 'gone', language: 'no-such-language' };
  nb.metadata.language_info = { name: 'no-such-language' };
  expect((await page.request.put(`/api/contents/${path}`, { data: { type: 'notebook', format: 'json', content: nb } })).ok()).toBe(true);
  await page.reload({ waitForIsReady: false } as never);
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  await page.evaluate(async p => void window.jupyterapp.commands.execute('docmanager:open', { path: p }), path);
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('select').selectOption({ label: 'No Kernel' });
  await dialog.locator('.jp-mod-accept').click();
  await expect(page.locator('.jp-Toolbar-kernelName').first()).toHaveText('No Kernel');

  const grid = page.locator('.attnscope-model').first();
  await expect(grid).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect(grid.locator('.attnscope-thumb')).toHaveCount(3 * 4);
});
