/**
 * Head triage in a real JupyterLab on the real MiniLM (issue 12): the model view sorted and ranked by
 * a head score, against the same score computed by torch in the notebook; the heads chart linked to
 * the grid (hover a point: its thumbnail lights up; click: the head opens).
 *
 * Hooks: .attnscope-triage[data-scores], thumbnails .attnscope-thumb[data-layer][data-head][data-rank]
 * [data-score], .attnscope-chart-point[data-layer][data-head], the view's data-highlighted and data-open.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { MINILM_PREAMBLE, readExpected, runNotebook } from './notebook-file';

const NOTEBOOK = 'head_triage.ipynb';
const SENTENCE = 'The cat sat on the mat because the cat was tired, and then the dog sat on the mat too.';

const SOURCE = `${MINILM_PREAMBLE}enc = tok(${JSON.stringify(SENTENCE)}, return_tensors="pt")
with torch.no_grad():
    att = torch.stack(model(**enc, output_attentions=True).attentions)[:, 0].double()  # [L, H, T, T]
# previous-token score by hand: mean over queries q >= 1 of the weight on key q - 1
prev = torch.stack([att[:, :, q, q - 1] for q in range(1, att.shape[-1])], -1).mean(-1)  # [L, H]
ranked = sorted(((float(prev[l, h]), l, h) for l in range(6) for h in range(12)), key=lambda t: (-t[0], t[1], t[2]))
with open("expected.json", "w") as f:
    json.dump({"ranked": [[l, h, v] for v, l, h in ranked], "prev": prev.tolist()}, f)

res = attnscope.from_model(model, tok, ${JSON.stringify(SENTENCE)})
w = res.model_view(score="previous", sort="rank", top=12, chart=("first", "previous"))
`;

interface Expected {
  /** [layer, head, previous-token score], best first */
  ranked: [number, number, number][];
  prev: number[][];
}

async function open(page: IJupyterLabPageFixture, tmpPath: string): Promise<{ view: Locator; e: Expected }> {
  await runNotebook(page, tmpPath, NOTEBOOK, [SOURCE]);
  const view = page.locator('.attnscope-model').first();
  await expect(view).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(view.locator('.attnscope-triage')).toHaveAttribute('data-scores', 'ready', { timeout: 60_000 });
  return { view, e: await readExpected<Expected>(page, tmpPath) };
}

const thumbIds = async (view: Locator): Promise<string[]> =>
  view.locator('.attnscope-thumb').evaluateAll(els => els.map(e => `${(e as HTMLElement).dataset.layer}:${(e as HTMLElement).dataset.head}`));

test('the MiniLM grid ranked by previous-token score, in the order and with the values torch gives', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { view, e } = await open(page, tmpPath);
  const want = e.ranked.slice(0, 12);
  expect(await thumbIds(view)).toEqual(want.map(([l, h]) => `${l}:${h}`));
  const shown = await view.locator('.attnscope-thumb').evaluateAll(els => els.map(x => Number((x as HTMLElement).dataset.score)));
  shown.forEach((v, i) => expect(Math.abs(v - want[i][2])).toBeLessThan(1e-4));
  await expect(view.locator('.attnscope-scores-status')).toHaveText('12 of 72 heads shown');
  // the frame of the best head is the brightest colour of the legend, and the legend spans the range
  const best = Math.max(...e.prev.flat());
  await expect(view.locator('.attnscope-score-legend-hi')).toHaveText(String(Number(best.toPrecision(3))));

  // sort within each layer from the toolbar: layer 0's row is its heads by score
  await view.locator('.attnscope-sort-select').selectOption('layer');
  const layer0 = e.prev[0].map((v, h) => [v, h] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, h]) => `0:${h}`);
  expect((await thumbIds(view)).slice(0, 12)).toEqual(layer0);
  await expect(view.locator('.attnscope-thumb')).toHaveCount(72);
});

test('the heads chart: hover a point and its thumbnail lights up; click it and the head opens', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { view, e } = await open(page, tmpPath);
  await expect(view.locator('.attnscope-chart-point')).toHaveCount(72);
  const [l, h] = e.ranked[0];
  const point = view.locator(`.attnscope-chart-point[data-layer="${l}"][data-head="${h}"]`);
  await point.hover();
  await expect(view).toHaveAttribute('data-highlighted', `${l}:${h}`);
  await expect(view.locator('.attnscope-thumb.is-highlighted')).toHaveCount(1);
  await expect(view.locator(`.attnscope-thumb[data-layer="${l}"][data-head="${h}"]`)).toHaveClass(/is-highlighted/);
  // the best previous-token head is the highest point of the chart
  const ys = await view.locator('.attnscope-chart-point').evaluateAll(els => els.map(x => Number(x.getAttribute('cy'))));
  expect(Number(await point.getAttribute('cy'))).toBe(Math.min(...ys));
  await point.click();
  await expect(view).toHaveAttribute('data-open', `${l}:${h}`);
  await expect(view.locator('.attnscope-open-panel .attnscope-head')).toBeVisible();
  await expect(view.locator('.attnscope-open-title')).toHaveText(`Layer ${l}, head ${h}`);
});
