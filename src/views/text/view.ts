/**
 * Text view controller: the input as running text, each token shaded by the weight it receives
 * from the focused query token (see analysis/text-shading.ts for every rule), read from the one
 * shared Selection. It never talks to other views.
 *
 * Interaction (docs/text-view.md):
 * - hover a token with nothing pinned: it becomes the Selection's hovered QUERY token, so the text
 *   shows what that token attends to (and every other view follows it);
 * - with a token pinned, hovering reads: the shading stays the pinned token's and the tooltip gives
 *   the exact weight of the hovered token;
 * - click pins / unpins; keyboard: one tab stop, arrows move, Enter/Space pin, Escape unpins.
 */
import { isSigned } from '../../data/derived';
import { absMax, GAINED, LOST } from '../../render/diverging';
import { choiceId, HeadChoice, MAX, MEAN, parseChoice } from '../../analysis/aggregate';
import { shadeAlpha } from '../../analysis/text-shading';
import { hasSubwords, wordsOf } from '../../analysis/words';
import { settings } from '../../config/settings';
import { resolveTheme, watchPageTheme } from '../../config/theme';
import { Section, SectionSource } from '../../data/section';
import { paletteFor } from '../../render/colors';
import { formatWeight } from '../../render/format';
import { TextUnit } from '../../render/running-text';
import { displayText } from '../../render/tokens';
import { fillTooltip, showTooltipAt } from '../../render/tooltip';
import { headId, layerSlotOrFirst } from '../../selection/ids';
import { Selection, SelectionState, TokenRef } from '../../selection/state';
import { keptChoice, ViewBase } from '../base';
import { hideControl, markIndices, setOptions } from '../dom';
import { showFetchStatus, stateOf } from '../fetch-status';
import { buildTextViewDom, renderUnits, setLine, TextViewDom } from './dom';
import { defaultChoice, emptyCache, TextShown, textShown } from './shown';
import { textTooltip } from './tooltip';
import { limitText } from './step';
import { generationOf, markGenerated } from '../step-control';

/** What the text view shows now, with the colours it shades in (an export draws it again). */
export interface TextSnapshot extends TextShown {
  /** The shading colour: the head's colour for one head, null for the theme's accent (aggregates, derived sections). */
  color: string | null;
  maxTokenChars: number;
}

export class TextView extends ViewBase {
  readonly element: HTMLElement;
  private readonly dom: TextViewDom;
  private spans: HTMLElement[] = [];
  private units: TextUnit[] = [];
  /** The matrix the user picked; null follows the default (the open head of this layer, else the mean). */
  private picked: HeadChoice | null = null;
  private grouped = false;
  /** The tab stop among the spans (roving tabindex). */
  private tabStop = 0;
  private shown: TextShown | null = null;
  /** The matrix (and its word-grouped form) of the last paint: hover repaints reuse it. */
  private readonly cache = emptyCache();

  constructor(model: SectionSource, selection: Selection) {
    super(model, selection);
    this.dom = buildTextViewDom(document);
    this.element = this.dom.root;
    this.grouped = model.viewOptions?.group === 'word';
    this.addStepControl();
    this.listen();
    this.rebuild();
  }

  snapshot(): TextSnapshot | null {
    const s = this.shown ?? this.compute();
    return s && { ...s, color: this.colorOf(s.section, s.choice), maxTokenChars: settings.value.maxTokenChars };
  }

  protected dataChanged(): void {
    this.paint();
  }

  private get choice(): HeadChoice {
    const sec = this.section;
    return this.picked ?? (sec ? defaultChoice(sec, this.state.layer, this.state.openHead) : MEAN);
  }

  // --- events -----------------------------------------------------------------------------------

  private listen(): void {
    const d = this.dom;
    this.on<MouseEvent>(d.body, 'mouseover', e => this.enter(this.unitOfEvent(e.target)));
    this.on(d.body, 'mouseleave', () => this.leave());
    this.on<FocusEvent>(d.body, 'focusin', e => this.enter(this.unitOfEvent(e.target)));
    this.on<FocusEvent>(d.body, 'focusout', e => {
      if (!(e.relatedTarget instanceof Node && d.body.contains(e.relatedTarget))) {
        this.leave();
      }
    });
    this.on<MouseEvent>(d.body, 'click', e => {
      const u = this.unitOfEvent(e.target);
      if (u !== null) {
        this.selection.togglePin(this.refOf(u));
      }
    });
    this.on<KeyboardEvent>(d.body, 'keydown', e => this.onKey(e));
    this.on(d.layerSelect, 'change', () => this.selection.setLayer(Number(d.layerSelect.value)));
    this.on(d.sectionSelect, 'change', () => this.switchSection(d.sectionSelect.value));
    this.on(d.sourceSelect, 'change', () => {
      this.picked = parseChoice(d.sourceSelect.value);
      this.paint();
    });
    this.on(d.wordsToggle, 'click', () => {
      this.grouped = !this.grouped;
      this.rebuild();
    });
    this.on(d.fetchStatus.retry, 'click', () => {
      const sec = this.section;
      if (sec) {
        this.retryFetch(layerSlotOrFirst(sec, this.state.layer), this.state.heads);
      }
    });
    this.cleanups.push(this.selection.subscribe((_s, changed) => this.onSelection(changed)));
    this.cleanups.push(settings.subscribe(() => this.rebuild()));
    this.cleanups.push(watchPageTheme(() => (this.element.dataset.theme = resolveTheme(settings.value.theme))));
  }

  private onSelection(changed: ReadonlySet<keyof SelectionState>): void {
    if (changed.has('section')) {
      // A / B / B - A of a comparison have the same heads: a head picked stays picked
      this.picked = keptChoice(this.picked, this.section);
      this.grouped = this.model.viewOptions?.group === 'word';
      this.rebuild();
      return;
    }
    if (changed.has('layer')) {
      this.dom.layerSelect.value = String(this.state.layer);
    }
    if (['layer', 'heads', 'hovered', 'pinned', 'openHead', 'step'].some(k => changed.has(k as keyof SelectionState))) {
      this.paint();
    }
  }

  private unitOfEvent(target: EventTarget | null): number | null {
    const span = target instanceof Element ? target.closest<HTMLElement>('.attnscope-text-token') : null;
    const at = span ? this.spans.indexOf(span) : -1;
    return at < 0 ? null : at;
  }

  /** The Selection token of a unit: a query of self-attention (hover = what it attends to), else the key. */
  private refOf(unit: number): TokenRef {
    const index = this.units[unit].index;
    return this.section?.samePositions ? { side: 'query', index } : { side: 'key', index };
  }

  private enter(unit: number | null): void {
    if (unit === null) {
      return;
    }
    if (!this.state.pinned) {
      this.selection.hover(this.refOf(unit));
    }
    this.showTooltip(unit);
  }

  private leave(): void {
    this.dom.tooltip.hidden = true;
    if (this.state.hovered) {
      this.selection.hover(null);
    }
  }

  private onKey(e: KeyboardEvent): void {
    const unit = this.unitOfEvent(e.target);
    if (unit === null) {
      return;
    }
    const moves: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -Infinity, End: Infinity };
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.selection.togglePin(this.refOf(unit));
    } else if (e.key === 'Escape') {
      this.selection.pin(null);
    } else if (e.key in moves) {
      e.preventDefault();
      const to = Math.min(this.spans.length - 1, Math.max(0, unit + moves[e.key]));
      this.setTabStop(to);
      this.spans[to]?.focus();
    }
  }

  private setTabStop(unit: number): void {
    this.spans[this.tabStop]?.setAttribute('tabindex', '-1');
    this.tabStop = Math.max(0, Math.min(this.spans.length - 1, unit));
    this.spans[this.tabStop]?.setAttribute('tabindex', '0');
  }

  // --- rendering --------------------------------------------------------------------------------

  private rebuild(): void {
    const d = this.dom;
    this.element.dataset.theme = resolveTheme(settings.value.theme);
    const sec = this.sectionOrError(d.message);
    if (!sec) {
      return;
    }
    const sections = this.model.sectionList;
    setOptions(d.sectionSelect, sections.map(s => ({ value: s.key, label: s.label })), sec.key);
    hideControl(d.sectionSelect, sections.length < 2);
    setOptions(d.layerSelect, sec.layers.map(l => ({ value: String(l), label: String(l) })), String(this.state.layer));
    const nHeads = sec.shape[1];
    const heads = Array.from({ length: nHeads }, (_, h) => ({ value: `head:${h}`, label: sec.headLabels?.[h] ?? `head ${headId(sec, h)}` }));
    setOptions(d.sourceSelect, [{ value: choiceId(MEAN), label: 'mean of active heads' }, { value: choiceId(MAX), label: 'max of active heads' }, ...heads], choiceId(this.choice));
    hideControl(d.sourceSelect, nHeads < 2);
    d.wordsToggle.hidden = !hasSubwords(wordsOf(sec, 'key'));
    this.paint(true);
  }

  private compute(): TextShown | null {
    const sec = this.section;
    if (!sec) {
      return null;
    }
    const s = this.state;
    return limitText(textShown({
      section: sec,
      layer: s.layer,
      choice: this.choice,
      heads: s.heads,
      grouped: this.grouped,
      focus: this.selection.focus,
      pinned: s.pinned,
      request: (li, slots) => sec.request(this.consumerId, li, slots),
      cache: this.cache
    }), this.stepLimit);
  }

  private colorOf(sec: Section, choice: HeadChoice): string | null {
    return choice.kind === 'head' && !sec.derived ? paletteFor(settings.value.headPalette, sec.shape[1])[choice.head] ?? null : null;
  }

  /** Shading, caption, legend and marks for the current state; `units` re-renders the spans too. */
  private paint(units = false): void {
    const shown = this.compute();
    const d = this.dom;
    if (!shown) {
      return;
    }
    this.shown = shown;
    const maxChars = settings.value.maxTokenChars;
    if (units || this.spans.length !== shown.units.length || shown.units.some((u, i) => u.index !== this.units[i]?.index || u.word !== this.units[i]?.word)) {
      this.units = shown.units;
      this.spans = renderUnits(d.body, shown.units, u => displayText(u.text, maxChars), shown.section.keyTokens);
      markIndices(this.spans, shown.grouped ? null : shown.section.differingTokens, 'is-differing');
      markGenerated(this.spans, generationOf(shown.section, 'key'));
      this.tabStop = 0;
    }
    const { shading } = shown;
    const color = this.colorOf(shown.section, shown.choice);
    if (color) {
      this.element.style.setProperty('--attnscope-shade', color);
    } else {
      this.element.style.removeProperty('--attnscope-shade');
    }
    // a difference (B - A): red where B gives more weight, blue where less, on a domain symmetric about 0
    const signed = isSigned(shown.section) && shading ? absMax(shading.weights) : null;
    this.element.dataset.signed = signed === null ? '' : 'true';
    this.spans.forEach((span, u) => {
      const w = shading ? shading.weights[u] : null;
      span.dataset.weight = w === null ? '' : String(w);
      if (signed !== null && w !== null) {
        span.style.setProperty('--attnscope-shade', w >= 0 ? GAINED : LOST);
        span.style.setProperty('--attnscope-alpha', shadeAlpha(Math.abs(w), signed).toFixed(3));
      } else {
        span.style.removeProperty('--attnscope-shade');
        span.style.setProperty('--attnscope-alpha', w === null || !shading ? '0' : shadeAlpha(w, shading.max).toFixed(3));
      }
      const focused = shown.focusUnit === u;
      const output = focused && shading?.rule.kind === 'row' && shading.rule.output;
      span.classList.toggle('is-focused', focused && !output);
      span.classList.toggle('is-output', !!output);
      span.classList.toggle('is-pinned', shown.pinnedUnit === u);
    });
    if (!this.spans[this.tabStop] || this.spans[this.tabStop].tabIndex !== 0) {
      this.setTabStop(shown.pinnedUnit ?? this.tabStop);
    }
    setLine(d.caption, shown.caption);
    d.legend.hidden = !shading;
    d.legendMax.textContent = shading ? formatWeight(shading.max) : '';
    d.wordsToggle.setAttribute('aria-pressed', String(shown.grouped));
    if (d.sourceSelect.value !== choiceId(shown.choice)) {
      d.sourceSelect.value = choiceId(shown.choice);
    }
    showFetchStatus(d.fetchStatus, this.element, shading ? null : shown.status);
    const focus = this.selection.focus;
    const rule = shading?.rule;
    Object.assign(this.element.dataset, {
      state: shading ? 'ready' : stateOf(shown.status) === 'ready' ? 'loading' : stateOf(shown.status),
      focus: focus ? `${focus.side}:${focus.index}` : '',
      source: choiceId(shown.choice),
      exact: String(shown.exact),
      group: shown.grouped ? 'word' : 'token',
      shade: rule ? (rule.kind === 'row' && rule.output ? 'output' : rule.kind) : '',
      layer: String(shown.layer),
      units: String(shown.units.length)
    });
  }

  private showTooltip(unit: number): void {
    const tip = this.dom.tooltip;
    const s = this.shown;
    const span = this.spans[unit];
    if (!s || !span) {
      tip.hidden = true;
      return;
    }
    const { title, rows } = textTooltip(s, unit);
    fillTooltip(tip, title, rows);
    showTooltipAt(tip, this.element, span.getBoundingClientRect(), { gap: 4, align: 'start' });
  }
}
