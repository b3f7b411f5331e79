import { DOMWidgetModel, ISerializers } from '@jupyter-widgets/base';

import { isPairFilter } from './data/filters';
import { Selection } from './data/selection';
import { DecodedSections, decodeSections, Section, SectionSource } from './sections';
import { fromPython, MIRRORED, SelectionRequest, toPython } from './selection-sync';
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
    this.on('change:selection', () => this.followPython(() => this.applyRequest(this.get('selection'))));
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

  /** The `heads` trait holds real head ids; the selection works with head slots. */
  private initialHeads(sec: Section | undefined = this.section(this.selectionInstance?.state.section ?? '')): number[] {
    const heads = this.get('heads');
    if (!Array.isArray(heads) || !sec) {
      return [];
    }
    return heads.map(h => sec.heads.indexOf(h)).filter(slot => slot >= 0);
  }

  /** Applies what Python set in `selection` (any subset of its keys). */
  private applyRequest(value: unknown): void {
    const sel = this.selectionInstance;
    if (!sel || !value || typeof value !== 'object' || Object.keys(value).length === 0) {
      return;
    }
    const named = (value as { section?: unknown }).section;
    const sec = this.section(typeof named === 'string' ? named : sel.state.section);
    if (!sec) {
      throw new RangeError(`selection.section: no section named ${String(named)}`);
    }
    const req: SelectionRequest = fromPython(value, sec);
    sel.batch(() => {
      if (req.section !== undefined && req.section !== sel.state.section) {
        const layer = req.layer ?? (sec.layers.includes(sel.state.layer) ? sel.state.layer : sec.layers[0]);
        sel.setSection(sec.key, sec.attention.shape[1], layer, { query: sec.queryTokens.length, key: sec.keyTokens.length });
      }
      if (req.layer !== undefined) {
        sel.setLayer(req.layer);
      }
      if (req.heads !== undefined) {
        sel.setHeads(req.heads);
      }
      if (req.pinned !== undefined) {
        sel.pin(req.pinned);
      }
      if (req.openHead !== undefined) {
        sel.setOpenHead(req.openHead);
      }
    });
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
    const sections = this.sectionList;
    if (!sections.length) {
      this.selectionInstance = null;
      return;
    }
    const wanted = this.section(this.get('section')) ?? sections[0];
    const layer = wanted.layers.includes(this.get('layer')) ? (this.get('layer') as number) : wanted.layers[0];
    const nHeads = wanted.attention.shape[1];
    const heads = this.initialHeads(wanted).filter(h => h < nHeads);
    const filter = this.get('filter');
    const sel = new Selection({
      section: wanted.key,
      layer,
      nHeads,
      ...(heads.length ? { heads } : {}),
      ...(isPairFilter(filter) ? { filter } : {})
    });
    this.selectionInstance = sel;
    // What Python put in `selection` before display (pinned token, open head...) applies first.
    this.followPython(() => this.applyRequest(this.get('selection')));
    sel.subscribe((_s, changed) => {
      if (MIRRORED.some(k => changed.has(k))) {
        this.mirror();
      }
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
