/**
 * Comparing two runs in a real JupyterLab on the real MiniLM (issue 13): the coreference pair "...too
 * large" / "...too small". The notebook computes with plain torch the difference and each head's
 * Jensen-Shannon change; the page must show the same numbers: the difference on a diverging scale
 * symmetric about 0 (matrix view), A / B / B - A through the section picker, the differing token marked,
 * and the model view ranking the heads that changed most.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { MINILM_PREAMBLE, readExpected, runNotebook } from './notebook-file';

const NOTEBOOK = 'compare.ipynb';
const LARGE = 'The trophy would not fit into the brown suitcase because it was too large.';
const SMALL = 'The trophy would not fit into the brown suitcase because it was too small.';

const SOURCE = `${MINILM_PREAMBLE}def att(text):
    with torch.no_grad():
        return torch.stack(model(**tok(text, return_tensors="pt"), output_attentions=True).attentions)[:, 0].double()
A, B = att(${JSON.stringify(LARGE)}), att(${JSON.stringify(SMALL)})
# Jensen-Shannon divergence (bits) of each row, averaged over the queries, per head
M = (A + B) / 2
def kl(p, q):
    return torch.where(p > 0, p * (torch.log2(p) - torch.log2(q)), torch.zeros_like(p)).sum(-1)
js = (0.5 * kl(A, M) + 0.5 * kl(B, M)).mean(-1)  # [L, H]
order = sorted(((float(js[l, h]), l, h) for l in range(6) for h in range(12)), key=lambda t: (-t[0], t[1], t[2]))
tokens = tok.convert_ids_to_tokens(tok(${JSON.stringify(LARGE)})["input_ids"])
with open("expected.json", "w") as f:
    json.dump({"tokens": tokens, "diff": (B - A)[5, 0].tolist(), "a": A[5, 0].tolist(), "ranked": [[l, h] for _, l, h in order]}, f)

a = attnscope.from_model(model, tok, ${JSON.stringify(LARGE)})
b = attnscope.from_model(model, tok, ${JSON.stringify(SMALL)})
w = attnscope.compare(a, b, labels=("large", "small"), views=("model", "matrix"), layer=5, heads=[0], sort="rank", top=6)
`;

interface Expected {
  tokens: string[];
  /** B - A of layer 5, head 0: [query][key] */
  diff: number[][];
  a: number[][];
  ranked: [number, number][];
}

async function open(page: IJupyterLabPageFixture, tmpPath: string): Promise<{ matrix: Locator; grid: Locator; e: Expected }> {
  await runNotebook(page, tmpPath, NOTEBOOK, [SOURCE]);
  const matrix = page.locator('.attnscope-matrix').first();
  await expect(matrix).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  return { matrix, grid: page.locator('.attnscope-model').first(), e: await readExpected<Expected>(page, tmpPath) };
}

async function hoverCell(page: IJupyterLabPageFixture, matrix: Locator, n: number, row: number, col: number): Promise<number> {
  const box = (await matrix.locator('.attnscope-matrix-canvas').boundingBox())!;
  await page.mouse.move(box.x + ((col + 0.5) * box.width) / n, box.y + ((row + 0.5) * box.height) / n);
  await expect(matrix).toHaveAttribute('data-crosshair', `${row},${col}`);
  const text = (await matrix.locator('.attnscope-tooltip').textContent()) ?? '';
  return Number(/^\s*([+-]?[0-9.e-]+)/.exec(text)?.[1]);
}

test('the difference small - large on a diverging scale, A / B / B - A, the differing token marked', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { matrix, e } = await open(page, tmpPath);
  const n = e.tokens.length;
  await matrix.scrollIntoViewIfNeeded();
  await expect(matrix).toHaveAttribute('data-colormap', 'rdbu');
  const ticks = await matrix.locator('.attnscope-matrix-legend-ticks > *').allTextContents();
  expect(ticks.length).toBe(5);
  expect(ticks[2]).toBe('0');
  expect(ticks[0].replace('-', '')).toBe(ticks[4].replace('+', '')); // symmetric about 0
  const pos = e.tokens.indexOf('large');
  await expect(matrix.locator(`.attnscope-token.is-differing[data-side="key"][data-index="${pos}"]`)).toHaveCount(1);
  // the cell where the difference is largest in size, and its sign
  let best = [0, 0];
  e.diff.forEach((row, q) => row.forEach((v, k) => (Math.abs(v) > Math.abs(e.diff[best[0]][best[1]]) ? (best = [q, k]) : null)));
  const shown = await hoverCell(page, matrix, n, best[0], best[1]);
  expect(Math.abs(shown - e.diff[best[0]][best[1]])).toBeLessThan(2e-3);
  // A through the same section picker: a sequential scale and A's own weight
  await page.mouse.move(0, 0);
  await matrix.locator('select.attnscope-section-select').selectOption('a');
  await expect(matrix).not.toHaveAttribute('data-colormap', 'rdbu');
  // the grid above follows the section (its scores arrive, its layout settles) before the matrix is hovered
  await expect(page.locator('.attnscope-model .attnscope-triage').first()).toHaveAttribute('data-scores', 'ready', { timeout: 60_000 });
  await matrix.locator('select.attnscope-source-select').selectOption('head:0');
  await expect(matrix).toHaveAttribute('data-source', 'head:0');
  await matrix.scrollIntoViewIfNeeded();
  const a = await hoverCell(page, matrix, n, best[0], best[1]);
  expect(Math.abs(a - e.a[best[0]][best[1]])).toBeLessThan(2e-3 * e.a[best[0]][best[1]] + 1e-4);
});

test('the model view ranks the heads that changed most, by the Jensen-Shannon change torch gives', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { grid, e } = await open(page, tmpPath);
  await expect(grid.locator('.attnscope-triage')).toHaveAttribute('data-scores', 'ready', { timeout: 60_000 });
  await expect(grid).toHaveAttribute('data-signed', 'true');
  const ids = await grid.locator('.attnscope-thumb').evaluateAll(els => els.map(x => `${(x as HTMLElement).dataset.layer}:${(x as HTMLElement).dataset.head}`));
  expect(ids).toEqual(e.ranked.slice(0, 6).map(([l, h]) => `${l}:${h}`));
});
