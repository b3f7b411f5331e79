/**
 * The views a widget (or an offline page) can mount, by the names of the Python `views` trait,
 * each with its export button. One place, so the notebook widget and the offline HTML export run
 * the same rendering code.
 */
import { SectionSource } from './data/section';
import { exportHeadView, exportModelView, exportNeuronView, exportTextView } from './export/views';
import { Selection } from './selection/state';
import { ViewHandle } from './views/base';
import { HeadView } from './views/head/view';
import { GridView } from './views/model/view';
import { NeuronView } from './views/neuron/view';
import { TextView } from './views/text/view';

type ViewFactory = (source: SectionSource, selection: Selection) => ViewHandle;

/** `view` with `decorate(view)` attached; disposing the handle removes both. */
function decorated<V extends ViewHandle>(view: V, decorate: (view: V) => () => void): ViewHandle {
  const undo = decorate(view);
  return {
    element: view.element,
    dispose: () => {
      undo();
      view.dispose();
    }
  };
}

export const VIEW_FACTORIES: Readonly<Record<string, ViewFactory>> = {
  head: (source, selection) => decorated(new HeadView(source, selection), exportHeadView),
  model: (source, selection) => decorated(new GridView(source, selection), exportModelView),
  neuron: (source, selection) => decorated(new NeuronView(source, selection), exportNeuronView),
  text: (source, selection) => decorated(new TextView(source, selection), exportTextView)
};

/** A visible error in place of a view: bad data never throws into the page. */
export function errorView(viewName: string, message: string): ViewHandle {
  const el = document.createElement('div');
  el.className = `attnscope-view attnscope-${viewName} attnscope-error`;
  el.dataset.state = 'error';
  el.setAttribute('role', 'alert');
  el.textContent = `attnscope: ${message}`;
  return { element: el, dispose: () => el.remove() };
}

/**
 * Mounts the named views into `container`, all reading and writing the one `selection`.
 * `dataError` (malformed data) replaces every view with that error.
 */
export function mountViews(
  container: HTMLElement,
  source: SectionSource,
  selection: Selection | null,
  names: readonly string[],
  dataError: string | null
): ViewHandle[] {
  return names.map(name => {
    const factory = VIEW_FACTORIES[name];
    let handle: ViewHandle;
    if (dataError !== null || !selection) {
      handle = errorView(name, `the attention data could not be read: ${dataError ?? 'no data'}`);
    } else if (!factory) {
      handle = errorView(name, `unknown view "${name}"; available: ${Object.keys(VIEW_FACTORIES).join(', ')}`);
    } else {
      try {
        handle = factory(source, selection);
      } catch (err) {
        handle = errorView(name, err instanceof Error ? err.message : String(err));
      }
    }
    container.appendChild(handle.element);
    return handle;
  });
}
