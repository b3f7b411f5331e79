import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { AttentionModel, liveModels } from './model';
import { notebookWidgetsMetadata } from './notebook-metadata';
import { outputRendererFactory } from './output-renderer';
import { AttentionView } from './widget';
import { settings } from './config/settings';
import { MODULE_NAME, MODULE_VERSION } from './version';

const PLUGIN_ID = `${MODULE_NAME}:plugin`;

/**
 * Registers the widget module with the ipywidgets manager, the renderer of attnscope's own output
 * mimetype (src/output-renderer.ts: the live widget, or the views from the notebook's saved widget
 * state when the page has no model), and feeds user settings to the views.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Linked views of transformer attention (head view, model view, neuron view).',
  requires: [IJupyterWidgetRegistry, IRenderMimeRegistry],
  optional: [ISettingRegistry, INotebookTracker],
  autoStart: true,
  activate: (
    _app: JupyterFrontEnd,
    registry: IJupyterWidgetRegistry,
    rendermime: IRenderMimeRegistry,
    settingRegistry: ISettingRegistry | null,
    notebooks: INotebookTracker | null
  ) => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: { AttentionModel, AttentionView }
    });
    // Every notebook clones this registry when it opens, so the factory is in each of them.
    rendermime.addFactory(outputRendererFactory({ live: liveModels, widgetsMetadata: notebookWidgetsMetadata(notebooks) }));
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(loaded => {
          const apply = (): void => settings.update(loaded.composite as Record<string, unknown>);
          apply();
          loaded.changed.connect(apply);
        })
        .catch(reason => console.warn(`${MODULE_NAME}: settings could not be loaded, defaults apply.`, reason));
    }
  }
};

export default plugin;
