/**
 * What every view controller shares: it reads the one Selection and the data source, writes user
 * actions back to the Selection, and removes every listener it added when disposed.
 */
import { Selection, SelectionState } from '../data/selection';
import { Section, SectionSource } from '../sections';

export interface ViewHandle {
  readonly element: HTMLElement;
  dispose(): void;
}

export abstract class ViewBase implements ViewHandle {
  abstract readonly element: HTMLElement;
  /** Run on dispose: listeners, observers, subscriptions. */
  protected readonly cleanups: (() => void)[] = [];

  constructor(protected readonly model: SectionSource, protected readonly selection: Selection) {}

  dispose(): void {
    this.cleanups.splice(0).forEach(fn => fn());
    this.element.remove();
  }

  protected get state(): Readonly<SelectionState> {
    return this.selection.state;
  }

  protected get section(): Section | undefined {
    return this.model.section(this.state.section);
  }

  /** addEventListener that dispose() undoes. */
  protected on<E extends Event>(target: EventTarget, type: string, fn: (e: E) => void): void {
    const handler = fn as EventListener;
    target.addEventListener(type, handler);
    this.cleanups.push(() => target.removeEventListener(type, handler));
  }

  /** Shows another section (encoder/decoder/cross) in every view, keeping the layer where it exists. */
  protected switchSection(key: string): void {
    const sec = this.model.section(key);
    if (sec) {
      const layer = sec.layers.includes(this.state.layer) ? this.state.layer : sec.layers[0];
      const [, nHeads, nQ, nK] = sec.attention.shape;
      this.selection.setSection(sec.key, nHeads, layer, { query: nQ, key: nK });
    }
  }
}
