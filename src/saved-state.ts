/**
 * Reading one attnscope widget out of a notebook's saved widget state (metadata `widgets` ->
 * `application/vnd.jupyter.widget-state+json`, as JupyterLab's "Save Widget State Automatically"
 * and nbclient's `store_widget_state` write it), and the choice of what an attnscope output shows.
 * Pure: no DOM, no JupyterLab.
 */
import type { InitialViews } from './standalone';

export const WIDGET_STATE_MIMETYPE = 'application/vnd.jupyter.widget-state+json';

/** The state of one saved model: its traits with every binary buffer put back in place. */
export interface SavedModel {
  sections: unknown;
  initial: InitialViews;
}

interface SavedBuffer {
  path: (string | number)[];
  data: string;
  encoding?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function decodeBytes(data: string, encoding: string | undefined): DataView {
  let bytes: Uint8Array;
  if (encoding === 'hex') {
    if (data.length % 2 !== 0 || /[^0-9a-f]/i.test(data)) {
      throw new Error('a saved buffer is not valid hex');
    }
    bytes = new Uint8Array(data.length / 2);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(data.slice(2 * i, 2 * i + 2), 16);
    }
  } else if (encoding === undefined || encoding === 'base64') {
    const bin = atob(data);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) {
      bytes[i] = bin.charCodeAt(i);
    }
  } else {
    throw new Error(`a saved buffer has an unknown encoding ${JSON.stringify(encoding)}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A copy of `state` with each buffer at its path (ipywidgets' put_buffers, without mutating the input). */
export function putBuffers(state: Record<string, unknown>, buffers: unknown): Record<string, unknown> {
  if (buffers === undefined) {
    return state;
  }
  if (!Array.isArray(buffers)) {
    throw new Error('the saved buffers are not a list');
  }
  const root: Record<string, unknown> = { ...state };
  for (const b of buffers as SavedBuffer[]) {
    if (!isObject(b) || !Array.isArray(b.path) || b.path.length === 0 || typeof b.data !== 'string') {
      throw new Error('a saved buffer has no path or no data');
    }
    type Node = Record<string | number, unknown>;
    let node: Node = root;
    for (let i = 0; i < b.path.length - 1; i++) {
      const key = b.path[i];
      const next: unknown = node[key];
      if (typeof next !== 'object' || next === null) {
        throw new Error(`a saved buffer's path ${JSON.stringify(b.path)} is not in the state`);
      }
      const copy: Node = Array.isArray(next) ? ([...next] as unknown as Node) : { ...(next as Node) };
      node[key] = copy;
      node = copy;
    }
    node[b.path[b.path.length - 1]] = decodeBytes(b.data, b.encoding);
  }
  return root;
}

/**
 * The saved attnscope model `modelId` in a notebook's `widgets` metadata: null when the notebook
 * saved no state for it (or saved none at all). Throws when it is there but cannot be read, or is not
 * an attnscope model.
 */
export function savedModel(widgetsMetadata: unknown, modelId: string): SavedModel | null {
  const bundle = isObject(widgetsMetadata) ? widgetsMetadata[WIDGET_STATE_MIMETYPE] : undefined;
  const models = isObject(bundle) ? bundle.state : undefined;
  const entry = isObject(models) ? models[modelId] : undefined;
  if (!isObject(entry)) {
    return null;
  }
  if (entry.model_module !== 'attnscope' || entry.model_name !== 'AttentionModel') {
    throw new Error(`saved model ${modelId} is a ${String(entry.model_module)}.${String(entry.model_name)}, not an attnscope view`);
  }
  const state = putBuffers(isObject(entry.state) ? entry.state : {}, entry.buffers);
  // The state is saved with drop_defaults: a trait left at the model's default is absent.
  return {
    sections: state.sections,
    initial: {
      views: Array.isArray(state.views) ? (state.views as string[]) : ['head'],
      sentence_b_start: typeof state.sentence_b_start === 'number' ? state.sentence_b_start : null,
      layer: typeof state.layer === 'number' ? state.layer : 0,
      heads: Array.isArray(state.heads) ? (state.heads as number[]) : [],
      section: typeof state.section === 'string' ? state.section : '',
      selection: isObject(state.selection) ? state.selection : {}
    }
  };
}

/** What an attnscope output shows. */
export type OutputMode = 'live' | 'saved' | 'picture' | 'waiting';

/**
 * The live widget whenever the page has its model (a kernel made it, or JupyterLab's widget manager
 * restored it); else the views from the saved state; else, once waiting is over (no model came), the
 * static picture of the bundle.
 */
export function outputMode(has: { live: boolean; saved: boolean; waited: boolean }): OutputMode {
  if (has.live) {
    return 'live';
  }
  if (has.saved) {
    return 'saved';
  }
  return has.waited ? 'picture' : 'waiting';
}
