/**
 * Issue 16, item 3: attnscope outputs render from the notebook's saved widget state where
 * JupyterLab's widget manager restores nothing:
 * - a notebook reopened with "No Kernel" (@jupyter-widgets/jupyterlab-manager 5.0's restoreWidgets
 *   awaits _loadFromKernel, which throws "Kernel not set", so _loadFromNotebook never runs);
 * - a notebook executed headless by nbclient (store_widget_state=True), which is untrusted: there
 *   JupyterLab renders only "safe" mimetypes, never the widget view nor the SVG picture.
 * attnscope's bundle carries its own mimetype (application/vnd.attnscope.view+json, the model id only),
 * whose safe renderer shows the live widget when the page has its model and else mounts the views from
 * the saved state (src/output-renderer.ts). The output's data-attnscope-output says which.
 *
 * How to open a notebook with No Kernel in Galata: a kernelspec whose name and language match no
 * installed kernel makes JupyterLab ask ("Select Kernel"); choose "No Kernel" there.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { saveWidgetStateAutomatically } from './widget-state';

const TOKENS = ['[CLS]', 'the', '</script><b>cat</b>', 'sat', '.', '[SEP]'];
const SOURCE = `import numpy as np
from attnscope import model_view
rng = np.random.default_rng(3)
raw = rng.uniform(0.1, 1, size=(3, 4, 6, 6))
att = raw / raw.sum(-1, keepdims=True)
w = model_view(att, ${JSON.stringify(TOKENS)})
w.views = ["head", "model"]`;

/** The Python of the Jupyter that the tests run (run.sh sets ATTNSCOPE_JUPYTER). */
function python(): string {
  const jupyter = process.env.ATTNSCOPE_JUPYTER || path.resolve(__dirname, '..', '..', '.venv', 'bin', 'jupyter');
  const sibling = path.join(path.dirname(jupyter), 'python');
  return fs.existsSync(sibling) ? sibling : 'python3';
}

async function contents(page: Page, nbPath: string): Promise<Record<string, any>> {
  const reply = await page.request.get(`/api/contents/${nbPath}?type=notebook&content=1`);
  expect(reply.ok()).toBe(true);
  return (await reply.json()).content;
}

async function put(page: Page, nbPath: string, nb: Record<string, any>): Promise<void> {
  const reply = await page.request.put(`/api/contents/${nbPath}`, { data: { type: 'notebook', format: 'json', content: nb } });
  expect(reply.ok()).toBe(true);
}

/**
 * Opens `nbPath` (in a freshly loaded page with `reload`) and picks "No Kernel" (its kernelspec names
 * no kernel); returns the notebook panel's locator.
 */
async function openWithNoKernel(page: IJupyterLabPageFixture, nbPath: string, reload: boolean): Promise<Locator> {
  if (reload) {
    await page.reload({ waitForIsReady: false } as never);
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  }
  const id = await page.evaluate(async p => {
    const widget = await window.jupyterapp.commands.execute('docmanager:open', { path: p });
    return (widget as { id: string }).id;
  }, nbPath);
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('select').selectOption({ label: 'No Kernel' });
  await dialog.locator('.jp-mod-accept').click();
  const panel = page.locator(`[id="${id}"]`);
  await expect(panel.locator('.jp-Toolbar-kernelName')).toHaveText('No Kernel');
  return panel;
}

const NO_SUCH_KERNEL = {
  kernelspec: { name: 'no-such-kernel', display_name: 'gone', language: 'no-such-language' },
  language_info: { name: 'no-such-language' }
};

test('a saved notebook opened with No Kernel renders the views from its saved state', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  await saveWidgetStateAutomatically(page);
  const nbPath = `${tmpPath}/nokernel.ipynb`;
  await page.notebook.createNew('nokernel.ipynb');
  await page.notebook.setCell(0, 'code', SOURCE);
  await page.notebook.runCell(0);
  // live: our renderer shows the kernel's widget, as ipywidgets' would
  const output = page.locator('.attnscope-output').first();
  await expect(output).toHaveAttribute('data-attnscope-output', 'live', { timeout: 60_000 });
  const head = output.locator('.attnscope-head');
  await expect(head).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await head.locator('.attnscope-token[data-side="query"][data-index="3"]').click();
  await page.mouse.move(1, 1);
  await expect(head).toHaveAttribute('data-focus', 'query:3');
  await page.notebook.save();
  expect(await page.notebook.close(true)).toBe(true);
  await page.kernel.shutdownAll();

  const nb = await contents(page, nbPath);
  expect(nb.metadata.widgets, 'the widget state was saved').toBeTruthy();
  const bundle = nb.cells[0].outputs.find((o: any) => o.data?.['application/vnd.attnscope.view+json']).data;
  expect(JSON.stringify(bundle['application/vnd.attnscope.view+json']).length, 'the output holds the model id, not the data').toBeLessThan(100);
  await put(page, nbPath, { ...nb, metadata: { ...nb.metadata, ...NO_SUCH_KERNEL } });
  const reopened = await openWithNoKernel(page, nbPath, true);

  const saved = reopened.locator('.attnscope-output').first();
  await expect(saved).toHaveAttribute('data-attnscope-output', 'saved', { timeout: 30_000 });
  await expect(saved.locator('.attnscope-saved-note')).toContainText('run the cell for a live widget');
  const restored = saved.locator('.attnscope-head');
  await expect(restored).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(restored.locator('.attnscope-token[data-side="key"]')).toHaveCount(6);
  await expect(restored.locator('.attnscope-token[data-side="key"][data-index="2"]')).toHaveText(TOKENS[2]);
  await expect(restored, 'the saved pin').toHaveAttribute('data-focus', 'query:3');
  await restored.locator('.attnscope-token[data-side="key"][data-index="4"]').hover();
  await expect(restored).toHaveAttribute('data-focus', 'key:4');
  const grid = saved.locator('.attnscope-model');
  await expect(grid).toHaveAttribute('data-state', 'ready');
  await expect(grid.locator('.attnscope-thumb')).toHaveCount(3 * 4);
  await grid.locator('.attnscope-thumb[data-layer="1"][data-head="2"]').click();
  await expect(grid).toHaveAttribute('data-open', '1:2');

  // The same notebook without its widget state: the static picture, and what to do.
  const bare = `${tmpPath}/nokernel-nostate.ipynb`;
  const { widgets: _dropped, ...metadata } = nb.metadata;
  await put(page, bare, { ...nb, metadata: { ...metadata, ...NO_SUCH_KERNEL } });
  const picture = (await openWithNoKernel(page, bare, false)).locator('.attnscope-output').first();
  await expect(picture).toHaveAttribute('data-attnscope-output', 'picture', { timeout: 30_000 });
  await expect(picture.locator('img.attnscope-picture')).toBeVisible();
  await expect(picture).toContainText('No saved widget state');
});

test('a notebook executed headless by nbclient (untrusted) shows its views', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  // executed as a pipeline does, into a file, then uploaded as written (the server signs a notebook
  // only when its cells are marked trusted, and nbclient's are not)
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attnscope-nbclient-')), 'nbclient.ipynb');
  const script = `
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(sys.argv[2])])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
NotebookClient(nb, kernel_name="python3", store_widget_state=True, timeout=180).execute()
nbformat.write(nb, sys.argv[1])
`;
  execFileSync(python(), ['-c', script, file, SOURCE], { stdio: 'pipe', timeout: 200_000 });
  const written = JSON.parse(fs.readFileSync(file, 'utf-8'));
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  expect(Object.keys(written.metadata.widgets['application/vnd.jupyter.widget-state+json'].state).length).toBeGreaterThan(0);
  expect(written.cells[0].metadata.trusted).toBeUndefined();
  await put(page, `${tmpPath}/nbclient.ipynb`, written);

  await page.evaluate(async p => void window.jupyterapp.commands.execute('docmanager:open', { path: p }), `${tmpPath}/nbclient.ipynb`);
  const output = page.locator('.attnscope-output').first();
  await expect(output).toHaveAttribute('data-attnscope-output', /^(saved|live)$/, { timeout: 60_000 });
  const untrusted = await page.evaluate(() => {
    const panel = window.jupyterapp.shell.currentWidget as any;
    return panel.content.model.cells.get(0).trusted;
  });
  expect(untrusted, 'JupyterLab treats the nbclient notebook as untrusted').toBe(false);
  const head = output.locator('.attnscope-head');
  await expect(head).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(head.locator('.attnscope-token[data-side="query"]')).toHaveCount(6);
  await expect(head.locator('.attnscope-token[data-side="query"][data-index="2"]')).toHaveText(TOKENS[2]);
  await head.locator('.attnscope-token[data-side="query"][data-index="1"]').hover();
  await expect(head).toHaveAttribute('data-focus', 'query:1');
  await expect(output.locator('.attnscope-model .attnscope-thumb')).toHaveCount(3 * 4);
});
