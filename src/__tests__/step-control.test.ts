/**
 * @jest-environment jsdom
 */
import { settings } from '../config/settings';
import { eager } from '../data/eager';
import { displayText } from '../render/tokens';
import { Section, SectionSource } from '../data/section';
import { createSelection } from '../selection/mirror';
import { Selection } from '../selection/state';
import { limitRanges, markGenerated, PLAY_MS, StepControl, stepLimit } from '../views/step-control';
import { Tensor } from '../wire/tensor';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
/** A prompt of 3 tokens and 4 generated ones (positions 3..6). */
const TOKENS = ['<s>', 'The', 'capital', ' Paris', HOSTILE, '.', '\n'];
const P = 3;
const GEN = { promptLength: P, generated: [3, 4, 5, 6] };

function causal(L: number, H: number, n: number): Tensor {
  const data = new Float32Array(L * H * n * n);
  for (let lh = 0; lh < L * H; lh++) {
    for (let q = 0; q < n; q++) {
      let sum = 0;
      for (let k = 0; k <= q; k++) {
        sum += ((lh + q * 3 + k * 5) % 4) + 1;
      }
      for (let k = 0; k <= q; k++) {
        data[(lh * n + q) * n + k] = (((lh + q * 3 + k * 5) % 4) + 1) / sum;
      }
    }
  }
  return new Tensor(data, [L, H, n, n]);
}

function generated(over: Partial<Parameters<typeof eager>[0]> = {}): Section {
  return eager({ key: 'gen', label: 'Generation', attention: causal(1, 2, TOKENS.length), layers: [0], heads: [0, 1], queryTokens: TOKENS, keyTokens: TOKENS, causal: true, generation: GEN, ...over });
}

const plain = (): Section => eager({ key: 'plain', label: 'Plain', attention: causal(1, 2, 3), layers: [0], heads: [0, 1], queryTokens: ['a', 'b', 'c'], keyTokens: ['a', 'b', 'c'] });

function sourceOf(secs: Section[]): SectionSource {
  return { sectionList: secs, section: k => secs.find(s => s.key === k), sentenceBStart: null };
}

afterEach(() => {
  document.body.innerHTML = '';
  jest.useRealTimers();
});

describe('Selection.step', () => {
  const sel = (nSteps = 4): Selection => new Selection({ section: 'gen', layer: 0, nHeads: 2, nSteps });

  it('is null (the whole sequence) by default and takes steps in [0, nSteps)', () => {
    const s = sel();
    expect(s.state.step).toBeNull();
    expect(s.state.nSteps).toBe(4);
    const calls: string[][] = [];
    s.subscribe((_st, changed) => calls.push([...changed]));
    s.setStep(3);
    expect(s.state.step).toBe(3);
    s.setStep(3);
    s.setStep(null);
    expect(s.state.step).toBeNull();
    expect(calls).toEqual([['step'], ['step']]);
  });

  it.each([4, -1, 1.5, NaN])('refuses step %p of 4 steps', t => {
    const s = sel();
    expect(() => s.setStep(t)).toThrow(RangeError);
    expect(s.state.step).toBeNull();
  });

  it('has no steps at all for a section without generation', () => {
    const s = sel(0);
    expect(() => s.setStep(0)).toThrow(/step must be an integer in \[0, 0\)/);
    s.setStep(null);
    expect(s.state.step).toBeNull();
  });

  it('checks an initial step against the initial steps', () => {
    expect(new Selection({ section: 'gen', layer: 0, nHeads: 2, nSteps: 4, step: 2 }).state.step).toBe(2);
    expect(() => new Selection({ section: 'gen', layer: 0, nHeads: 2, nSteps: 2, step: 2 })).toThrow(RangeError);
  });

  it('resets on a switch to a section without generation, is kept where it exists', () => {
    const s = sel();
    s.setStep(2);
    s.setSection('other-gen', 2, 0, { query: 7, key: 7, steps: 5 });
    expect([s.state.step, s.state.nSteps]).toEqual([2, 5]);
    s.setSection('short-gen', 2, 0, { query: 7, key: 7, steps: 2 });
    expect([s.state.step, s.state.nSteps]).toEqual([null, 2]);
    s.setStep(1);
    s.setSection('plain', 2, 0, { query: 3, key: 3 });
    expect([s.state.step, s.state.nSteps]).toEqual([null, 0]);
    expect(() => s.setStep(0)).toThrow(RangeError);
  });

  it('keeps the step when the same section changes layer count without new counts', () => {
    const s = sel();
    s.setStep(1);
    s.setSection('gen', 2, 1);
    expect(s.state.step).toBe(1);
  });

  it('createSelection takes the steps of the first section', () => {
    expect(createSelection(sourceOf([generated(), plain()]), {})!.state.nSteps).toBe(4);
    expect(createSelection(sourceOf([plain()]), {})!.state.nSteps).toBe(0);
  });
});

describe('step limits and marks', () => {
  it('a step shows the prompt and generated tokens 0..t', () => {
    const sec = generated();
    expect(stepLimit(sec, null)).toBeNull();
    expect([0, 1, 2, 3].map(t => stepLimit(sec, t))).toEqual([4, 5, 6, 7]);
    expect(stepLimit(plain(), 0)).toBeNull();
  });

  it('cuts the keys only when they are the same sequence as the queries', () => {
    const r = { query: { start: 0, end: 7 }, key: { start: 0, end: 7 } };
    expect(limitRanges(generated(), r, 5)).toEqual({ query: { start: 0, end: 5 }, key: { start: 0, end: 5 } });
    const cross = generated({ keyTokens: ['x', 'y', 'z', 'w', 'v', 'u', 't', 's'], attention: new Tensor(new Float32Array(2 * 7 * 8), [1, 2, 7, 8]), samePositions: false });
    expect(limitRanges(cross, { ...r, key: { start: 0, end: 8 } }, 5)).toEqual({ query: { start: 0, end: 5 }, key: { start: 0, end: 8 } });
  });

  it('marks positions from the prompt length on as generated', () => {
    const els = [0, 2, 3, 6].map(i => {
      const e = document.createElement('div');
      e.dataset.index = String(i);
      return e;
    });
    markGenerated(els, GEN);
    expect(els.map(e => e.classList.contains('is-generated'))).toEqual([false, false, true, true]);
    markGenerated(els, null);
    expect(els.some(e => e.classList.contains('is-generated'))).toBe(false);
  });
});

describe('StepControl', () => {
  function mount(secs: Section[] = [generated()]): { control: StepControl; sel: Selection; root: HTMLElement; slider: HTMLInputElement; play: HTMLButtonElement; text: () => string } {
    const source = sourceOf(secs);
    const sel = createSelection(source, {})!;
    const control = new StepControl(document, sel, () => source.section(sel.state.section));
    document.body.append(control.element);
    const root = control.element;
    return {
      control,
      sel,
      root,
      slider: root.querySelector<HTMLInputElement>('.attnscope-step-slider')!,
      play: root.querySelector<HTMLButtonElement>('.attnscope-step-play')!,
      text: () => root.querySelector('.attnscope-step-text')!.textContent ?? ''
    };
  }
  const key = (target: HTMLElement, k: string): boolean => target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

  it('is a slider over "all" and the steps, a play button and a text; hidden without generation', () => {
    const { root, slider, play, text } = mount();
    expect(root.hidden).toBe(false);
    expect([slider.type, slider.min, slider.max, slider.value]).toEqual(['range', '0', '4', '0']);
    expect(root.dataset.step).toBe('all');
    expect(root.dataset.steps).toBe('4');
    expect(play.textContent).toBe('play');
    expect(text()).toBe('all: prompt and 4 generated tokens');
    const none = mount([plain()]);
    expect(none.root.hidden).toBe(true);
  });

  it('moves with the keys: ArrowRight from all is step 0, End the last step, Home the first, ArrowLeft from 0 is all', () => {
    const { sel, root, slider, text } = mount();
    slider.focus();
    expect(key(slider, 'ArrowRight')).toBe(false); // handled: the default is prevented
    expect(sel.state.step).toBe(0);
    expect(sel.state.pinned).toEqual({ side: 'query', index: P });
    expect(root.dataset.step).toBe('0');
    expect(slider.value).toBe('1');
    expect(text()).toBe('step 1 of 4: \u2018 Paris\u2019');
    key(slider, 'ArrowRight');
    expect(sel.state.step).toBe(1);
    // the token is text, never HTML
    expect(text()).toBe(`step 2 of 4: \u2018${displayText(HOSTILE, settings.value.maxTokenChars)}\u2019`);
    expect(text()).toContain('<img src=x');
    expect(root.querySelector('img')).toBeNull();
    key(slider, 'End');
    expect(sel.state.step).toBe(3);
    expect(sel.state.pinned).toEqual({ side: 'query', index: P + 3 });
    key(slider, 'ArrowRight');
    expect(sel.state.step).toBe(3);
    key(slider, 'Home');
    expect(sel.state.step).toBe(0);
    key(slider, 'ArrowLeft');
    expect(sel.state.step).toBeNull();
    expect(sel.state.pinned).toEqual({ side: 'query', index: P }); // "all" keeps the last pin
    expect(key(slider, 'a')).toBe(true);
  });

  it('follows the slider', () => {
    const { sel, slider } = mount();
    slider.value = '3';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    expect(sel.state.step).toBe(2);
    expect(sel.state.pinned).toEqual({ side: 'query', index: P + 2 });
    slider.value = '0';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    expect(sel.state.step).toBeNull();
  });

  it('Space plays from the first step, one step per tick, and stops at the last', () => {
    jest.useFakeTimers();
    const { control, sel, root, slider, play } = mount();
    key(slider, ' ');
    expect(control.playing).toBe(true);
    expect(sel.state.step).toBe(0);
    expect(play.textContent).toBe('pause');
    expect(play.getAttribute('aria-pressed')).toBe('true');
    jest.advanceTimersByTime(PLAY_MS - 1);
    expect(sel.state.step).toBe(0);
    jest.advanceTimersByTime(1);
    expect(sel.state.step).toBe(1);
    expect(sel.state.pinned).toEqual({ side: 'query', index: P + 1 });
    jest.advanceTimersByTime(2 * PLAY_MS);
    expect(sel.state.step).toBe(3);
    expect(control.playing).toBe(false);
    expect(root.dataset.playing).toBe('false');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('Space pauses; the button plays and pauses too; dispose clears the timer', () => {
    jest.useFakeTimers();
    const { control, sel, slider, play } = mount();
    key(slider, 'ArrowRight');
    key(slider, 'ArrowRight');
    key(slider, ' ');
    expect(sel.state.step).toBe(1); // playing from step 1
    jest.advanceTimersByTime(PLAY_MS);
    expect(sel.state.step).toBe(2);
    key(slider, ' ');
    expect(control.playing).toBe(false);
    jest.advanceTimersByTime(5 * PLAY_MS);
    expect(sel.state.step).toBe(2);
    play.click();
    expect(control.playing).toBe(true);
    expect(jest.getTimerCount()).toBe(1);
    control.dispose();
    expect(jest.getTimerCount()).toBe(0);
    expect(control.element.isConnected).toBe(false);
    jest.advanceTimersByTime(5 * PLAY_MS);
    expect(sel.state.step).toBe(2);
  });

  it('hides and stops on a switch to a section without generation; shows the step moved elsewhere', () => {
    jest.useFakeTimers();
    const { control, sel, root, slider } = mount([generated(), plain()]);
    sel.setStep(2);
    expect(slider.value).toBe('3');
    control.play();
    sel.setSection('plain', 2, 0, { query: 3, key: 3, steps: 0 });
    expect(root.hidden).toBe(true);
    expect(control.playing).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });
});
