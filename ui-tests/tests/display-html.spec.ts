/**
 * attnscope.set_display("html"): where the widget cannot run (VS Code, Colab), a view is the offline
 * page inline in the cell output. It renders and responds in the notebook, and the very same output
 * works in a plain browser page with no kernel and every network request blocked.
 */
import { expect, test } from '@jupyterlab/galata';
import { openOffline } from './offline-page';
import type { FrameLocator } from '@playwright/test';

const SOURCE = `import numpy as np
import attnscope
from IPython.display import display
attnscope.set_display("html")
rng = np.random.default_rng(5)
raw = rng.uniform(0.1, 1, size=(2, 3, 5, 5))
att = raw / raw.sum(-1, keepdims=True)
w = attnscope.show(att, ["[CLS]", "the", "<b>cat</b>", "sat", "[SEP]"], views=("head", "model"))
open("inline.html", "w", encoding="utf-8").write(w._repr_mimebundle_()["text/html"])
attnscope.set_display(None)`;

async function expectLinkedViews(frame: FrameLocator): Promise<void> {
  const head = frame.locator('.attnscope-head').first();
  await expect(head).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(frame.locator('.attnscope-model')).toHaveAttribute('data-state', 'ready');
  await expect(head.locator('.attnscope-token[data-side="query"]')).toHaveCount(5);
  await head.locator('.attnscope-token[data-side="query"][data-index="3"]').hover();
  await expect(head).toHaveAttribute('data-focus', 'query:3');
  await expect(head).toHaveAttribute('data-lines', String(3 * 5));
  await expect(frame.locator('.attnscope-model')).toHaveAttribute('data-focus', 'query:3');
  await expect(head.locator('.attnscope-token[data-side="key"][data-index="2"]')).toHaveAttribute(
    'aria-label',
    /<b>cat<\/b>/
  );
}

test('html display mode: the inline page works in the notebook and in a page with no kernel', async ({
  page,
  tmpPath,
  browser
}) => {
  test.setTimeout(180_000);
  await page.notebook.createNew('inline.ipynb');
  await page.notebook.setCell(0, 'code', SOURCE);
  await page.notebook.runCell(0);

  // In JupyterLab: an iframe in the output, no widget view.
  const output = page.locator('.jp-OutputArea-output').first();
  await expect(output.locator('iframe.attnscope-inline-page')).toHaveCount(1, { timeout: 60_000 });
  await expect(output.locator('.jupyter-widgets')).toHaveCount(0);
  await expectLinkedViews(output.frameLocator('iframe.attnscope-inline-page'));

  // The same output as a page of its own: no kernel, no network.
  const resp = await page.request.get(`/api/contents/${tmpPath}/inline.html?type=file&format=text&content=1`);
  expect(resp.ok(), `inline.html: HTTP ${resp.status()}`).toBe(true);
  const inline = (await resp.json()).content as string;
  const { page: offline, requests, errors, close } = await openOffline(
    browser,
    `<!doctype html><html><body>${inline}</body></html>`
  );
  await expectLinkedViews(offline.frameLocator('iframe.attnscope-inline-page'));
  // the iframe grew to its content
  const height = await offline.locator('iframe.attnscope-inline-page').evaluate(f => f.getBoundingClientRect().height);
  expect(height).toBeGreaterThan(360);
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
  await close();
});
