import { DOMWidgetModel, ISerializers } from '@jupyter-widgets/base';

import { isPairFilter } from './data/filters';
import { Selection } from './data/selection';
import { DecodedSections, decodeSections, Section, SectionSource } from './sections';
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
    this.on('change:heads', () => this.followPython(() => this.selectionInstance?.setHeads(this.initialHeads())));
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

  private initialHeads(): number[] {
    const heads = this.get('heads');
    return Array.isArray(heads) ? heads.filter((h): h is number => Number.isInteger(h)) : [];
  }

  private resetSelection(): void {
    const sections = this.sectionList;
    if (!sections.length) {
      this.selectionInstance = null;
      return;
    }
    const wanted = this.section(this.get('section')) ?? sections[0];
    const layer = wanted.layers.includes(this.get('layer')) ? (this.get('layer') as number) : wanted.layers[0];
    const nHeads = wanted.attention.shape[1];
    const heads = this.initialHeads().filter(h => h < nHeads);
    const filter = this.get('filter');
    this.selectionInstance = new Selection({
      section: wanted.key,
      layer,
      nHeads,
      ...(heads.length ? { heads } : {}),
      ...(isPairFilter(filter) ? { filter } : {})
    });
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
