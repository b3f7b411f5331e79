/**
 * Finds the notebook an output renderer draws in, by the URL resolver that JupyterLab gives every
 * renderer of a notebook (NotebookWidgetFactory clones the rendermime with the document context's
 * urlResolver, and cells, linked output views and ipywidgets Output widgets all use that clone), and
 * reads its `widgets` metadata: the saved widget state.
 */
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

/** What is used of INotebookTracker (tests pass a fake). */
export type PanelTracker = Pick<INotebookTracker, 'find' | 'widgetAdded'>;

/** How long to wait for the notebook to be tracked (a second view renders its cells before that). */
export const FIND_MS = 3000;

function panelOf(tracker: PanelTracker, resolver: IRenderMime.IResolver): Promise<NotebookPanel | null> {
  const find = (): NotebookPanel | null => tracker.find(p => p.context.urlResolver === resolver) ?? null;
  const now = find();
  if (now) {
    return Promise.resolve(now);
  }
  return new Promise(resolve => {
    const done = (panel: NotebookPanel | null): void => {
      clearTimeout(timer);
      tracker.widgetAdded.disconnect(added);
      resolve(panel);
    };
    const added = (): void => {
      const panel = find();
      if (panel) {
        done(panel);
      }
    };
    const timer = setTimeout(() => done(null), FIND_MS);
    tracker.widgetAdded.connect(added);
  });
}

type NotebookModel = NonNullable<NotebookPanel['context']['model']>;

/**
 * One read of the `widgets` metadata per notebook and change: getMetadata deep-copies it (the saved
 * state of every widget, buffers and all), and a notebook may have many attnscope outputs. Readers
 * never change it (src/saved-state.ts copies what it fills in).
 */
const cached = new WeakMap<NotebookModel, { value: unknown }>();
const watched = new WeakSet<NotebookModel>();

function widgetsOf(model: NotebookModel): unknown {
  let hit = cached.get(model);
  if (!hit) {
    hit = { value: model.getMetadata('widgets') };
    cached.set(model, hit);
    if (!watched.has(model)) {
      watched.add(model);
      model.metadataChanged?.connect(() => cached.delete(model));
    }
  }
  return hit.value;
}

/** The saved `widgets` metadata of the notebook of `resolver`; undefined outside a notebook. */
export function notebookWidgetsMetadata(tracker: PanelTracker | null) {
  return async (resolver: IRenderMime.IResolver | null | undefined): Promise<unknown> => {
    if (!tracker || !resolver) {
      return undefined;
    }
    const panel = await panelOf(tracker, resolver);
    if (!panel) {
      return undefined;
    }
    await panel.context.ready;
    return panel.context.model ? widgetsOf(panel.context.model) : undefined;
  };
}
