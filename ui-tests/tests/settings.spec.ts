/**
 * User settings (schema/plugin.json) reach the views live: changing them in JupyterLab's setting
 * registry re-renders an open head view without re-running the cell.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const PLUGIN = 'attnscope:plugin';
const SOURCE = `import numpy as np
from attnscope import head_view
att = np.full((2, 3, 6, 6), 1 / 6)
w = head_view(att, ["a", "b", "c", "d", "e", "a-rather-long-token-that-needs-shortening"])`;

async function setSetting(page: IJupyterLabPageFixture, key: string, value: unknown): Promise<void> {
  await page.evaluate(
    async ({ plugin, key, value }) => {
      const registry = await window.galata.getPlugin('@jupyterlab/apputils-extension:settings');
      await registry!.set(plugin, key, value as never);
    },
    { plugin: PLUGIN, key, value }
  );
}

test.afterEach(async ({ page }) => {
  await page.evaluate(async plugin => {
    const registry = await window.galata.getPlugin('@jupyterlab/apputils-extension:settings');
    for (const key of ['canvasThreshold', 'theme', 'maxTokenChars']) {
      await registry!.remove(plugin, key);
    }
  }, PLUGIN);
});

test('settings change the renderer, theme and token shortening live', async ({ page }) => {
  await page.notebook.createNew('settings.ipynb');
  await page.notebook.setCell(0, 'code', SOURCE);
  await page.notebook.runCell(0);
  const root = page.locator('.attnscope-head');
  await expect(root).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });

  // 3 heads x 36 pairs of weight 1/6 -> 108 lines: SVG under the default threshold of 2000.
  await expect(root).toHaveAttribute('data-lines', '108');
  await expect(root).toHaveAttribute('data-renderer', 'svg');
  await expect(root.locator('.attnscope-links-svg line')).toHaveCount(108);

  await setSetting(page, 'canvasThreshold', 50);
  await expect(root).toHaveAttribute('data-renderer', 'canvas');
  await expect(root.locator('.attnscope-links-svg line')).toHaveCount(0);
  await expect(root.locator('canvas.attnscope-links-canvas')).toBeVisible();

  await expect(root).toHaveAttribute('data-theme', 'light');
  await setSetting(page, 'theme', 'dark');
  await expect(root).toHaveAttribute('data-theme', 'dark');

  const long = root.locator('.attnscope-token[data-side="key"][data-index="5"]');
  await expect(long).toHaveText('a-rather-long-token-tha\u2026');
  await setSetting(page, 'maxTokenChars', 8);
  await expect(long).toHaveText('a-rathe\u2026');
});
