import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import { AttentionModel } from './model';
import { AttentionView } from './widget';
import { settings } from './config/settings';
import { MODULE_NAME, MODULE_VERSION } from './version';

const PLUGIN_ID = `${MODULE_NAME}:plugin`;

/** Registers the widget module with the ipywidgets manager and feeds user settings to the views. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Linked views of transformer attention (head view, model view, neuron view).',
  requires: [IJupyterWidgetRegistry],
  optional: [ISettingRegistry],
  autoStart: true,
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry, settingRegistry: ISettingRegistry | null) => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: { AttentionModel, AttentionView }
    });
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
