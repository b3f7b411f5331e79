/**
 * @jest-environment jsdom
 */
// Work a head view does per hover, per leave, per paint and per kernel message (issue 14), counted.
import * as links from '../analysis/links';
import { settings } from '../config/settings';
import { Tensor } from '../wire/tensor';
import { BASE_FIRST, BASE_PIECE } from '../views/head/canvases';
import { dataListeners, drawingOf, hover, mount, peaked, pendingFrames, runFrames, useRecordingCanvases } from './fixtures/head-canvas';

useRecordingCanvases();

describe('work per hover (issue 14: a hover repainted 12 x 512 lines that change no pixel)', () => {
  it('strokes only the focused lines that show at 8-bit alpha; the others stay counted in data-lines', () => {
    const m = mount(12, 512, 600, undefined, peaked(12, 512));
    settings.update({ canvasThreshold: 1 });
    for (const q of [3, 40, 41]) {
      hover(m.root, 'query', q);
      expect(m.root.dataset.focus).toBe(`query:${q}`);
      expect(m.root.dataset.renderer).toBe('canvas');
      // every weight is > 0: 12 heads x 512 keys collected (the tooltip and exports keep them)
      expect(m.root.dataset.lines).toBe(String(12 * 512));
      // alpha 0.1 / 512 / 12 rounds to level 0; the 0.9 keys' alpha 0.9 / 12 to level 19
      expect(m.root.dataset.stroked).toBe('12');
      expect(drawingOf(m.focusCanvas).segs.length).toBeLessThanOrEqual(12);
    }
  });

  it('strokes a line of level 1 (alpha 0.5 / 255 rounds up), not one of 0.49 / 255', () => {
    const n = 4;
    const data = new Float32Array(n * n);
    for (let q = 0; q < n; q++) {
      data.set([1 - 0.5 / 255 - 0.49 / 255, 0.5 / 255, 0.49 / 255, 0], q * n);
    }
    const m = mount(1, n, 80, undefined, new Tensor(data, [1, 1, n, n]));
    settings.update({ canvasThreshold: 0 });
    hover(m.root, 'query', 2);
    expect(m.root.dataset.lines).toBe('3');
    expect(m.root.dataset.stroked).toBe('2');
    expect(drawingOf(m.focusCanvas).segs).toEqual([[0, 50, 200, 10], [0, 50, 200, 30]]);
  });

  it('leaving a token shows the base lines again without drawing them again', () => {
    const m = mount(12, 512, 600, undefined, peaked(12, 512));
    settings.update({ canvasThreshold: 1 });
    const collect = jest.spyOn(links, 'collectLinks');
    const base = drawingOf(m.linksCanvas);
    const baseClears = base.clears;
    const baseSegs = base.segs.length;
    expect(baseSegs).toBeGreaterThan(12 * 56); // every query's 0.9 line crossing the band, at least
    const body = m.root.querySelector('.attnscope-head-body')!;
    for (const q of [5, 6, 7]) {
      hover(m.root, 'query', q);
      expect(m.linksCanvas.classList.contains('is-covered')).toBe(true);
      body.dispatchEvent(new MouseEvent('mouseleave'));
      expect(m.root.dataset.focus).toBe('');
      expect(m.linksCanvas.classList.contains('is-covered')).toBe(false);
      expect(m.focusCanvas.hidden).toBe(true);
    }
    // three hovers collected their own lines; the three leaves reused the base batch and its pixels
    expect(collect).toHaveBeenCalledTimes(3);
    expect(drawingOf(m.linksCanvas).clears).toBe(baseClears);
    expect(drawingOf(m.linksCanvas).segs).toHaveLength(baseSegs);
    // unfocused, only lines of alpha >= 1/255 are collected: each query's 0.9 key in each of 12 heads
    expect(m.root.dataset.lines).toBe(String(12 * 512));
  });

  it('draws the base again after a scroll moved the band while a token was focused', () => {
    const m = mount(2, 512, 600);
    settings.update({ canvasThreshold: 1 });
    const clears = drawingOf(m.linksCanvas).clears;
    hover(m.root, 'query', 3);
    m.scrollTo(5000);
    runFrames();
    m.root.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(drawingOf(m.linksCanvas).clears).toBe(clears + 1);
    expect(m.linksCanvas.style.top).toBe('4744px');
    expect(drawingOf(m.linksCanvas).segs).toContainEqual([0, 5010 - 4744, 200, 5010 - 4744]);
  });
});

describe('the base lines, strongest first and a piece a frame (issue 14: 1.5 s of raster in one task)', () => {
  it('draws BASE_FIRST lines in the paint, then BASE_PIECE a frame, pausing while a token is focused', () => {
    const m = mount(2, 2048, 600);
    settings.update({ canvasThreshold: 1 });
    const links = m.root.querySelector<HTMLElement>('.attnscope-links')!;
    // in the band [0, 1112]: every query's line to key 0 (2 x 2048) and the diagonal of rows 1..55
    const inBand = 2 * (2048 + 55);
    const base = (): number[][] => drawingOf(m.linksCanvas).segs;
    expect(base()).toHaveLength(BASE_FIRST);
    // strongest first: query 0 gives all its weight to key 0 (alpha 0.5, the others 0.25)
    expect(base().slice(0, 2)).toEqual([[0, 10, 200, 10], [0, 10, 200, 10]]);
    expect(links.dataset.base).toBe('partial');
    runFrames();
    expect(base()).toHaveLength(BASE_FIRST + BASE_PIECE);

    hover(m.root, 'query', 3);
    runFrames();
    runFrames();
    expect(base()).toHaveLength(BASE_FIRST + BASE_PIECE); // covered: paused
    m.root.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    for (let i = 0; i < 10 && pendingFrames(); i++) {
      runFrames();
    }
    expect(base()).toHaveLength(inBand);
    expect(new Set(base().map(s => s.join(','))).size).toBe(2048 + 55); // each line once per head, none twice
    expect(links.dataset.base).toBe('complete');
    expect(pendingFrames()).toBe(0);
  });

  it('stops drawing the pieces of a base that another one replaced', () => {
    const m = mount(2, 2048, 600);
    settings.update({ canvasThreshold: 1 });
    m.sel.toggleHead(1); // one head: a new base (2,103 lines in the band)
    for (let i = 0; i < 10 && pendingFrames(); i++) {
      runFrames();
    }
    expect(drawingOf(m.linksCanvas).segs).toHaveLength(2048 + 55);
  });
});

describe('the kernel\'s score progress (issue 14: every progress message redrew every line)', () => {
  it('redraws nothing for progress or for arrived scores; new weights are drawn again', () => {
    const m = mount(2, 512, 600);
    settings.update({ canvasThreshold: 1 });
    const collect = jest.spyOn(links, 'collectLinks');
    const clears = drawingOf(m.linksCanvas).clears;
    for (let i = 0; i < 20; i++) {
      dataListeners.forEach(fn => fn('progress'));
    }
    dataListeners.forEach(fn => fn('scores'));
    expect(collect).not.toHaveBeenCalled();
    expect(drawingOf(m.linksCanvas).clears).toBe(clears);
    dataListeners.forEach(fn => fn());
    expect(collect).toHaveBeenCalledTimes(1);
    expect(drawingOf(m.linksCanvas).clears).toBe(clears + 1);
  });
});

