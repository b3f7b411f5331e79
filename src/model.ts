import { DOMWidgetModel, ISerializers } from '@jupyter-widgets/base';

import { headIdsOf, headSlotsOf, layerId } from './selection/ids';
import { Selection } from './selection/state';
import { SliceStore } from './data/slice-store';
import { WireSlice } from './wire/messages';
import { DEFAULT_VIEW_OPTIONS, decodeViewOptions, ViewOptions } from './wire/view-options';
import { applyStats } from './data/stats';
import { DecodedSections, decodeSections } from './data/sections';
import { DataChange, Section, SectionSource } from './data/section';
import { settings } from './config/settings';
import { applySelectionRequest, createSelection, MIRRORED, toPython } from './selection/mirror';
import { MODULE_NAME, MODULE_VERSION } from './version';
import { LiveModels } from './live-models';

/** Every AttentionModel of this page, from initialize to close (src/output-renderer.ts reads it). */
export const liveModels = new LiveModels<AttentionModel>();

/**
 * The widget model: decoded attention sections and the one Selection that every view of every
 * display of this widget reads and writes.
 */
export class AttentionModel extends DOMWidgetModel implements SectionSource {
  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    sections: {
      deserialize: (value: unknown): DecodedSections => decodeSections(value),
      // Saved widget state must hold the wire form again, not our decoded Tensors; lazy sections
      // also carry the slices fetched so far, so that a saved notebook shows them with no kernel.
      serialize: (value: DecodedSections | unknown): unknown =>
        value && typeof value === 'object' && 'raw' in value ? withFetched(value as DecodedSections) : value
    }
  };

  private selectionInstance: Selection | null = null;
  private readonly dataListeners = new Set<(change?: DataChange) => void>();
  private storeOff: (() => void) | null = null;
  private settingsOff: (() => void) | null = null;

  defaults(): Record<string, unknown> {
    return {
      ...super.defaults(),
      _model_name: 'AttentionModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'AttentionView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      sections: decodeSections([]),
      sentence_b_start: null,
      layer: 0,
      heads: [],
      section: '',
      views: ['head'],
      view_options: { ...DEFAULT_VIEW_OPTIONS },
      selection: {}
    };
  }

  initialize(attributes: Record<string, unknown>, options: Parameters<DOMWidgetModel['initialize']>[1]): void {
    super.initialize(attributes, options);
    this.attachStore();
    this.on('change:sections', () => {
      this.attachStore();
      this.resetSelection();
    });
    this.on('change:view_options', () => this.dataListeners.forEach(fn => fn()));
    this.on('msg:custom', (content: unknown, buffers?: (DataView | ArrayBuffer)[]) => {
      if (!this.receiveStats(content, buffers ?? [])) {
        this.store?.receive(content, buffers ?? []);
      }
    });
    // JupyterLab marks every widget's comm dead when the kernel restarts: nothing pending will come
    this.on('comm_live_update', () => {
      if (!this.comm_live) {
        this.store?.lost('The kernel restarted or disconnected before it sent this. Run the cell again to see it.');
      }
    });
    this.settingsOff = settings.subscribe(() => this.configureStore());
    this.on('change:layer', () => this.followPython(() => this.selectionInstance?.setLayer(this.get('layer'))));
    this.on('change:heads', () => this.followPython(() => this.selectionInstance?.setHeads(this.headSlots())));
    this.on('change:selection', () =>
      this.followPython(() => this.selectionInstance && applySelectionRequest(this.selectionInstance, this, this.get('selection')))
    );
    liveModels.add(this.model_id, this); // last: whoever waits for it gets a ready model
  }

  /**
   * Closing (w.close() in Python, or the page) also drops the decoded data: JupyterLab may keep a
   * closed model reachable through its comm's handlers, and the attention buffers must not stay
   * alive with it.
   */
  async close(commClosed = false): Promise<void> {
    liveModels.remove(this.model_id, this);
    await super.close(commClosed);
    this.selectionInstance = null;
    this.storeOff?.();
    this.settingsOff?.();
    this.store?.clear();
    this.dataListeners.clear();
    const empty = decodeSections([]);
    // twice, silently: Backbone keeps the value before the last set as the "previous" attributes
    this.set('sections', empty, { silent: true });
    this.set('sections', empty, { silent: true });
  }

  /** The slices of lazy sections held in the page (null when every section is eager). */
  get store(): SliceStore | null {
    const d = this.decoded;
    return d && d.ok ? d.store : null;
  }

  onData(fn: (change?: DataChange) => void): () => void {
    this.dataListeners.add(fn);
    return () => this.dataListeners.delete(fn);
  }

  release(consumer: string): void {
    this.store?.release(consumer);
  }

  retry(key: string, layerSlot: number, headSlots: readonly number[]): void {
    const sec = this.section(key);
    if (sec && sec.lazy) {
      this.store?.retry(key, layerId(sec, layerSlot), headIdsOf(sec, headSlots));
    }
  }

  /** Connects the store of the current sections to this widget's comm and to the settings. */
  private attachStore(): void {
    this.storeOff?.();
    this.storeOff = null;
    const store = this.store;
    if (!store) {
      return;
    }
    this.configureStore();
    store.attach({
      send: request => {
        if (!this.comm_live) {
          return false;
        }
        this.send({ ...request }, {});
        return true;
      }
    });
    this.storeOff = store.subscribe(() => this.dataListeners.forEach(fn => fn()));
  }

  private configureStore(): void {
    const { cacheMegabytes, fetchTimeoutSeconds } = settings.value;
    this.store?.setOptions({ maxBytes: cacheMegabytes * 2 ** 20, timeoutMs: fetchTimeoutSeconds * 1000 });
  }

  get decoded(): DecodedSections {
    return this.get('sections') as DecodedSections;
  }

  get sectionList(): Section[] {
    const d = this.decoded;
    return d && d.ok ? d.sections : [];
  }

  section(key: string): Section | undefined {
    return this.sectionList.find(s => s.key === key);
  }

  get viewOptions(): ViewOptions {
    return decodeViewOptions(this.get('view_options'));
  }

  get sentenceBStart(): number | null {
    const v = this.get('sentence_b_start');
    return Number.isInteger(v) ? (v as number) : null;
  }

  /** The shared selection; null while the data is missing or malformed. */
  get selection(): Selection | null {
    if (!this.selectionInstance) {
      this.resetSelection();
    }
    return this.selectionInstance;
  }

  /** Tells Python what the user chose (not hover), so kernel code can read and react to it. */
  private mirror(): void {
    const sel = this.selectionInstance;
    const sec = sel && this.section(sel.state.section);
    if (sel && sec) {
      this.set('selection', toPython(sel.state, sec));
      this.save_changes();
    }
  }

  private resetSelection(): void {
    const sel = createSelection(this, { section: this.get('section'), layer: this.get('layer'), heads: this.get('heads') });
    this.selectionInstance = sel;
    if (!sel) {
      return;
    }
    // What Python put in `selection` before display (pinned token, open head...) applies first.
    this.followPython(() => applySelectionRequest(sel, this, this.get('selection')));
    sel.subscribe((_s, changed) => {
      if (MIRRORED.some(k => changed.has(k))) {
        this.mirror();
      }
    });
  }

  /**
   * A section's head statistics and scores, or how far the kernel is with them, sent after the
   * widget was shown. True when the message was a stats or progress message (applied, or malformed
   * and reported in the console, never thrown). The views hear of it as a data change.
   */
  private receiveStats(content: unknown, buffers: readonly (DataView | ArrayBuffer)[]): boolean {
    const d = this.get('sections') as DecodedSections;
    try {
      const key = applyStats(d, content, buffers);
      if (key === null) {
        return false;
      }
      this.trigger('stats', key);
      // progress changes no weights: views redraw nothing for it (a head view would raster every line)
      const change: DataChange = (content as { type?: unknown }).type === 'progress' ? 'progress' : 'scores';
      this.dataListeners.forEach(fn => fn(change));
    } catch (err) {
      console.warn(`${MODULE_NAME}: ignored malformed head statistics:`, err);
    }
    return true;
  }

  /** The `heads` trait holds real head ids; the selection works with head slots. */
  private headSlots(): number[] {
    const sec = this.selectionInstance && this.section(this.selectionInstance.state.section);
    const heads = this.get('heads');
    return sec && Array.isArray(heads) ? headSlotsOf(sec, heads) : [];
  }

  /** A change pushed from Python moves the views; a bad value is reported, never thrown. */
  private followPython(apply: () => void): void {
    try {
      apply();
    } catch (err) {
      console.warn(`${MODULE_NAME}: ignored a value from Python:`, err);
    }
  }
}

/** At most this much fetched float16 data is saved with the notebook per widget. */
export const MAX_SAVED_BYTES = 32 * 2 ** 20;

/** The wire form to save: lazy sections get `fetched` = the slices the page holds (most recent first). */
function withFetched(d: DecodedSections): unknown {
  if (!d.ok || !d.store || !Array.isArray(d.raw)) {
    return d.raw;
  }
  const slices = d.store.saved(MAX_SAVED_BYTES);
  return d.raw.map((sec: unknown) => {
    if (!sec || typeof sec !== 'object' || (sec as Record<string, unknown>).lazy !== true) {
      return sec;
    }
    const key = (sec as Record<string, unknown>).key;
    const fetched: WireSlice[] = slices.filter(s => s.section === key);
    return { ...(sec as Record<string, unknown>), fetched };
  });
}
