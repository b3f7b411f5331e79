/**
 * Text view and word grouping in a real JupyterLab on the real MiniLM (issue 11). The weights the
 * page shows are checked against an independent computation: the notebook runs the Hugging Face
 * model itself (plain torch, output_attentions) and writes the expected numbers to expected.json.
 *
 * Hooks (docs/text-view.md): root .attnscope-text [data-state|data-focus|data-source|data-group],
 * spans .attnscope-text-token [data-index|data-weight|data-word|data-tokens].
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { MINILM_PREAMBLE, readExpected, runNotebook } from './notebook-file';

const NOTEBOOK = 'text_view.ipynb';
const SENTENCE = 'The trophy would not fit into the brown suitcase because it was too large.';
/** A sentence MiniLM's WordPiece splits: "tokenization" -> "token", "##ization". */
const SPLIT = 'Tokenization splits unbelievable words.';

const SOURCE = `${MINILM_PREAMBLE}
def reference(text):
    enc = tok(text, return_tensors="pt")
    with torch.no_grad():
        att = torch.stack(model(**enc, output_attentions=True).attentions)[:, 0]  # [L, H, T, T]
    return enc, att.double()

enc, att = reference(${JSON.stringify(SENTENCE)})
tokens = tok.convert_ids_to_tokens(enc["input_ids"][0])
it = tokens.index("it")
mean2 = att[2].mean(0)  # layer 2, mean of the 12 heads
split_enc, split_att = reference(${JSON.stringify(SPLIT)})
split_words = split_enc.word_ids()
with open("expected.json", "w") as f:
    json.dump({"tokens": tokens, "it": it, "row_it": mean2[it].tolist(), "column_mean": mean2.mean(0).tolist(),
               "split_tokens": tok.convert_ids_to_tokens(split_enc["input_ids"][0]),
               "split_words": [w if w is not None else -1 for w in split_words],
               "split_mean3": split_att[3].mean(0).tolist()}, f)

coref = attnscope.from_model(model, tok, ${JSON.stringify(SENTENCE)})
w = coref.show(views=("head", "text"), layer=2)
`;

const SPLIT_CELL = `split = attnscope.from_model(model, tok, ${JSON.stringify(SPLIT)})
g = split.text_view(layer=3, group="word")`;


interface Expected {
  tokens: string[];
  it: number;
  row_it: number[];
  column_mean: number[];
  split_tokens: string[];
  split_words: number[];
  split_mean3: number[][];
}

async function open(page: IJupyterLabPageFixture, tmpPath: string): Promise<{ text: Locator; grouped: Locator; head: Locator; e: Expected }> {
  await runNotebook(page, tmpPath, NOTEBOOK, [SOURCE, SPLIT_CELL]);
  const texts = page.locator('.attnscope-text');
  await expect(texts).toHaveCount(2, { timeout: 120_000 });
  for (const i of [0, 1]) {
    await expect(texts.nth(i)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  }
  const e = await readExpected<Expected>(page, tmpPath);
  return { text: texts.nth(0), grouped: texts.nth(1), head: page.locator('.attnscope-head').first(), e };
}

const span = (root: Locator, i: number): Locator => root.locator(`.attnscope-text-token[data-index="${i}"]`);

async function weights(root: Locator): Promise<number[]> {
  return root.locator('.attnscope-text-token').evaluateAll(els => els.map(el => Number((el as HTMLElement).dataset.weight)));
}

/** float16 on the wire: about 3 significant digits. */
function expectClose(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `token ${i}: ${g} vs ${want[i]}`).toBeLessThan(2e-3 * Math.max(1, want[i]) + 1e-4));
}

test('text view shades MiniLM tokens by the weight they receive, linked with the head view', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { text, head, e } = await open(page, tmpPath);
  await text.scrollIntoViewIfNeeded();

  // The running text is the sentence's tokens, as text.
  await expect(text.locator('.attnscope-text-token')).toHaveCount(e.tokens.length);
  await expect(span(text, e.it)).toHaveText('it');

  // No focus: the mean attention each token receives (column mean of the mean of heads).
  await page.mouse.move(0, 0); // the pointer may rest on a token after the notebook ran
  await expect(text).toHaveAttribute('data-focus', '');
  expectClose(await weights(text), e.column_mean);

  // Hover "it" in the text view: every token is shaded by what "it" gives it (its row).
  await span(text, e.it).hover();
  await expect(text).toHaveAttribute('data-focus', `query:${e.it}`);
  await expect(head).toHaveAttribute('data-focus', `query:${e.it}`); // the head view follows
  expectClose(await weights(text), e.row_it);
  const trophy = e.tokens.indexOf('trophy');
  const suitcase = e.tokens.indexOf('suitcase');
  expect(Number(await span(text, trophy).getAttribute('data-weight'))).toBeCloseTo(e.row_it[trophy], 3);
  expect(Number(await span(text, suitcase).getAttribute('data-weight'))).toBeCloseTo(e.row_it[suitcase], 3);

  // Hover a query token in the head view: the text view follows it.
  await page.mouse.move(0, 0);
  await head.scrollIntoViewIfNeeded();
  await head.locator(`.attnscope-token[data-side="query"][data-index="${trophy}"]`).hover();
  await expect(text).toHaveAttribute('data-focus', `query:${trophy}`);
});

test('text view groups WordPiece tokens into words: sum over a word\'s keys', async ({ page, tmpPath }) => {
  test.setTimeout(240_000);
  const { grouped, e } = await open(page, tmpPath);
  await grouped.scrollIntoViewIfNeeded();
  await expect(grouped).toHaveAttribute('data-group', 'word');
  expect(e.split_tokens).toContain('##ization');

  // Words: special tokens on their own, subword pieces merged (the tokenizer's word_ids()).
  const wordOf = e.split_words.map((w, i) => (w < 0 ? `s${i}` : `w${w}`));
  const words = [...new Set(wordOf)];
  await expect(grouped.locator('.attnscope-text-token')).toHaveCount(words.length);
  const first = e.split_tokens.findIndex(t => t.startsWith('token'));
  const label = await grouped.locator('.attnscope-text-token').nth(words.indexOf(wordOf[first])).textContent();
  expect(label?.trim().toLowerCase()).toBe('tokenization');

  // No focus: the mean over query words of the grouped matrix (mean over a word's queries, sum over its keys).
  const n = e.split_tokens.length;
  const grouped3 = words.map(qw => {
    const qs = [...Array(n).keys()].filter(i => wordOf[i] === qw);
    return words.map(kw => {
      const ks = [...Array(n).keys()].filter(j => wordOf[j] === kw);
      return qs.reduce((a, i) => a + ks.reduce((b, j) => b + e.split_mean3[i][j], 0), 0) / qs.length;
    });
  });
  const columnMean = words.map((_, k) => grouped3.reduce((a, row) => a + row[k], 0) / words.length);
  expectClose(await weights(grouped), columnMean);
});
