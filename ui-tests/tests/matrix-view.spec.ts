/**
 * Matrix (heatmap) view in a real JupyterLab on the real MiniLM (issue 11). The notebook runs the
 * Hugging Face model itself (plain torch, output_attentions) and writes the expected weights to
 * expected.json; the page must show the same numbers (float16 on the wire: about 3 digits).
 *
 * Hooks (docs/matrix-view.md): root .attnscope-matrix [data-state|data-source|data-focus|data-cells|
 * data-exact|data-crosshair], canvas .attnscope-matrix-canvas, axis labels .attnscope-token.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { MINILM_PREAMBLE, readExpected, runNotebook } from './notebook-file';

const NOTEBOOK = 'matrix_view.ipynb';
const SENTENCE = 'The trophy would not fit into the brown suitcase because it was too large.';

const SOURCE = `${MINILM_PREAMBLE}enc = tok(${JSON.stringify(SENTENCE)}, return_tensors="pt")
with torch.no_grad():
    att = torch.stack(model(**enc, output_attentions=True).attentions)[:, 0].double()  # [L, H, T, T]
tokens = tok.convert_ids_to_tokens(enc["input_ids"][0])
# rollout by a plain loop (Abnar & Zuidema): A = 0.5 * mean over heads + 0.5 * I, rows renormalised
joint = torch.eye(len(tokens), dtype=torch.float64)
for layer in range(att.shape[0]):
    a = 0.5 * att[layer].mean(0) + 0.5 * torch.eye(len(tokens), dtype=torch.float64)
    joint = (a / a.sum(-1, keepdim=True)) @ joint
with open("expected.json", "w") as f:
    json.dump({"tokens": tokens, "head": att[2, 3].tolist(), "rollout_last": joint.tolist()}, f)

coref = attnscope.from_model(model, tok, ${JSON.stringify(SENTENCE)})
w = coref.show(views=("head", "matrix"), layer=2, heads=[3])
`;

const ROLLOUT_CELL = `r = coref.matrix_view(rollout=True, section="rollout", layer=5)`;


interface Expected {
  tokens: string[];
  /** layer 2, head 3: [query][key] */
  head: number[][];
  /** rollout through the 6 layers: [query][key] */
  rollout_last: number[][];
}

async function open(page: IJupyterLabPageFixture, tmpPath: string): Promise<{ matrices: Locator; head: Locator; e: Expected }> {
  await runNotebook(page, tmpPath, NOTEBOOK, [SOURCE, ROLLOUT_CELL]);
  const matrices = page.locator('.attnscope-matrix');
  await expect(matrices).toHaveCount(2, { timeout: 120_000 });
  for (const i of [0, 1]) {
    await expect(matrices.nth(i)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  }
  return { matrices, head: page.locator('.attnscope-head').first(), e: await readExpected<Expected>(page, tmpPath) };
}

/** Moves the mouse to the centre of cell (row, col) of the matrix canvas (the whole matrix is shown). */
async function hoverCell(page: IJupyterLabPageFixture, matrix: Locator, n: number, row: number, col: number): Promise<void> {
  const box = await matrix.locator('.attnscope-matrix-canvas').boundingBox();
  expect(box).not.toBeNull();
  const b = box!;
  await page.mouse.move(b.x + ((col + 0.5) * b.width) / n, b.y + ((row + 0.5) * b.height) / n);
}

/** The weight at the start of the tooltip's title ("0.4123 · it → trophy"). */
async function tooltipWeight(matrix: Locator): Promise<{ weight: number; text: string }> {
  const tip = matrix.locator('.attnscope-tooltip');
  await expect(tip).toBeVisible();
  const text = (await tip.textContent()) ?? '';
  return { weight: Number(/^\s*([0-9.e-]+)/.exec(text)?.[1]), text };
}

test('matrix view of MiniLM: exact weight and token pair on hover, linked with the head view both ways', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { matrices, head, e } = await open(page, tmpPath);
  const matrix = matrices.nth(0);
  const n = e.tokens.length;
  const it = e.tokens.indexOf('it');
  const trophy = e.tokens.indexOf('trophy');
  await matrix.scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);

  // One head active: the matrix is that head, every cell drawn as one image, rows and columns labelled.
  await expect(matrix).toHaveAttribute('data-exact', 'true');
  await expect(matrix).toHaveAttribute('data-cells', String(n * n));
  await expect(matrix.locator('.attnscope-token[data-side="query"]').first()).toHaveText('[CLS]');
  await expect(matrix.locator(`.attnscope-token[data-side="key"][data-index="${trophy}"]`)).toHaveText('trophy');

  // Hover the cell ("it", "trophy"): the tooltip shows its weight and the pair; the head view follows the row.
  await hoverCell(page, matrix, n, it, trophy);
  await expect(matrix).toHaveAttribute('data-focus', `query:${it}`);
  await expect(matrix).toHaveAttribute('data-crosshair', `${it},${trophy}`);
  const { weight, text } = await tooltipWeight(matrix);
  expect(text).toContain('it');
  expect(text).toContain('trophy');
  expect(Math.abs(weight - e.head[it][trophy])).toBeLessThan(2e-3 * e.head[it][trophy] + 1e-4);
  await expect(head).toHaveAttribute('data-focus', `query:${it}`);

  // Hover a key token in the head view: the matrix highlights that column.
  await page.mouse.move(0, 0);
  await head.scrollIntoViewIfNeeded();
  await head.locator(`.attnscope-token[data-side="key"][data-index="${trophy}"]`).hover();
  await expect(matrix).toHaveAttribute('data-focus', `key:${trophy}`);
});

test('matrix view of the rollout section shows the rollout through the last layer', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { matrices, e } = await open(page, tmpPath);
  const matrix = matrices.nth(1);
  const n = e.tokens.length;
  await matrix.scrollIntoViewIfNeeded();
  await expect(matrix.locator('select.attnscope-layer-select option:checked')).toContainText('rollout through layer 5');
  const it = e.tokens.indexOf('it');
  for (const k of [0, e.tokens.indexOf('trophy'), e.tokens.indexOf('suitcase')]) {
    await hoverCell(page, matrix, n, it, k);
    await expect(matrix).toHaveAttribute('data-crosshair', `${it},${k}`);
    const { weight } = await tooltipWeight(matrix);
    expect(Math.abs(weight - e.rollout_last[it][k]), `rollout[it, ${e.tokens[k]}]`).toBeLessThan(2e-3 * e.rollout_last[it][k] + 1e-4);
  }
});
