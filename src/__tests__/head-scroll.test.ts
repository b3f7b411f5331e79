/**
 * @jest-environment jsdom
 */
import * as links from '../analysis/links';
import { settings } from '../config/settings';
import { drawingOf, hover, mount, pendingFrames, runFrames, useRecordingCanvases } from './fixtures/head-canvas';

useRecordingCanvases();

describe('HeadView over many tokens', () => {
  it('makes canvases as tall as the visible rows plus overscan, not as the 10,240 px of rows', () => {
    const m = mount(2, 512, 600);
    expect(m.root.dataset.state).toBe('ready');
    expect(m.root.dataset.renderer).toBe('canvas');
    // per head: query 0 one line, every other query two
    expect(m.root.dataset.lines).toBe(String(2 * (1 + 511 * 2)));
    expect(m.root.querySelector<HTMLElement>('.attnscope-links')!.style.height).toBe('10240px');
    for (const c of [m.linksCanvas, m.queryStripes, m.keyStripes]) {
      expect([c.width, c.height, c.style.height, c.style.top]).toEqual([200, 1112, '1112px', '0px']);
    }
    // lines within [0, 1112] or crossing it: every query's line to key 0, the diagonal of rows 0..55
    const segs = drawingOf(m.linksCanvas).segs;
    expect(segs).toContainEqual([0, 10230, 200, 10]);
    expect(segs).toContainEqual([0, 1110, 200, 1110]);
    expect(segs).not.toContainEqual([0, 1130, 200, 1130]);
    expect(segs).toHaveLength(2 * (512 + 56 - 1));
  });

  it('on scroll redraws the band from the lines already collected, once per frame', () => {
    const m = mount(2, 512, 600);
    const collect = jest.spyOn(links, 'collectLinks');
    const clears = drawingOf(m.linksCanvas).clears;
    m.scrollTo(4000);
    m.scrollTo(4500);
    m.scrollTo(5000);
    expect(pendingFrames()).toBe(1);
    runFrames();
    expect(collect).not.toHaveBeenCalled();
    expect(drawingOf(m.linksCanvas).clears).toBe(clears + 1);
    for (const c of [m.linksCanvas, m.queryStripes, m.keyStripes]) {
      expect([c.height, c.style.top]).toEqual([1112, '4744px']);
    }
    const segs = drawingOf(m.linksCanvas).segs;
    // query 511 to key 0: both ends outside [4744, 5856], drawn shifted by the band top
    expect(segs).toContainEqual([0, 10230 - 4744, 200, 10 - 4744]);
    // query 250 on its own row; query 100 to key 0 lies above the band
    expect(segs).toContainEqual([0, 5010 - 4744, 200, 5010 - 4744]);
    expect(segs).not.toContainEqual([0, 2010 - 4744, 200, 10 - 4744]);
    expect(m.root.dataset.lines).toBe(String(2 * (1 + 511 * 2)));
    expect(m.root.dataset.state).toBe('ready');

    // a short scroll inside the band: the canvases scroll with the rows, nothing is redrawn
    m.scrollTo(5200);
    runFrames();
    expect(drawingOf(m.linksCanvas).clears).toBe(clears + 1);
    expect(m.linksCanvas.style.top).toBe('4744px');
    // (the spy does see the paints that collect lines)
    hover(m.root, 'query', 250);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('hover redraws the lines and the stripes of the other column, reallocating no canvas', () => {
    const m = mount(2, 512, 600);
    m.scrollTo(5000);
    runFrames();
    const widths = jest.spyOn(HTMLCanvasElement.prototype, 'width', 'set');
    const heights = jest.spyOn(HTMLCanvasElement.prototype, 'height', 'set');
    const queryClears = drawingOf(m.queryStripes).clears;

    hover(m.root, 'query', 260);
    expect(m.root.dataset.focus).toBe('query:260');
    expect(m.root.dataset.lines).toBe('4');
    expect(m.root.dataset.renderer).toBe('svg');
    // stripes on the keys: key 0 is above the band, key 260 (y 5200..5220) in it
    expect(drawingOf(m.keyStripes).rects).toEqual([
      [0, 5201 - 4744, 100, 18],
      [100, 5201 - 4744, 100, 18]
    ]);
    expect(drawingOf(m.queryStripes).clears).toBe(queryClears);

    settings.update({ canvasThreshold: 1 });
    const keyClears = drawingOf(m.keyStripes).clears;
    hover(m.root, 'key', 0);
    expect(m.root.dataset.renderer).toBe('canvas');
    expect(m.root.dataset.lines).toBe(String(2 * 512));
    // the key column had stripes: cleared once, nothing drawn; the query column gets them
    expect(drawingOf(m.keyStripes).clears).toBe(keyClears + 1);
    expect(drawingOf(m.keyStripes).rects).toEqual([]);
    expect(drawingOf(m.queryStripes).rects).toHaveLength(2 * 56);
    expect(drawingOf(m.focusCanvas).segs).toContainEqual([0, 5010 - 4744, 200, 10 - 4744]);
    // 1,024 lines collected; drawn: those of queries 237 (y 4750) to 511, the others lie above the band
    expect(drawingOf(m.focusCanvas).segs).toHaveLength(2 * (512 - 237));
    expect(m.focusCanvas.hidden).toBe(false);
    expect(m.linksCanvas.classList.contains('is-covered')).toBe(true);

    m.root.querySelector('.attnscope-head-body')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(m.root.dataset.focus).toBe('');
    expect(widths).not.toHaveBeenCalled();
    expect(heights).not.toHaveBeenCalled();
  });

  it('draws 2,048 tokens (40,960 px of rows) with canvases far under the 32,767 px limit', () => {
    const m = mount(1, 2048, 600);
    m.scrollTo(40_960 - 600);
    runFrames();
    for (const c of [m.linksCanvas, m.queryStripes, m.keyStripes]) {
      expect([c.height, c.style.top]).toEqual([1112, `${40_960 - 1112}px`]);
    }
    const segs = drawingOf(m.linksCanvas).segs;
    expect(segs).toContainEqual([0, 40_950 - 39_848, 200, 40_950 - 39_848]);
    expect(segs).toContainEqual([0, 40_950 - 39_848, 200, 10 - 39_848]);
    // 56 rows in the band: their diagonal and their lines to key 0
    expect(segs).toHaveLength(2 * 56);
  });

  it('keeps one canvas over every row of a short view, as before', () => {
    const m = mount(2, 4, 80);
    expect(m.root.dataset.renderer).toBe('svg');
    expect([m.queryStripes.height, m.queryStripes.style.top]).toEqual([80, '0px']);
    hover(m.root, 'query', 3);
    expect(drawingOf(m.keyStripes).rects.map(r => r[1])).toEqual([1, 1, 61, 61]);
  });

  it('does the same in the single head the model view opens beside its grid', () => {
    const m = mount(2, 512, 400, { layer: 0, heads: [1] });
    expect(m.root.classList.contains('attnscope-open-head')).toBe(true);
    expect(m.root.dataset.heads).toBe('1');
    expect([m.linksCanvas.height, m.linksCanvas.style.top]).toEqual([912, '0px']);
    m.scrollTo(3000);
    runFrames();
    expect([m.linksCanvas.height, m.linksCanvas.style.top]).toEqual([912, '2744px']);
    expect(drawingOf(m.linksCanvas).segs).toContainEqual([0, 3010 - 2744, 200, 3010 - 2744]);
  });

  it('without a layout (body height 0) still draws every row up to the cap', () => {
    const m = mount(2, 100, 0);
    expect([m.linksCanvas.height, m.linksCanvas.style.top]).toEqual([2000, '0px']);
  });
});
