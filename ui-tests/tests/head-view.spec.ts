/**
 * Head view in a real JupyterLab: `head_view(attention[L,H,Q,K], tokens)` from a notebook, then the
 * DOM test hooks (docs/architecture.md, "Test hooks"):
 *   root .attnscope-head [data-state|data-layer|data-heads|data-lines|data-theme],
 *   .attnscope-token[data-side][data-index], .attnscope-head-chip[data-head][aria-pressed],
 *   select.attnscope-layer-select, .attnscope-tooltip.
 *
 * The notebook builds a seeded 2 layers x 4 heads x 5 tokens input. Layer 0 has no zero weight;
 * layer 1 is causal (key > query is exactly 0) so that line counts differ per token. Expected numbers
 * come from the weights the widget really sends (float16 on the wire), which the notebook decodes
 * from the widget's own `sections` trait and writes to expected.json next to itself.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { readExpected, runNotebook } from './notebook-file';

const HOSTILE = '<img src=x onerror=window.__pwned=1>';
const TOKENS = ['[CLS]', 'the', HOSTILE, 'cat', '[SEP]'];
const NOTEBOOK = 'head_view.ipynb';

const SOURCE = `import json
import numpy as np
from attnscope import head_view

rng = np.random.default_rng(20240601)
L, H, T = 2, 4, 5
raw = rng.uniform(0.2, 1.0, size=(L, H, T, T))
raw[1] *= np.tril(np.ones((T, T)))  # layer 1 causal: weights with key > query are exactly 0
att = raw / raw.sum(axis=-1, keepdims=True)
tokens = ${JSON.stringify(TOKENS)}
w = head_view(att, tokens)

sec = w.sections[0]
a = sec["attention"]
sent = np.frombuffer(a["buffer"], dtype=a["dtype"]).reshape(a["shape"]).astype(float)
with open("expected.json", "w") as f:
    json.dump({"shape": list(a["shape"]), "layers": list(sec["layers"]),
               "query_tokens": sec["query_tokens"], "key_tokens": sec["key_tokens"],
               "weights": sent.tolist()}, f)
`;


interface Expected {
  shape: [number, number, number, number];
  layers: number[];
  query_tokens: string[];
  key_tokens: string[];
  /** [layer slot][head][query][key], as decoded from the wire. */
  weights: number[][][][];
}

/** As the view prints weights (src/render/format.ts): 4 decimals; tiny non-zero in exponent form. */
function fmt(w: number): string {
  return w !== 0 && Math.abs(w) < 5e-5 ? w.toExponential(2) : w.toFixed(4);
}

/** Lines drawn while `side` token `index` is focused: active heads x its non-zero weights. */
function expectedLines(e: Expected, slot: number, heads: number[], side: 'query' | 'key', index: number): number {
  const [, , nQ, nK] = e.shape;
  let n = 0;
  for (const h of heads) {
    const m = e.weights[slot][h];
    for (let j = 0; j < (side === 'query' ? nK : nQ); j++) {
      n += (side === 'query' ? m[index][j] : m[j][index]) > 0 ? 1 : 0;
    }
  }
  return n;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Uploads and runs the notebook; returns the view root (data-state="ready") and the expected data. */
async function openHeadView(page: IJupyterLabPageFixture, tmpPath: string): Promise<{ root: Locator; e: Expected }> {
  await runNotebook(page, tmpPath, NOTEBOOK, [SOURCE]);

  const root = page.locator('.attnscope-head');
  await expect(root).toHaveCount(1, { timeout: 60_000 });
  await expect(root).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await root.scrollIntoViewIfNeeded();

  const e = await readExpected<Expected>(page, tmpPath);
  expect(e.shape).toEqual([2, 4, TOKENS.length, TOKENS.length]);
  return { root, e };
}

const token = (root: Locator, side: 'query' | 'key', i: number): Locator =>
  root.locator(`.attnscope-token[data-side="${side}"][data-index="${i}"]`);
const chip = (root: Locator, h: number): Locator => root.locator(`.attnscope-head-chip[data-head="${h}"]`);

async function moveMouseAway(page: IJupyterLabPageFixture): Promise<void> {
  await page.mouse.move(2, 2);
}

test.describe('head view', () => {
  test('renders tokens, layers and heads of the input', async ({ page, tmpPath }) => {
    const { root, e } = await openHeadView(page, tmpPath);
    const [nL, nH, nQ, nK] = e.shape;

    await expect(root.locator('.attnscope-token[data-side="query"]')).toHaveCount(nQ);
    await expect(root.locator('.attnscope-token[data-side="key"]')).toHaveCount(nK);
    for (const side of ['query', 'key'] as const) {
      for (const i of range(TOKENS.length)) {
        if (TOKENS[i] !== HOSTILE) {
          await expect(token(root, side, i)).toHaveText(TOKENS[i]);
        }
      }
    }

    const select = root.locator('select.attnscope-layer-select');
    const values = await select.locator('option').evaluateAll(os => os.map(o => (o as HTMLOptionElement).value));
    expect(values).toEqual(e.layers.map(String));
    expect(values).toHaveLength(nL);
    await expect(select).toHaveValue(String(e.layers[0]));
    await expect(root).toHaveAttribute('data-layer', String(e.layers[0]));

    await expect(root.locator('.attnscope-head-chip')).toHaveCount(nH);
    await expect(root.locator('.attnscope-head-chip[aria-pressed="true"]')).toHaveCount(nH);
    await expect(root).toHaveAttribute('data-heads', range(nH).join(','));
  });

  test('hovering a token leaves only its lines, in every layer', async ({ page, tmpPath }) => {
    const { root, e } = await openHeadView(page, tmpPath);
    const [, nH, nQ, nK] = e.shape;
    const all = range(nH);

    for (const [slot, layer] of e.layers.entries()) {
      await root.locator('select.attnscope-layer-select').selectOption(String(layer));
      await expect(root).toHaveAttribute('data-layer', String(layer));
      for (const i of range(nQ)) {
        await token(root, 'query', i).hover();
        await expect(token(root, 'query', i)).toHaveClass(/\bis-focused\b/);
        await expect(root, `layer ${layer}, query ${i}`).toHaveAttribute(
          'data-lines',
          String(expectedLines(e, slot, all, 'query', i))
        );
      }
      for (const k of range(nK)) {
        await token(root, 'key', k).hover();
        await expect(root, `layer ${layer}, key ${k}`).toHaveAttribute(
          'data-lines',
          String(expectedLines(e, slot, all, 'key', k))
        );
      }
    }
    // The causal layer must really give different counts, or this test proves little.
    expect(expectedLines(e, 1, all, 'query', 0)).toBeLessThan(expectedLines(e, 1, all, 'query', nQ - 1));
  });

  test('head chips: click toggles, double-click solos and restores', async ({ page, tmpPath }) => {
    const { root, e } = await openHeadView(page, tmpPath);
    const nH = e.shape[1];
    const all = range(nH).join(',');

    await chip(root, 1).click();
    await expect(chip(root, 1)).toHaveAttribute('aria-pressed', 'false');
    await expect(root).toHaveAttribute('data-heads', range(nH).filter(h => h !== 1).join(','));
    await token(root, 'query', 3).hover();
    await expect(root).toHaveAttribute('data-lines', String(expectedLines(e, 0, [0, 2, 3], 'query', 3)));

    await chip(root, 1).click();
    await expect(chip(root, 1)).toHaveAttribute('aria-pressed', 'true');
    await expect(root).toHaveAttribute('data-heads', all);

    await chip(root, 2).dblclick();
    await expect(root).toHaveAttribute('data-heads', '2');
    for (const h of range(nH)) {
      await expect(chip(root, h)).toHaveAttribute('aria-pressed', String(h === 2));
    }
    await token(root, 'query', 3).hover();
    await expect(root).toHaveAttribute('data-lines', String(expectedLines(e, 0, [2], 'query', 3)));

    // The last active head cannot be switched off.
    await chip(root, 2).click();
    await expect(chip(root, 2)).toHaveAttribute('aria-pressed', 'true');
    await expect(root).toHaveAttribute('data-heads', '2');

    // Double-click on the soloed head restores all heads.
    await chip(root, 2).dblclick();
    await expect(root).toHaveAttribute('data-heads', all);
    await expect(root.locator('.attnscope-head-chip[aria-pressed="true"]')).toHaveCount(nH);
  });

  test('tooltip shows the exact weights with 4 decimals', async ({ page, tmpPath }) => {
    const { root, e } = await openHeadView(page, tmpPath);
    const [, nH, , nK] = e.shape;
    const tip = root.locator('.attnscope-tooltip');
    const q = 1;
    const k = 3;

    // Nothing pinned: per head, the strongest weight of the hovered query.
    await token(root, 'query', q).hover();
    await expect(tip).toBeVisible();
    for (const h of range(nH)) {
      const max = Math.max(...range(nK).map(j => e.weights[0][h][q][j]));
      await expect(tip).toContainText(fmt(max));
    }

    // Key pinned: per head, the exact weight between the hovered query and the pinned key.
    await token(root, 'key', k).click();
    await expect(token(root, 'key', k)).toHaveClass(/\bis-pinned\b/);
    await token(root, 'query', q).hover();
    await expect(tip).toBeVisible();
    for (const h of range(nH)) {
      const w = e.weights[0][h][q][k];
      expect(w).toBeGreaterThan(0);
      await expect(tip).toContainText(fmt(w));
    }
  });

  test('a hostile token is shown as text and never runs', async ({ page, tmpPath }) => {
    const { root } = await openHeadView(page, tmpPath);
    const i = TOKENS.indexOf(HOSTILE);

    await expect(root.locator('img')).toHaveCount(0);
    for (const side of ['query', 'key'] as const) {
      const el = token(root, side, i);
      expect(await el.evaluate(n => n.children.length), 'token element has no child elements').toBe(0);
      const shown = (await el.textContent()) ?? '';
      // Long tokens may be shortened with an ellipsis; what is shown is the literal text.
      const stem = shown.replace(/\u2026$/, '');
      expect(stem.length).toBeGreaterThanOrEqual(4);
      expect(HOSTILE.startsWith(stem)).toBe(true);
    }
    await token(root, 'query', i).hover();
    await expect(root.locator('.attnscope-tooltip')).toContainText(HOSTILE);
    await expect(root.locator('img')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  });

  test('follows the JupyterLab theme; screenshots light and dark', async ({ page, tmpPath }) => {
    const { root } = await openHeadView(page, tmpPath);
    const shot = { animations: 'disabled' as const, caret: 'hide' as const, maxDiffPixelRatio: 0.02 };

    await expect(root).toHaveAttribute('data-theme', 'light');
    await moveMouseAway(page);
    await expect(root.locator('.attnscope-tooltip')).toBeHidden();
    await expect(root).toHaveScreenshot('head-view-light.png', shot);

    await page.evaluate(async () => {
      const app = (window as unknown as { jupyterapp: { commands: { execute(id: string, args: unknown): Promise<unknown> } } })
        .jupyterapp;
      await app.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' });
    });
    await page.waitForSelector('body[data-jp-theme-light="false"][data-jp-theme-name="JupyterLab Dark"]', {
      state: 'attached'
    });
    await expect(root).toHaveAttribute('data-theme', 'dark');
    await expect(root).toHaveAttribute('data-state', 'ready');
    await moveMouseAway(page);
    await expect(root).toHaveScreenshot('head-view-dark.png', shot);
  });
});
