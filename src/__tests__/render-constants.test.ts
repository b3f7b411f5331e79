/**
 * render-constants.json (repository root) is what the widget and the kernel's static picture both
 * draw with. The TypeScript side compiles a copy in (config/render-constants.ts); these tests fail
 * when the copy and the JSON differ, or when a drawing module stops using them.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { heatAlpha } from '../analysis/pooling';
import { RENDER_CONSTANTS } from '../config/render-constants';
import { DEFAULT_SETTINGS } from '../config/settings';
import { BASE_HEAD_COLORS, headColors } from '../render/palette';
import { MAX_LINE_TOKENS, thumbnailMode } from '../render/thumbnails';

const json = JSON.parse(readFileSync(join(__dirname, '..', '..', 'render-constants.json'), 'utf8')) as Record<string, unknown>;

describe('render constants', () => {
  it('config/render-constants.ts holds exactly the values of render-constants.json', () => {
    const { $comment: _comment, ...values } = json;
    expect(RENDER_CONSTANTS).toEqual(values);
  });

  it('the palette starts with the shared head colours', () => {
    expect(BASE_HEAD_COLORS).toEqual(json.head_colors);
    expect(headColors(3)).toEqual((json.head_colors as string[]).slice(0, 3));
  });

  it('thumbnails switch from lines to a heatmap above max_line_tokens', () => {
    const n = json.max_line_tokens as number;
    expect(MAX_LINE_TOKENS).toBe(n);
    expect(thumbnailMode(n, n)).toBe('lines');
    expect(thumbnailMode(n + 1, 2)).toBe('heatmap');
  });

  it('heatmap opacity follows heatmap_alpha_exponent', () => {
    const e = json.heatmap_alpha_exponent as number;
    expect(heatAlpha(0.25, 1)).toBeCloseTo(0.25 ** e, 12);
    expect(heatAlpha(0.5, 2)).toBeCloseTo(0.25 ** e, 12);
  });

  it('the canvas threshold setting defaults to canvas_line_threshold', () => {
    expect(DEFAULT_SETTINGS.canvasThreshold).toBe(json.canvas_line_threshold);
  });
});
