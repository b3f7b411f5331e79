/**
 * Issue 6: robustness in the real JupyterLab.
 * (a) hostile tokens in a dashboard of head, model and neuron views: no dialog, no script side effect,
 *     every text literal (shortened on screen, full text in aria-label / title / tooltip);
 * (b) closing a widget from Python removes its views and frees its buffers;
 * (c) 20 widgets in one notebook: each ready with its own state, no duplicate DOM ids;
 * (d) re-running a cell 50 times: JS heap measured after 10 and after 50 re-runs.
 * Kernel restart during a pending lazy fetch is in lazy.spec.ts.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const MAX_CHARS = 24; // settings default maxTokenChars

/**
 * Same rule as src/render/tokens.ts displayText: code points, an ellipsis, ∅ for the empty token,
 * control and invisible characters as ⟨U+XXXX⟩ (an emoji's joiner between two pictographs kept).
 */
function displayText(t: string): string {
  const chars = Array.from(t);
  if (t.length === 0) {
    return '\u2205';
  }
  const shown = chars.length <= MAX_CHARS ? t : chars.slice(0, MAX_CHARS - 1).join('') + '\u2026';
  return shown.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch: string, at: number) =>
    ch === '\u200d' && /\p{Extended_Pictographic}$/u.test(shown.slice(0, at)) && /^\p{Extended_Pictographic}/u.test(shown.slice(at + 1))
      ? ch
      : `\u27e8U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}\u27e9`
  );
}

// The tokens, as JSON that both Python (json.loads) and this file read: nothing is escaped for HTML.
const HOSTILE: string[] = [
  '[CLS]',
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  '</script><script>window.__pwned=1;alert(2)</script>',
  '"><svg onload="window.__pwned=1;alert(3)">',
  '\'single\' "double" `back` \\ backslash',
  '&amp; &lt;b&gt; &#60;script&#62;',
  'ctrl\u0001\u0007\u001b[31m\u007f end',
  'zero\u200bwidth\u200c\u200d\ufeffjoin',
  '\u202egnp.exe\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627',
  '\u{1F600}\u{1F469}\u200d\u{1F4BB}\u{1F1EB}\u{1F1F7}',
  'javascript:alert(4)',
  'x'.repeat(10_240),
  '[SEP]'
];

/**
 * What a tooltip title shows of each (issue 16, items 4 and 5): invisible characters as escapes, at
 * most 80 characters and the length of the rest; the others as they are.
 */
const SHOWN: Record<number, string> = {
  6: 'ctrl\u27e8U+0001\u27e9\u27e8U+0007\u27e9\u27e8U+001B\u27e9[31m\u27e8U+007F\u27e9 end',
  7: 'zero\u27e8U+200B\u27e9width\u27e8U+200C\u27e9\u27e8U+200D\u27e9\u27e8U+FEFF\u27e9join',
  8: '\u27e8U+202E\u27e9gnp.exe\u27e8U+202C\u27e9 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627',
  11: `${'x'.repeat(80)}\u2026 (10,240 characters)`
};
const shownInTitle = (i: number): string => SHOWN[i] ?? HOSTILE[i];

/** Python that builds attention and queries/keys for these tokens (neuron view without a tokenizer). */
const HOSTILE_CELL = `import json, numpy as np
from attnscope.api import dashboard
toks = json.loads(${JSON.stringify(JSON.stringify(HOSTILE))})
n, L, H, d = len(toks), 2, 3, 8
rng = np.random.default_rng(0)
q = rng.normal(size=(L, H, n, d)).astype(np.float32)
k = rng.normal(size=(L, H, n, d)).astype(np.float32)
s = np.einsum("lhqd,lhkd->lhqk", q, k) * d ** -0.5
att = np.exp(s - s.max(-1, keepdims=True)); att /= att.sum(-1, keepdims=True)
w = dashboard(("head", "model", "neuron"), att, toks, queries=q, keys=k, scale=d ** -0.5, prettify_tokens=False)`;

async function cdpHeap(page: IJupyterLabPageFixture): Promise<{ js: number; buffers: number }> {
  const cdp = await page.context().newCDPSession(page.mainFrame());
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const u = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  await cdp.detach();
  return { js: u.usedSize / 1e6, buffers: (u.backingStorageSize ?? 0) / 1e6 };
}

/**
 * Puts `code` into code cell `index` through the notebook's shared model. Galata's setCell types
 * the text key by key, which takes minutes for the 10 KB token and is not what this test is about.
 */
async function setCellSource(page: IJupyterLabPageFixture, index: number, code: string): Promise<void> {
  await page.evaluate(
    ([i, c]) => {
      type Cell = { model: { type: string; sharedModel: { setSource(s: string): void } } };
      const app = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { widgets: Cell[] } } } } }).jupyterapp;
      const cell = app.shell.currentWidget.content.widgets[i];
      if (cell.model.type !== 'code') {
        throw new Error(`cell ${i} is a ${cell.model.type} cell, not code`);
      }
      cell.model.sharedModel.setSource(c);
    },
    [index, code] as const
  );
}

/** Adds a code cell at the end, runs it and returns its text output. */
async function runCode(page: IJupyterLabPageFixture, code: string): Promise<string> {
  expect(await page.notebook.addCell('code', code)).toBe(true);
  const index = (await page.notebook.getCellCount()) - 1;
  expect(await page.notebook.runCell(index)).toBe(true);
  return (await page.notebook.getCellTextOutput(index))?.join('\n') ?? '';
}

test.describe('robustness', () => {
  test.setTimeout(300_000);

  test('hostile tokens: no dialog, no script, every text literal in all three views', async ({ page }) => {
    const dialogs: string[] = [];
    page.on('dialog', d => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.notebook.createNew('hostile.ipynb');
    await setCellSource(page, 0, HOSTILE_CELL);
    await page.notebook.runCell(0);
    const out = page.locator('.jp-OutputArea-output .attnscope').first();
    const head = out.locator('.attnscope-head:not(.attnscope-open-head)');
    const grid = out.locator('.attnscope-model');
    const neuron = out.locator('.attnscope-neuron');
    for (const v of [head, grid, neuron]) {
      await expect(v).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    }

    // open a head in the model view, pin a query in the neuron view: every place a token shows
    await grid.locator('.attnscope-thumb[data-layer="1"][data-head="2"]').click();
    await expect(grid.locator('.attnscope-open-head')).toHaveAttribute('data-state', 'ready');
    const texts = await page.evaluate(() => {
      const root = document.querySelector('.jp-OutputArea-output .attnscope')!;
      const read = (css: string): { text: string; label: string | null; title: string | null }[] =>
        Array.from(root.querySelectorAll<HTMLElement>(css)).map(e => ({
          text: e.textContent ?? '',
          label: e.getAttribute('aria-label'),
          title: e.getAttribute('title')
        }));
      return {
        headQ: read('.attnscope-head:not(.attnscope-open-head) .attnscope-token[data-side="query"]'),
        headK: read('.attnscope-head:not(.attnscope-open-head) .attnscope-token[data-side="key"]'),
        openK: read('.attnscope-open-head .attnscope-token[data-side="key"]'),
        neuronQ: read('.attnscope-neuron .attnscope-token[data-side="query"]'),
        neuronK: read('.attnscope-neuron .attnscope-neuron-key')
      };
    });
    for (const [side, list] of [['query', texts.headQ], ['key', texts.headK], ['key', texts.openK], ['query', texts.neuronQ]] as const) {
      expect(list.map(t => t.text)).toEqual(HOSTILE.map(displayText));
      expect(list.map(t => t.label)).toEqual(HOSTILE.map((t, i) => `${side} token ${i}: ${t}`));
    }
    expect(texts.neuronK.map(t => t.text)).toEqual(HOSTILE.map(displayText));
    expect(texts.neuronK.map(t => t.title)).toEqual(HOSTILE);

    // hover every query token: the tooltip title carries the full text; the neuron view names it
    for (let i = 0; i < HOSTILE.length; i++) {
      await head.locator(`.attnscope-token[data-side="query"][data-index="${i}"]`).hover();
      await expect(head.locator('.attnscope-tooltip .attnscope-tooltip-title')).toHaveText(`query ${i}: ${shownInTitle(i)}`, {
        useInnerText: false
      });
      await expect(neuron).toHaveAttribute('data-query', String(i));
      // the label is cut by CSS (ellipsis), not in the text: the long token stays whole there
      expect(await neuron.locator('.attnscope-neuron-qlabel').textContent()).toBe(`query ${i}: ${i === 11 ? HOSTILE[i] : shownInTitle(i)}`);
    }
    // the long token is shortened on screen, an excerpt with its length in the tooltip, whose
    // weights stay on screen (issue 16, item 4: it was an 11,652 px tall tooltip)
    await head.locator('.attnscope-token[data-side="key"][data-index="11"]').hover();
    const tip = head.locator('.attnscope-tooltip');
    await expect(tip.locator('.attnscope-tooltip-title')).toHaveText(`key 11: ${shownInTitle(11)}`);
    await expect(tip.locator('.attnscope-tooltip-row')).toHaveCount(3);
    const tipBox = (await tip.boundingBox())!;
    const screen = page.viewportSize()!;
    expect(tipBox.y).toBeGreaterThanOrEqual(0);
    expect(tipBox.y + tipBox.height).toBeLessThanOrEqual(screen.height);

    const side = await page.evaluate(() => {
      const root = document.querySelector('.jp-OutputArea-output .attnscope')!;
      return {
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        elements: root.querySelectorAll('img, script, iframe, object, embed, a[href], foreignObject, svg svg').length,
        handlers: Array.from(root.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length
      };
    });
    expect(side).toEqual({ pwned: undefined, elements: 0, handlers: 0 });
    expect(dialogs).toEqual([]);
  });

  test('closing a widget from Python removes its views and frees its buffers', async ({ page }) => {
    await page.notebook.createNew('close.ipynb');
    const base = await cdpHeap(page);
    await page.notebook.setCell(
      0,
      'code',
      `import numpy as np
from attnscope.api import dashboard
a = np.random.default_rng(0).random((12, 12, 256, 256), dtype=np.float32); a /= a.sum(-1, keepdims=True)
w = dashboard(("head", "model"), a, [f"t{i}" for i in range(256)], lazy=False)  # 19 MB as float16, sent whole`
    );
    await page.notebook.runCell(0);
    const out = page.locator('.jp-OutputArea-output .attnscope');
    await expect(out.locator('.attnscope-head')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await expect(out.locator('.attnscope-model')).toHaveAttribute('data-state', 'ready');
    const open = await cdpHeap(page);
    expect(open.buffers - base.buffers).toBeGreaterThan(19); // at least the received float16 bytes

    expect(await runCode(page, 'w.close()\nprint(w.comm is None)')).toContain('True');
    await expect(page.locator('.attnscope-head')).toHaveCount(0, { timeout: 10_000 });
    await expect(page.locator('.attnscope-model')).toHaveCount(0);
    await expect(page.locator('.attnscope')).toHaveCount(0);
    // the model and its decoded tensors go with it: the buffers are released after a GC
    await expect
      .poll(async () => (await cdpHeap(page)).buffers - base.buffers, { timeout: 20_000 })
      .toBeLessThan(10);
    const closed = await cdpHeap(page);
    test.info().annotations.push({
      type: 'memory',
      description: `close: buffers ${base.buffers.toFixed(1)} MB before, ${open.buffers.toFixed(1)} MB open, ${closed.buffers.toFixed(1)} MB after close`
    });
  });

  test('20 widgets in one notebook: each ready with its own state, no duplicate ids', async ({ page }) => {
    await page.notebook.createNew('twenty.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      `import numpy as np
from attnscope import head_view
rng = np.random.default_rng(1)
raws = [rng.uniform(0.1, 1, size=(4, 3, 5, 5)) for i in range(20)]
ws = [head_view(r / r.sum(-1, keepdims=True), [f"w{i}t{j}" for j in range(5)], layer=i % 4, heads=[i % 3]) for i, r in enumerate(raws)]`
    );
    await page.notebook.runCell(0);
    const heads = page.locator('.jp-OutputArea-output .attnscope-head');
    await expect(heads).toHaveCount(20, { timeout: 120_000 });
    for (let i = 0; i < 20; i++) {
      const h = heads.nth(i);
      await expect(h).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
      await expect(h).toHaveAttribute('data-layer', String(i % 4));
      await expect(h).toHaveAttribute('data-heads', String(i % 3));
      await expect(h.locator('.attnscope-token[data-side="query"][data-index="0"]')).toHaveText(`w${i}t0`);
    }
    // interacting with one leaves the others alone
    await heads.nth(7).locator('select.attnscope-layer-select').selectOption('0');
    await heads.nth(7).locator('.attnscope-token[data-side="key"][data-index="2"]').click();
    await page.mouse.move(1, 1);
    await expect(heads.nth(7)).toHaveAttribute('data-focus', 'key:2');
    await expect(heads.nth(7)).toHaveAttribute('data-layer', '0');
    await expect(heads.nth(8)).toHaveAttribute('data-focus', '');
    await expect(heads.nth(8)).toHaveAttribute('data-layer', String(8 % 4));
    expect(await runCode(page, 'print([w.selection.get("layer") for w in ws[6:9]], ws[7].selection["pinned"])')).toContain(
      "{'side': 'key', 'index': 2}"
    );

    const ids = await page.evaluate(() => {
      const all = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
      const ours = Array.from(document.querySelectorAll('.attnscope [id], .attnscope[id]')).map(e => e.id);
      const count = (id: string): number => all.filter(x => x === id).length;
      const referenced = Array.from(document.querySelectorAll('.attnscope [aria-labelledby], .attnscope [aria-describedby], .attnscope [aria-controls], .attnscope label[for]'))
        .flatMap(e => ['aria-labelledby', 'aria-describedby', 'aria-controls', 'for'].map(a => e.getAttribute(a)))
        .filter((x): x is string => !!x)
        .flatMap(x => x.split(/\s+/));
      return {
        ours: ours.length,
        duplicated: ours.filter(id => count(id) > 1),
        dangling: referenced.filter(id => count(id) !== 1)
      };
    });
    test.info().annotations.push({ type: 'ids', description: `${ids.ours} id attributes inside attnscope outputs` });
    expect(ids.duplicated).toEqual([]);
    expect(ids.dangling).toEqual([]);
  });

  test('re-running a cell 50 times: JS heap after 10 and after 50 re-runs', async ({ page }) => {
    await page.notebook.createNew('rerun.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      `import numpy as np
from attnscope import head_view
raw = np.random.default_rng(2).uniform(0.1, 1, size=(6, 12, 64, 64)); a = raw / raw.sum(-1, keepdims=True)`
    );
    await page.notebook.runCell(0);
    await page.notebook.addCell('code', 'w = head_view(a, [f"t{i}" for i in range(64)])');
    const cell = (await page.notebook.getCellCount()) - 1;
    const head = page.locator('.jp-OutputArea-output .attnscope-head');
    const runs: Record<number, { js: number; buffers: number }> = {};
    runs[0] = await cdpHeap(page);
    for (let i = 1; i <= 50; i++) {
      expect(await page.notebook.runCell(cell)).toBe(true);
      await expect(head).toHaveCount(1);
      await expect(head).toHaveAttribute('data-state', 'ready');
      if (i === 1 || i === 10 || i === 50) {
        runs[i] = await cdpHeap(page);
      }
    }
    // re-running closed the widget of the previous run (attnscope.widget.CLOSE_ON_RERUN): one stays open
    expect(
      await runCode(page, 'from ipywidgets.widgets.widget import _instances\nfrom attnscope import AttentionWidget\nprint("open:", sum(isinstance(x, AttentionWidget) for x in _instances.values()))')
    ).toContain('open: 1');
    const total = (m: { js: number; buffers: number }): number => m.js + m.buffers;
    // baseline: JupyterLab's own growth for 40 re-runs of a cell with a plain HTML output
    await page.notebook.addCell('code', 'from IPython.display import HTML\nHTML("<b>plain</b> output")');
    const plainCell = (await page.notebook.getCellCount()) - 1;
    expect(await page.notebook.runCell(plainCell)).toBe(true);
    const plain0 = await cdpHeap(page);
    for (let i = 0; i < 40; i++) {
      expect(await page.notebook.runCell(plainCell)).toBe(true);
    }
    const plain40 = await cdpHeap(page);
    const baseline = (total(plain40) - total(plain0)) / 40;
    const perRun = (total(runs[50]) - total(runs[10])) / 40;
    const note =
      `re-runs of a 6x12x64x64 head view (0.6 MB float16): JS heap + buffers after run 1 ${total(runs[1]).toFixed(1)} MB ` +
      `(${runs[1].js.toFixed(1)} + ${runs[1].buffers.toFixed(1)}), after 10 ${total(runs[10]).toFixed(1)} MB ` +
      `(${runs[10].js.toFixed(1)} + ${runs[10].buffers.toFixed(1)}), after 50 ${total(runs[50]).toFixed(1)} MB ` +
      `(${runs[50].js.toFixed(1)} + ${runs[50].buffers.toFixed(1)}); ${perRun.toFixed(2)} MB per re-run from 10 to 50 ` +
      `(a plain HTML output cell: ${baseline.toFixed(2)} MB per re-run)`;
    console.log(note);
    test.info().annotations.push({ type: 'memory', description: note });
    // generous (one run holds ~1.8 MB: 0.6 MB received + 1.2 MB decoded); without the close on re-run
    // this grew by 2.2 MB per run, 88 MB from run 10 to run 50
    expect(total(runs[50]) - total(runs[10])).toBeLessThan(30);
  });
});
