/**
 * What every view controller shares: it reads the one Selection and the data source, writes user
 * actions back to the Selection, and removes every listener it added when disposed.
 */
import { HeadChoice } from '../analysis/aggregate';
import { layerOrFirst } from '../selection/ids';
import { Selection, SelectionState, TokenRef } from '../selection/state';
import { tokenOfEvent } from '../render/tokens';
import { Section, SectionSource } from '../data/section';
import { StepControl, stepLimit } from './step-control';

export interface ViewHandle {
  readonly element: HTMLElement;
  dispose(): void;
}

let nextViewId = 1;

export abstract class ViewBase implements ViewHandle {
  abstract readonly element: HTMLElement;
  /** Run on dispose: listeners, observers, subscriptions. */
  protected readonly cleanups: (() => void)[] = [];
  /** Names this view to a lazy section's slice store (what it asked for last stays cached). */
  protected readonly consumerId = `view-${nextViewId++}`;

  constructor(protected readonly model: SectionSource, protected readonly selection: Selection) {
    const off = model.onData?.(change => (change === 'progress' ? this.progressChanged() : change === 'scores' ? this.scoresChanged() : this.dataChanged()));
    if (off) {
      this.cleanups.push(off);
    }
  }

  dispose(): void {
    this.model.release?.(this.consumerId);
    this.cleanups.splice(0).forEach(fn => fn());
    this.element.remove();
  }

  /**
   * Puts the generation step control at the end of this view's toolbar (hidden while the section has
   * no generation); it is disposed with the view. Call once `element` is built.
   */
  protected addStepControl(): StepControl {
    const control = new StepControl(this.element.ownerDocument, this.selection, () => this.section);
    (this.element.querySelector('.attnscope-toolbar') ?? this.element).append(control.element);
    this.cleanups.push(() => control.dispose());
    return control;
  }

  /** Token positions shown at the Selection's generation step (prompt + generated 0..step); null: all. */
  protected get stepLimit(): number | null {
    return stepLimit(this.section, this.state.step);
  }

  /** Fetched data arrived or a fetch changed state (lazy sections): views repaint what they show. */
  protected abstract dataChanged(): void;

  /** The kernel says how far it is with a section's head scores: nothing to redraw by default. */
  protected progressChanged(): void {
    // only a view that shows the progress (the model view) does something
  }

  /** A section's head scores arrived: by default a data change; a view that shows no scores overrides it. */
  protected scoresChanged(): void {
    this.dataChanged();
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

  /** The user's Retry: asks the kernel again for these head slots of a layer of the shown section. */
  protected retryFetch(layerSlot: number, headSlots: readonly number[]): void {
    const sec = this.section;
    if (sec) {
      this.model.retry?.(sec.key, layerSlot, headSlots);
    }
  }

  /**
   * The shown section, or null after showing in `message` that the Selection names none (the view's
   * state is then "error").
   */
  protected sectionOrError(message: HTMLElement): Section | null {
    const sec = this.section;
    message.hidden = !!sec;
    if (!sec) {
      this.element.dataset.state = 'error';
      message.textContent = `attnscope: no attention section named "${this.state.section}"`;
    }
    return sec ?? null;
  }

  /** Shows another section (encoder/decoder/cross) in every view, keeping the layer where it exists. */
  protected switchSection(key: string): void {
    const sec = this.model.section(key);
    if (sec) {
      const layer = layerOrFirst(sec, this.state.layer);
      const [, nHeads, nQ, nK] = sec.shape;
      this.selection.setSection(sec.key, nHeads, layer, { query: nQ, key: nK, steps: sec.generation?.generated.length ?? 0 });
    }
  }

  /**
   * Keyboard on token lists: Enter/Space pins or unpins, Escape unpins, arrows move along the list.
   * `elementsOf` gives the token elements shown on a side, in order.
   */
  protected onTokenKey(e: KeyboardEvent, elementsOf: (side: TokenRef['side']) => readonly HTMLElement[]): void {
    const t = tokenOfEvent(e.target);
    if (!t) {
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.selection.togglePin(t);
    } else if (e.key === 'Escape') {
      this.selection.pin(null);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const els = elementsOf(t.side);
      const at = els.findIndex(el => Number(el.dataset.index) === t.index);
      els[Math.min(els.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus();
    }
  }
}

/** A "Weights of" choice after a section switch: kept while the new section has that head, else null (the default). */
export function keptChoice(picked: HeadChoice | null, sec: Section | null | undefined): HeadChoice | null {
  if (!picked || !sec) {
    return null;
  }
  return picked.kind !== 'head' || picked.head < sec.shape[1] ? picked : null;
}
