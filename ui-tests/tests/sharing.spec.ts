/**
 * Issue 5: the offline HTML opens with every network request blocked and its views respond; the
 * export buttons download the current view as SVG and as PNG at print resolution.
 */
import { expect, test } from '@jupyterlab/galata';
import { openOffline } from './offline-page';
import * as fs from 'fs';

const HOSTILE = '</script><script>window.__pwned=1</script>';
const SOURCE = (file: string): string => `import numpy as np
from attnscope import head_view
rng = np.random.default_rng(5)
raw = rng.uniform(0.1, 1, size=(2, 3, 5, 5))
att = raw / raw.sum(-1, keepdims=True)
w = head_view(att, ["[CLS]", "the", ${JSON.stringify(HOSTILE)}, "cat", "[SEP]"])
w.views = ["head", "model"]
w.save_html(${JSON.stringify(file)})`;

test('the offline HTML renders and responds with the network blocked', async ({ page, tmpPath, browser }) => {
  test.setTimeout(180_000);
  await page.notebook.createNew('offline.ipynb');
  await page.notebook.setCell(0, 'code', SOURCE('offline.html'));
  await page.notebook.runCell(0);
  await expect(page.locator('.attnscope-head').first()).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });

  const resp = await page.request.get(`/api/contents/${tmpPath}/offline.html?type=file&format=text&content=1`);
  expect(resp.ok(), `offline.html written by save_html: HTTP ${resp.status()}`).toBe(true);
  const html = (await resp.json()).content as string;

  const { page: offline, requests, errors, close } = await openOffline(browser, html);

  const head = offline.locator('.attnscope-head').first();
  await expect(head).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(offline.locator('.attnscope-model')).toHaveAttribute('data-state', 'ready');
  await expect(head.locator('.attnscope-token[data-side="query"]')).toHaveCount(5);
  await head.locator('.attnscope-token[data-side="query"][data-index="3"]').hover();
  await expect(head).toHaveAttribute('data-focus', 'query:3');
  await expect(head).toHaveAttribute('data-lines', String(3 * 5));
  await expect(offline.locator('.attnscope-model')).toHaveAttribute('data-focus', 'query:3');
  // the hostile token is text; no script of it ran
  expect(await head.locator('.attnscope-token[data-side="key"][data-index="2"]').getAttribute('aria-label')).toContain(HOSTILE);
  expect(await offline.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
  await close();
});

test('export buttons download the current view as SVG and PNG at print resolution', async ({ page }) => {
  test.setTimeout(180_000);
  await page.notebook.createNew('export.ipynb');
  await page.notebook.setCell(0, 'code', SOURCE('unused.html'));
  await page.notebook.runCell(0);
  const head = page.locator('.attnscope-head').first();
  await expect(head).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await head.locator('.attnscope-token[data-side="key"][data-index="1"]').click(); // pin
  await page.mouse.move(1, 1);
  await expect(head).toHaveAttribute('data-focus', 'key:1');

  const download = async (kind: 'svg' | 'png'): Promise<{ name: string; bytes: Buffer }> => {
    await head.locator('.attnscope-export').first().click();
    const [d] = await Promise.all([page.waitForEvent('download'), head.locator(`[data-export="${kind}"]`).click()]);
    const path = await d.path();
    return { name: d.suggestedFilename(), bytes: fs.readFileSync(path!) };
  };

  const svg = await download('svg');
  expect(svg.name).toMatch(/^attnscope-head-L0-H.*\.svg$/);
  const text = svg.bytes.toString('utf-8');
  expect(text).toContain('<svg');
  expect(text).toContain('&lt;/script&gt;'); // the hostile token, escaped
  expect((text.match(/<line\b/g) ?? []).length).toBeGreaterThanOrEqual(Number(await head.getAttribute('data-lines')));

  const png = await download('png');
  expect(png.name).toMatch(/\.png$/);
  expect(png.bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  // PNG header: width at byte 16. Print resolution: 3x the SVG's CSS-pixel width.
  const svgWidth = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(text)![1]);
  expect(png.bytes.readUInt32BE(16)).toBe(Math.round(svgWidth * 3));
  await expect(head).toHaveAttribute('data-export-scale', '3');
});
