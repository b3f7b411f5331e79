import { DOMWidgetView } from '@jupyter-widgets/base';

import { AttentionModel } from './model';
import { GridView } from './views/grid';
import { HeadView, ViewHandle } from './views/head';
import { NeuronView } from './views/neuron';

import '../style/index.css';

type ViewFactory = (model: AttentionModel) => ViewHandle;

/** The views a widget can mount, by the names used in the Python `views` trait. */
const FACTORIES: Readonly<Record<string, ViewFactory>> = {
  head: model => new HeadView(model, model.selection!),
  model: model => new GridView(model, model.selection!),
  neuron: model => new NeuronView(model, model.selection!)
};

/** A visible error in place of a view: bad data never throws into the notebook. */
function errorView(viewName: string, message: string): ViewHandle {
  const el = document.createElement('div');
  el.className = `attnscope-view attnscope-${viewName} attnscope-error`;
  el.dataset.state = 'error';
  el.setAttribute('role', 'alert');
  el.textContent = `attnscope: ${message}`;
  return { element: el, dispose: () => el.remove() };
}

/**
 * One display of the widget. It mounts the views named by the `views` trait; every display of the
 * same model shares the model's Selection, so they stay linked.
 */
export class AttentionView extends DOMWidgetView {
  declare model: AttentionModel;
  private mounted: ViewHandle[] = [];

  render(): void {
    this.el.classList.add('attnscope');
    this.mount();
    this.listenTo(this.model, 'change:sections change:views change:sentence_b_start', () => this.mount());
  }

  private mount(): void {
    this.unmount();
    const decoded = this.model.decoded;
    const names: string[] = (this.model.get('views') as string[] | undefined) ?? ['head'];
    for (const name of names) {
      const factory = FACTORIES[name];
      let handle: ViewHandle;
      if (!decoded || !decoded.ok) {
        handle = errorView(name, `the attention data could not be read: ${decoded ? decoded.error : 'no data'}`);
      } else if (!factory) {
        handle = errorView(name, `unknown view "${name}"; available: ${Object.keys(FACTORIES).join(', ')}`);
      } else {
        try {
          handle = factory(this.model);
        } catch (err) {
          handle = errorView(name, err instanceof Error ? err.message : String(err));
        }
      }
      this.mounted.push(handle);
      this.el.appendChild(handle.element);
    }
  }

  private unmount(): void {
    this.mounted.splice(0).forEach(v => v.dispose());
  }

  remove(): void {
    this.unmount();
    super.remove();
  }
}
