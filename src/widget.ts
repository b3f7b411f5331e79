import { DOMWidgetView } from '@jupyter-widgets/base';

import { AttentionModel } from './model';
import { ViewHandle } from './views/base';
import { mountViews } from './registry';

import '../style/index.css';

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
    const names = (this.model.get('views') as string[] | undefined) ?? ['head'];
    const error = !decoded ? 'no data' : decoded.ok ? null : decoded.error;
    this.mounted = mountViews(this.el, this.model, this.model.selection, names, error);
  }

  private unmount(): void {
    this.mounted.splice(0).forEach(v => v.dispose());
  }

  remove(): void {
    this.unmount();
    super.remove();
  }
}
