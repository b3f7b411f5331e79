/**
 * @jest-environment jsdom
 *
 * Issue 16 item 3: attnscope's own output mimetype. The pure parts (a model's state out of the
 * notebook's widget-state metadata, the choice of what to show), the renderer in each case, the
 * notebook lookup by URL resolver, and the page's registry of live models.
 */
import './fixtures/dom-shims';
import * as fs from 'fs';
import * as path from 'path';
import { Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { LiveModels } from '../live-models';
import { FIND_MS, notebookWidgetsMetadata, PanelTracker } from '../notebook-metadata';
import {
  AttentionOutput,
  LiveModel,
  NO_STATE_NOTE,
  outputRendererFactory,
  SAVED_NOTE,
  VIEW_MIMETYPE,
  VIEW_MIMETYPE_RANK,
  WAIT_MS
} from '../output-renderer';
import { outputMode, putBuffers, savedModel, WIDGET_STATE_MIMETYPE } from '../saved-state';

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'fixtures', 'wire_attention_2x3x4x4.json'), 'utf-8')
) as { dtype: string; shape: number[]; buffer_base64: string };

const TOKENS = ['[CLS]', '</script><b>x</b>', 'cat', '[SEP]'];
const ID = 'abc123';

/** A notebook's `widgets` metadata as JupyterLab saves it (drop_defaults: `layer` 0 is absent). */
function metadata(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [WIDGET_STATE_MIMETYPE]: {
      version_major: 2,
      version_minor: 0,
      state: {
        layoutid: { model_module: '@jupyter-widgets/base', model_name: 'LayoutModel', model_module_version: '2.0.0', state: {} },
        [ID]: {
          model_module: 'attnscope',
          model_name: 'AttentionModel',
          model_module_version: '^0.1.0',
          state: {
            views: ['head', 'model'],
            heads: [2],
            selection: { pinned: { side: 'query', index: 2 } },
            sections: [
              {
                key: 'self',
                label: 'Attention',
                attention: { dtype: 'float16', shape: fixture.shape },
                layers: [0, 1],
                heads: [0, 1, 2],
                query_tokens: TOKENS,
                key_tokens: TOKENS
              }
            ]
          },
          buffers: [{ encoding: 'base64', path: ['sections', 0, 'attention', 'buffer'], data: fixture.buffer_base64 }],
          ...over
        }
      }
    }
  };
}

function mimeModel(data: Record<string, unknown>): IRenderMime.IMimeModel {
  return { trusted: false, data: data as IRenderMime.IMimeModel['data'], metadata: {}, setData: () => undefined };
}

const bundle = (id = ID): Record<string, unknown> => ({
  [VIEW_MIMETYPE]: { model_id: id, version: 1 },
  'application/vnd.jupyter.widget-view+json': { model_id: id, version_major: 2, version_minor: 0 },
  'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"><text>picture</text></svg>',
  'text/plain': 'AttentionWidget(...)'
});

/** A model whose manager makes a Lumino widget, as ipywidgets' create_view does. */
function fakeModel(): LiveModel & { made: Widget[] } {
  const made: Widget[] = [];
  return {
    made,
    widget_manager: {
      create_view: async () => {
        const w = new Widget();
        w.addClass('live-view');
        made.push(w);
        return { luminoWidget: w, remove: () => w.dispose() };
      }
    }
  };
}

const options = { mimeType: VIEW_MIMETYPE, resolver: null } as unknown as IRenderMime.IRendererOptions;
/** The first section's attention array of a saved model. */
type SavedSection = { attention: { buffer: DataView }; query_tokens: string[] };
const firstSection = (sections: unknown): SavedSection => (sections as SavedSection[])[0];

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
};

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => {
  document.body.innerHTML = '';
  jest.useRealTimers();
});

describe('savedModel: one model out of the saved widget state', () => {
  it('puts each buffer back at its path and fills the traits saved as defaults', () => {
    const saved = savedModel(metadata(), ID)!;
    const sec = firstSection(saved.sections);
    expect(sec.attention.buffer).toBeInstanceOf(DataView);
    expect(sec.attention.buffer.byteLength).toBe(2 * 3 * 4 * 4 * 2);
    expect(sec.query_tokens).toEqual(TOKENS);
    expect(saved.initial).toEqual({
      views: ['head', 'model'],
      sentence_b_start: null,
      layer: 0,
      heads: [2],
      section: '',
      selection: { pinned: { side: 'query', index: 2 } }
    });
  });

  it('reads hex buffers too, and never changes the metadata', () => {
    const md = metadata();
    const before = JSON.stringify(md);
    const hex = Buffer.from(fixture.buffer_base64, 'base64').toString('hex');
    const fromHex = savedModel(metadata({ buffers: [{ encoding: 'hex', path: ['sections', 0, 'attention', 'buffer'], data: hex }] }), ID)!;
    const fromB64 = savedModel(md, ID)!;
    const bytes = (s: typeof fromHex): number[] =>
      Array.from(new Uint8Array(firstSection(s.sections).attention.buffer.buffer));
    expect(bytes(fromHex)).toEqual(bytes(fromB64));
    expect(JSON.stringify(md)).toBe(before);
  });

  it('is null when nothing was saved for the model', () => {
    expect(savedModel(undefined, ID)).toBeNull();
    expect(savedModel({}, ID)).toBeNull();
    expect(savedModel({ [WIDGET_STATE_MIMETYPE]: { state: {} } }, ID)).toBeNull();
    expect(savedModel(metadata(), 'other')).toBeNull();
  });

  it('refuses another kind of model and unreadable buffers', () => {
    expect(() => savedModel(metadata(), 'layoutid')).toThrow(/not an attnscope view/);
    expect(() => savedModel(metadata({ buffers: [{ path: ['nowhere', 'x'], data: '' }] }), ID)).toThrow(/not in the state/);
    expect(() => savedModel(metadata({ buffers: [{ path: ['sections'], data: 'zz', encoding: 'hex' }] }), ID)).toThrow(/hex/);
    expect(() => savedModel(metadata({ buffers: [{ path: ['sections'], data: '', encoding: 'rot13' }] }), ID)).toThrow(/encoding/);
    expect(() => putBuffers({}, 'no')).toThrow(/not a list/);
  });
});

describe('outputMode: what an output shows', () => {
  it.each([
    [{ live: true, saved: true, waited: true }, 'live'],
    [{ live: true, saved: false, waited: false }, 'live'],
    [{ live: false, saved: true, waited: false }, 'saved'],
    [{ live: false, saved: true, waited: true }, 'saved'],
    [{ live: false, saved: false, waited: false }, 'waiting'],
    [{ live: false, saved: false, waited: true }, 'picture']
  ] as const)('%j -> %s', (has, mode) => expect(outputMode(has)).toBe(mode));
});

describe('AttentionOutput (the renderer)', () => {
  function renderer(live: LiveModels<ReturnType<typeof fakeModel>>, md: unknown): AttentionOutput<ReturnType<typeof fakeModel>> {
    const r = new AttentionOutput(options, { live, widgetsMetadata: async () => md });
    Widget.attach(r, document.body);
    return r;
  }

  it('is safe and outranks the ipywidgets view mimetype (-10)', () => {
    const factory = outputRendererFactory({ live: new LiveModels<LiveModel>(), widgetsMetadata: async () => undefined });
    expect(factory.safe).toBe(true);
    expect(factory.mimeTypes).toEqual([VIEW_MIMETYPE]);
    expect(factory.defaultRank).toBe(VIEW_MIMETYPE_RANK);
    expect(VIEW_MIMETYPE_RANK).toBeLessThan(-10);
  });

  it('shows the live widget when the page has the model', async () => {
    const live = new LiveModels<ReturnType<typeof fakeModel>>();
    const model = fakeModel();
    live.add(ID, model);
    const r = renderer(live, metadata());
    await r.renderModel(mimeModel(bundle()));
    expect(r.shown).toBe('live');
    expect(r.node.dataset.attnscopeOutput).toBe('live');
    expect(r.node.querySelector('.live-view')).not.toBeNull();
    expect(r.node.querySelector('.attnscope-head')).toBeNull();
    // a closed widget leaves no empty box
    model.made[0].dispose();
    expect(r.isHidden).toBe(true);
  });

  it('without the model, mounts the saved views read-only with a note, then follows a model that comes', async () => {
    const live = new LiveModels<ReturnType<typeof fakeModel>>();
    const r = renderer(live, metadata());
    await r.renderModel(mimeModel(bundle()));
    expect(r.shown).toBe('saved');
    expect(r.node.querySelector('.attnscope-saved-note')!.textContent).toBe(SAVED_NOTE);
    const head = r.node.querySelector<HTMLElement>('.attnscope-head')!;
    expect(head.dataset.state).toBe('ready');
    expect(head.dataset.heads).toBe('2');
    expect(head.dataset.focus).toBe('query:2');
    expect(r.node.querySelector<HTMLElement>('.attnscope-model')!.dataset.thumbs).toBe('6');
    // tokens stay text, in an untrusted output too
    expect(r.node.querySelector('b')).toBeNull();
    expect(r.node.querySelector('.attnscope-token[data-side="key"][data-index="1"]')!.textContent).toBe(TOKENS[1]);

    live.add(ID, fakeModel()); // the widget manager restored it, or a kernel made it
    await flush();
    expect(r.shown).toBe('live');
    expect(r.node.querySelector('.attnscope-head')).toBeNull();
    expect(r.node.querySelector('.live-view')).not.toBeNull();
  });

  it('without model or saved state, waits, then shows the static picture as an image and why', async () => {
    jest.useFakeTimers();
    const r = renderer(new LiveModels<ReturnType<typeof fakeModel>>(), {});
    await r.renderModel(mimeModel(bundle()));
    expect(r.shown).toBe('waiting');
    jest.advanceTimersByTime(WAIT_MS + 1);
    expect(r.shown).toBe('picture');
    const img = r.node.querySelector<HTMLImageElement>('img.attnscope-picture')!;
    expect(img.src.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(img.src)).toContain('<text>picture</text>');
    expect(r.node.textContent).toContain(NO_STATE_NOTE);
    // no svg element in the page: the picture never runs as markup
    expect(r.node.querySelector('svg')).toBeNull();
  });

  it('says why a saved state could not be read', async () => {
    jest.useFakeTimers();
    const r = renderer(new LiveModels<ReturnType<typeof fakeModel>>(), metadata({ buffers: [{ path: ['x', 'y'], data: '' }] }));
    await r.renderModel(mimeModel(bundle()));
    jest.advanceTimersByTime(WAIT_MS + 1);
    expect(r.shown).toBe('picture');
    expect(r.node.textContent).toMatch(/the saved view could not be read: .*not in the state/);
  });

  it('stops waiting once disposed', async () => {
    jest.useFakeTimers();
    const live = new LiveModels<ReturnType<typeof fakeModel>>();
    const r = renderer(live, {});
    await r.renderModel(mimeModel(bundle()));
    r.dispose();
    const model = fakeModel();
    live.add(ID, model);
    jest.advanceTimersByTime(WAIT_MS + 1);
    await flush();
    expect(model.made).toHaveLength(0);
  });

  it('an output without a model id says so', async () => {
    const r = renderer(new LiveModels<ReturnType<typeof fakeModel>>(), {});
    await r.renderModel(mimeModel({ [VIEW_MIMETYPE]: { version: 1 } }));
    expect(r.node.textContent).toMatch(/names no widget/);
  });
});

describe('notebookWidgetsMetadata: the notebook of a renderer, by its URL resolver', () => {
  type Listener = () => void;
  type FakePanel = ReturnType<typeof panel>;
  function tracker(panels: FakePanel[]): PanelTracker & { added(p: FakePanel): void } {
    const listeners = new Set<Listener>();
    const widgetAdded = { connect: (fn: Listener) => listeners.add(fn), disconnect: (fn: Listener) => listeners.delete(fn) };
    return {
      find: ((fn: (p: FakePanel) => boolean) => panels.find(fn)) as unknown as PanelTracker['find'],
      widgetAdded: widgetAdded as unknown as PanelTracker['widgetAdded'],
      added(p: FakePanel) {
        panels.push(p);
        listeners.forEach(fn => fn());
      }
    };
  }
  const panel = (resolver: object, md: unknown) => ({
    context: { urlResolver: resolver, ready: Promise.resolve(), model: { getMetadata: (k: string) => (k === 'widgets' ? md : undefined) } }
  });

  it('reads the widgets metadata of the notebook whose resolver the renderer got', async () => {
    const mine = {};
    const t = tracker([panel({}, 'other'), panel(mine, 'mine')]);
    expect(await notebookWidgetsMetadata(t)(mine as IRenderMime.IResolver)).toBe('mine');
  });

  it('reads the metadata once per notebook until it changes', async () => {
    const mine = {};
    let reads = 0;
    let changed: (() => void) | null = null;
    const model = {
      getMetadata: () => ({ read: ++reads }),
      metadataChanged: { connect: (fn: () => void) => (changed = fn) }
    };
    const t = tracker([{ context: { urlResolver: mine, ready: Promise.resolve(), model } } as unknown as FakePanel]);
    const lookup = notebookWidgetsMetadata(t);
    expect(await lookup(mine as IRenderMime.IResolver)).toEqual({ read: 1 });
    expect(await lookup(mine as IRenderMime.IResolver)).toEqual({ read: 1 });
    changed!();
    expect(await lookup(mine as IRenderMime.IResolver)).toEqual({ read: 2 });
  });

  it('waits for a notebook not tracked yet, and gives up outside notebooks', async () => {
    jest.useFakeTimers();
    const mine = {};
    const t = tracker([]);
    const lookup = notebookWidgetsMetadata(t);
    const found = lookup(mine as IRenderMime.IResolver);
    t.added(panel(mine, 'late'));
    expect(await found).toBe('late');
    const none = lookup({} as IRenderMime.IResolver);
    jest.advanceTimersByTime(FIND_MS + 1);
    expect(await none).toBeUndefined();
    expect(await notebookWidgetsMetadata(null)(mine as IRenderMime.IResolver)).toBeUndefined();
    expect(await lookup(null)).toBeUndefined();
  });
});

describe('LiveModels', () => {
  it('keeps models by id, tells who waits, forgets closed ones only', () => {
    type M = { name: string };
    const live = new LiveModels<M>();
    const [a, a2] = [{ name: 'A' }, { name: 'A2' }];
    const seen: string[] = [];
    const cancel = live.whenAdded('a', m => seen.push(m.name));
    live.whenAdded('a', m => seen.push(`2:${m.name}`));
    cancel();
    live.add('a', a);
    expect(seen).toEqual(['2:A']);
    live.add('a', a2);
    expect(seen).toEqual(['2:A']); // called once
    live.remove('a', a); // an older model of the same id
    expect(live.get('a')).toBe(a2);
    live.remove('a', a2);
    expect(live.get('a')).toBeUndefined();
  });
});
