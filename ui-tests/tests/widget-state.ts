/** Turns on JupyterLab's "Save Widget State Automatically" for the saved-state specs. */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

export async function saveWidgetStateAutomatically(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    const registry = await window.galata.getPlugin('@jupyterlab/apputils-extension:settings');
    await registry!.set('@jupyter-widgets/jupyterlab-manager:plugin', 'saveState', true);
  });
}
