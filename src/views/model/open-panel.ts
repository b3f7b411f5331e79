/**
 * The panel beside (or below) the model view's grid where an opened head is shown large: a fixed
 * head view of that one head, titled with its real layer and head.
 */
import { Section, SectionSource } from '../../data/section';
import { headId } from '../../selection/ids';
import { OpenHead, Selection } from '../../selection/state';
import { HeadSnapshot, HeadView } from '../head/view';

export class OpenPanel {
  private view: HeadView | null = null;

  constructor(
    private readonly model: SectionSource,
    private readonly selection: Selection,
    private readonly panel: HTMLElement
  ) {}

  /** Shows `open` (or hides the panel); returns the "layer:head" the view's data-open attribute says. */
  update(sec: Section | undefined, open: OpenHead | null): string {
    const panel = this.panel;
    if (!open || !sec) {
      this.dispose();
      panel.hidden = true;
      return '';
    }
    const title = panel.ownerDocument.createElement('div');
    title.className = 'attnscope-open-title';
    title.textContent = `Layer ${open.layer}, head ${headId(sec, open.head)}`;
    if (!this.view) {
      const fixed = (): { layer: number; heads: readonly number[] } | null => {
        const o = this.selection.state.openHead;
        return o ? { layer: o.layer, heads: [o.head] } : null;
      };
      this.view = new HeadView(this.model, this.selection, { fixed });
      panel.replaceChildren(title, this.view.element);
    } else if (panel.firstChild) {
      panel.replaceChild(title, panel.firstChild);
    }
    panel.hidden = false;
    return `${open.layer}:${headId(sec, open.head)}`;
  }

  snapshot(): HeadSnapshot | null {
    return this.view?.snapshot() ?? null;
  }

  dispose(): void {
    this.view?.dispose();
    this.view = null;
  }
}
