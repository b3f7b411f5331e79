/**
 * The generation step control (issue 13, attention per generated token). A section made by
 * attnscope.from_generate carries `generation` (prompt length P, the generated positions); the
 * Selection's `step` is null for the whole sequence or t for "the prompt and generated tokens 0..t".
 * Every view showing such a section puts one of these in its toolbar; each reads the step from the
 * Selection and writes it only through a control, so the views stay linked and never talk to each
 * other.
 *
 * The control: a range slider (position 0 is "all", position t + 1 is step t), a play/pause button
 * (one step every PLAY_MS, stops at the last step) and keys while it has focus: ArrowLeft/ArrowRight
 * (also Down/Up) step back and forward (left of step 0 is "all"), Home the first step, End the last,
 * Space plays/pauses. A text says "step t+1 of N: ‘token’" (1-based for people; `data-step` is t).
 *
 * Moving to step t also PINS the query of generated token t: a hover lasts only while the pointer is
 * over a token (leaving the view clears it), a pin stays while the user reads the views, is
 * mirrored to Python, and a hover still overrides it for a look at another token.
 */
import { settings } from '../config/settings';
import { Section } from '../data/section';
import { displayText } from '../render/tokens';
import { Range } from '../selection/filters';
import { Selection } from '../selection/state';
import { Generation } from '../wire/section-extras';
import { el, markIndices } from './dom';

/** Milliseconds between two steps while playing. */
export const PLAY_MS = 700;

/** Positions shown at `step` (prompt + generated tokens 0..step): a count, or null for all of them. */
export function stepLimit(sec: Section | undefined, step: number | null): number | null {
  const g = sec?.generation;
  return g && step !== null && step >= 0 && step < g.generated.length ? g.generated[step] + 1 : null;
}

/**
 * The generation of one side's tokens: queries are the generated sequence; keys are it too only when
 * queries and keys are one sequence (a decoder's cross attention has the encoder's tokens as keys).
 */
export function generationOf(sec: Section, side: 'query' | 'key'): Generation | null {
  return side === 'query' || sec.samePositions ? sec.generation : null;
}

/** Marks the token elements (`data-index`) of generated positions with `is-generated` (views/dom.ts markIndices). */
export function markGenerated(els: readonly HTMLElement[], gen: Generation | null): readonly HTMLElement[] {
  markIndices(els, gen ? gen.generated : null, 'is-generated');
  return els;
}

/** Token ranges cut at a step's limit: the queries always, the keys when they are the same sequence. */
export function limitRanges(sec: Section, r: { query: Range; key: Range }, limit: number | null): { query: Range; key: Range } {
  if (limit === null) {
    return r;
  }
  const cut = (x: Range): Range => ({ start: Math.min(x.start, limit), end: Math.min(x.end, limit) });
  return { query: cut(r.query), key: sec.samePositions ? cut(r.key) : r.key };
}

const BACK = new Set(['ArrowLeft', 'ArrowDown']);
const FORWARD = new Set(['ArrowRight', 'ArrowUp']);

export class StepControl {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly playButton: HTMLButtonElement;
  private readonly text: HTMLElement;
  private timer: number | null = null;
  private readonly offs: (() => void)[] = [];

  constructor(doc: Document, private readonly selection: Selection, private readonly sectionOf: () => Section | undefined) {
    const root = el(doc, 'div', 'attnscope-step-control');
    root.setAttribute('role', 'group');
    root.setAttribute('aria-label', 'Generation step');
    this.slider = el(doc, 'input', 'attnscope-step-slider');
    this.slider.type = 'range';
    this.slider.min = '0';
    this.slider.step = '1';
    this.slider.setAttribute('aria-label', 'Generation step: arrows step, Home first, End last, Space plays');
    this.playButton = el(doc, 'button', 'attnscope-step-play', 'play');
    this.playButton.type = 'button';
    this.playButton.title = `Play the generation, one token every ${PLAY_MS} ms`;
    this.text = el(doc, 'span', 'attnscope-step-text');
    this.text.setAttribute('aria-live', 'polite');
    root.append(el(doc, 'span', 'attnscope-control-label', 'Step'), this.slider, this.playButton, this.text);
    this.element = root;
    this.listen(this.slider, 'input', () => this.go(Number(this.slider.value) === 0 ? null : Number(this.slider.value) - 1));
    this.listen(this.playButton, 'click', () => this.toggle());
    this.listen(root, 'keydown', e => this.onKey(e as KeyboardEvent));
    this.offs.push(
      selection.subscribe((_s, changed) => {
        if (changed.has('step') || changed.has('section') || changed.has('nSteps')) {
          this.update();
        }
      })
    );
    this.update();
  }

  get playing(): boolean {
    return this.timer !== null;
  }

  dispose(): void {
    this.pause();
    this.offs.splice(0).forEach(off => off());
    this.element.remove();
  }

  /** Steps of the shown section (0 when it has no generation, or the Selection knows no steps). */
  private get steps(): number {
    const n = this.sectionOf()?.generation?.generated.length ?? 0;
    return Math.min(n, this.selection.state.nSteps);
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void): void {
    target.addEventListener(type, fn);
    this.offs.push(() => target.removeEventListener(type, fn));
  }

  /** Shows step t (pinning its generated token's query), or the whole sequence for null. */
  private go(t: number | null): void {
    const g = this.sectionOf()?.generation;
    const n = this.steps;
    if (!g || n === 0) {
      return;
    }
    const step = t === null ? null : Math.max(0, Math.min(n - 1, t));
    this.selection.batch(() => {
      this.selection.setStep(step);
      if (step !== null) {
        this.selection.pin({ side: 'query', index: g.generated[step] });
      }
    });
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.steps;
    const step = this.selection.state.step;
    if (n === 0) {
      return;
    }
    let to: number | null | undefined;
    if (FORWARD.has(e.key)) {
      to = step === null ? 0 : Math.min(n - 1, step + 1);
    } else if (BACK.has(e.key)) {
      to = step === null || step === 0 ? null : step - 1;
    } else if (e.key === 'Home') {
      to = 0;
    } else if (e.key === 'End') {
      to = n - 1;
    } else if (e.key === ' ' && e.target !== this.playButton) {
      e.preventDefault(); // the button's own Space is its click
      this.toggle();
      return;
    } else {
      return;
    }
    e.preventDefault();
    this.go(to);
  }

  toggle(): void {
    if (this.playing) {
      this.pause();
    } else {
      this.play();
    }
  }

  /** Plays from the current step (from the first one when showing all or at the last step). */
  play(): void {
    const n = this.steps;
    if (n === 0 || this.playing) {
      return;
    }
    const step = this.selection.state.step;
    if (step === null || step >= n - 1) {
      this.go(0);
    }
    if (n > 1) {
      this.schedule();
    }
    this.update();
  }

  pause(): void {
    if (this.timer !== null) {
      window.clearTimeout(this.timer);
      this.timer = null;
      this.update();
    }
  }

  private schedule(): void {
    this.timer = window.setTimeout(() => this.tick(), PLAY_MS);
  }

  private tick(): void {
    this.timer = null;
    const step = this.selection.state.step;
    const n = this.steps;
    if (step !== null && step + 1 < n) {
      this.go(step + 1);
      if (step + 2 < n) {
        this.schedule();
      }
    }
    this.update();
  }

  /** Slider, text, button and data attributes for the Selection's step; hidden without generation. */
  private update(): void {
    const sec = this.sectionOf();
    const n = this.steps;
    const root = this.element;
    root.hidden = n === 0;
    if (n === 0 && this.timer !== null) {
      window.clearTimeout(this.timer);
      this.timer = null;
    }
    const step = n === 0 ? null : this.selection.state.step;
    this.slider.max = String(n);
    this.slider.value = String(step === null ? 0 : step + 1);
    let text = '';
    if (sec?.generation && n > 0) {
      const token = step === null ? '' : sec.queryTokens[sec.generation.generated[step]] ?? '';
      text = step === null ? `all: prompt and ${n} generated tokens` : `step ${step + 1} of ${n}: \u2018${displayText(token, settings.value.maxTokenChars)}\u2019`;
    }
    this.text.textContent = text;
    this.slider.setAttribute('aria-valuetext', text);
    this.playButton.textContent = this.playing ? 'pause' : 'play';
    this.playButton.setAttribute('aria-pressed', String(this.playing));
    Object.assign(root.dataset, { step: step === null ? 'all' : String(step), steps: String(n), playing: String(this.playing) });
  }
}
