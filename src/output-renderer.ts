/**
 * The renderer of attnscope's own output mimetype (issue 16 item 3). Every widget bundle from the
 * kernel carries `{model_id, version}` under VIEW_MIMETYPE beside the ipywidgets view mimetype; with a
 * lower rank than ipywidgets' (-10), JupyterLab and Notebook 7 render our outputs with this renderer:
 * - the page has the widget model (a kernel made it, or the widget manager restored it from the
 *   notebook): the live widget view, made by the model's own widget manager as ipywidgets' renderer
 *   does (hover, fetch, the Python selection mirror all as before);
 * - else the views from the notebook's saved widget state, read-only, with a note: a notebook opened
 *   with No Kernel (the widget manager restores nothing then), or untrusted (JupyterLab renders only
 *   "safe" renderers there; ours is: every token is drawn as text, never as HTML);
 * - else, once no model has come for a while, the static picture of the bundle (as an <img>, which
 *   runs no script). A model that comes later still replaces what is shown.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';

import { LiveModels } from './live-models';
import { outputMode, OutputMode, savedModel, SavedModel } from './saved-state';
import { mountSaved } from './standalone';
import { ViewHandle } from './views/base';

export const VIEW_MIMETYPE = 'application/vnd.attnscope.view+json';
export const VIEW_MIMETYPE_VERSION = 1;
/** Lower is preferred; ipywidgets registers the widget-view mimetype at -10. */
export const VIEW_MIMETYPE_RANK = -20;
export const SAVED_NOTE = 'Saved view (read-only): run the cell for a live widget.';
export const NO_STATE_NOTE =
  'No saved widget state for this view: run the cell for a live widget (JupyterLab: Settings → Save Widget State Automatically keeps the views in the notebook).';
/** How long an output without saved state waits for its model before it shows the static picture. */
export const WAIT_MS = 2500;

/** What the renderer needs of a widget model: its manager makes the live view. */
export interface LiveModel {
  widget_manager: { create_view(model: never): Promise<unknown> };
}

export interface OutputDeps<M extends LiveModel> {
  live: LiveModels<M>;
  /** The `widgets` metadata of the notebook this renderer draws in (found by its URL resolver). */
  widgetsMetadata(resolver: IRenderMime.IResolver | null | undefined): Promise<unknown>;
}

export class AttentionOutput<M extends LiveModel> extends Panel implements IRenderMime.IRenderer {
  private mode: OutputMode | null = null;
  private modelId = '';
  private generation = 0;
  private stopWaiting: (() => void)[] = [];

  constructor(private readonly options: IRenderMime.IRendererOptions, private readonly deps: OutputDeps<M>) {
    super();
    this.addClass('attnscope-output');
  }

  /** What is shown: live | saved | picture | waiting (also the node's data-attnscope-output). */
  get shown(): OutputMode | null {
    return this.mode;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const source = model.data[VIEW_MIMETYPE] as { model_id?: unknown } | undefined;
    const id = typeof source?.model_id === 'string' ? source.model_id : '';
    if (id && id === this.modelId && this.mode === 'live') {
      return; // the same live widget: it updates itself
    }
    const gen = ++this.generation;
    this.cancelWaiting();
    this.modelId = id;
    if (!id) {
      this.display('picture', textWidget('attnscope: this output names no widget.'));
      return;
    }
    const picture = typeof model.data['image/svg+xml'] === 'string' ? (model.data['image/svg+xml'] as string) : null;
    const live = this.deps.live.get(id);
    if (live) {
      return this.showLive(live, gen);
    }
    this.stopWaiting.push(this.deps.live.whenAdded(id, m => void this.showLive(m, gen)));
    let saved: SavedModel | null = null;
    let problem: string | null = null;
    try {
      saved = savedModel(await this.deps.widgetsMetadata(this.options.resolver), id);
    } catch (err) {
      problem = `attnscope: the saved view could not be read: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!this.current(gen) || this.mode === 'live') {
      return;
    }
    const mode = outputMode({ live: false, saved: saved !== null, waited: false });
    if (mode === 'saved' && saved) {
      this.display('saved', savedWidget(saved));
      return;
    }
    this.display('waiting', textWidget('attnscope: loading the views…'));
    const timer = setTimeout(() => {
      if (this.current(gen) && this.mode !== 'live') {
        this.display(outputMode({ live: false, saved: false, waited: true }), pictureWidget(picture, problem ?? NO_STATE_NOTE));
      }
    }, WAIT_MS);
    this.stopWaiting.push(() => clearTimeout(timer));
  }

  dispose(): void {
    this.generation++;
    this.cancelWaiting();
    super.dispose();
  }

  private current(gen: number): boolean {
    return gen === this.generation && !this.isDisposed;
  }

  private async showLive(model: M, gen: number): Promise<void> {
    let view: { luminoWidget?: Widget; remove?: () => void };
    try {
      view = (await model.widget_manager.create_view(model as never)) as typeof view;
    } catch (err) {
      console.error('attnscope: the live view could not be made', err);
      return; // keep what is shown (saved views, or the picture once waiting is over)
    }
    if (!this.current(gen) || !view.luminoWidget) {
      view.remove?.();
      return;
    }
    this.cancelWaiting();
    const widget = view.luminoWidget;
    this.display('live', widget);
    // as ipywidgets' renderer: a closed widget (w.close() in Python) leaves no empty box
    widget.disposed.connect(() => {
      if (!this.isDisposed && this.mode === 'live' && this.current(gen)) {
        this.hide();
      }
    });
  }

  private display(mode: OutputMode, content: Widget): void {
    this.setHidden(false);
    while (this.widgets.length) {
      this.widgets[0].dispose();
    }
    this.mode = mode;
    this.node.dataset.attnscopeOutput = mode;
    this.addWidget(content);
  }

  private cancelWaiting(): void {
    this.stopWaiting.splice(0).forEach(fn => fn());
  }
}

function textWidget(text: string, className = 'attnscope-output-note'): Widget {
  const w = new Widget();
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  w.node.appendChild(p);
  return w;
}

/** The views of a saved model, read-only, with the note; disposing the widget disposes the views. */
function savedWidget(saved: SavedModel): Widget {
  const w = textWidget(SAVED_NOTE, 'attnscope-output-note attnscope-saved-note');
  const views = document.createElement('div');
  w.node.appendChild(views);
  const handles: ViewHandle[] = mountSaved(views, saved.sections, saved.initial);
  w.disposed.connect(() => handles.splice(0).forEach(h => h.dispose()));
  return w;
}

/** The bundle's static picture as an image (an SVG in <img> runs no script and loads nothing), and why. */
function pictureWidget(svg: string | null, note: string): Widget {
  const w = textWidget(note);
  if (svg) {
    const img = document.createElement('img');
    img.className = 'attnscope-picture';
    img.alt = 'attnscope views (static picture of the initial view)';
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    w.node.insertBefore(img, w.node.firstChild);
  }
  return w;
}

/** The rendermime factory; `safe`: see the file comment. */
export function outputRendererFactory<M extends LiveModel>(deps: OutputDeps<M>): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [VIEW_MIMETYPE],
    defaultRank: VIEW_MIMETYPE_RANK,
    createRenderer: options => new AttentionOutput(options, deps)
  };
}
