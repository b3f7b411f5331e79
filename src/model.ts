import { DOMWidgetModel, ISerializers } from '@jupyter-widgets/base';

import { Selection } from './data/selection';
import { DecodedSections, decodeSections, Section, SectionSource } from './sections';
import { applySelectionRequest, createSelection, MIRRORED, toPython } from './selection-sync';
import { MODULE_NAME, MODULE_VERSION } from './version';

/**
 * The widget model: decoded attention sections and the one Selection that every view of every
 * display of this widget reads and writes.
 */
export class AttentionModel extends DOMWidgetModel implements SectionSource {
  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    sections: {
      deserialize: (value: unknown): DecodedSections => decodeSections(value),
      // Saved widget state must hold the wire form again, not our decoded Tensors.
      serialize: (value: DecodedSections | unknown): unknown =>
        value && typeof value === 'object' && 'raw' in value ? (value as DecodedSections).raw : value
    }
  };

  private selectionInstance: Selection | null = null;

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
      selection: {}
    };
  }

  initialize(attributes: Record<string, unknown>, options: Parameters<DOMWidgetModel['initialize']>[1]): void {
    super.initialize(attributes, options);
    this.on('change:sections', () => this.resetSelection());
    this.on('change:layer', () => this.followPython(() => this.selectionInstance?.setLayer(this.get('layer'))));
    this.on('change:heads', () => this.followPython(() => this.selectionInstance?.setHeads(this.headSlots())));
    this.on('change:selection', () =>
      this.followPython(() => this.selectionInstance && applySelectionRequest(this.selectionInstance, this, this.get('selection')))
    );
  }

  /**
   * Closing (w.close() in Python, or the page) also drops the decoded data: JupyterLab may keep a
   * closed model reachable through its comm's handlers, and the attention buffers must not stay
   * alive with it.
   */
  async close(commClosed = false): Promise<void> {
    await super.close(commClosed);
    this.selectionInstance = null;
    const empty = decodeSections([]);
    // twice, silently: Backbone keeps the value before the last set as the "previous" attributes
    this.set('sections', empty, { silent: true });
    this.set('sections', empty, { silent: true });
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

  /** The `heads` trait holds real head ids; the selection works with head slots. */
  private headSlots(): number[] {
    const sec = this.selectionInstance && this.section(this.selectionInstance.state.section);
    const heads = this.get('heads');
    return sec && Array.isArray(heads) ? heads.map(h => sec.heads.indexOf(h)).filter(slot => slot >= 0) : [];
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
