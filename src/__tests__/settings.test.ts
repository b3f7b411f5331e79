import { readFileSync } from 'fs';
import { join } from 'path';
import { DEFAULT_SETTINGS, sanitizeSettings, settings } from '../config/settings';

describe('settings', () => {
  it('keeps valid values and falls back on invalid ones', () => {
    expect(sanitizeSettings({ theme: 'dark', canvasThreshold: 10, headPalette: 'sinebow' })).toMatchObject({
      theme: 'dark',
      canvasThreshold: 10,
      headPalette: 'sinebow'
    });
    expect(sanitizeSettings({ theme: 'purple', canvasThreshold: 'many', rowHeight: 1000 })).toEqual({
      ...DEFAULT_SETTINGS,
      rowHeight: 64
    });
  });

  it('hover contrast: shared by default, row-maximum when asked, shared for anything else', () => {
    expect(DEFAULT_SETTINGS.hoverContrast).toBe('shared');
    expect(sanitizeSettings({ hoverContrast: 'row-maximum' }).hoverContrast).toBe('row-maximum');
    expect(sanitizeSettings({ hoverContrast: 'max' }).hoverContrast).toBe('shared');
  });

  it('schema/plugin.json offers every setting with the same default', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schema', 'plugin.json'), 'utf-8')) as {
      properties: Record<string, { default: unknown; enum?: unknown[] }>;
    };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
      expect([key, schema.properties[key].default]).toEqual([key, value]);
    }
    expect(schema.properties.hoverContrast.enum).toEqual(['shared', 'row-maximum']);
  });

  it('notifies subscribers on update and stops after unsubscribe', () => {
    const seen: number[] = [];
    const stop = settings.subscribe(s => seen.push(s.canvasThreshold));
    settings.update({ canvasThreshold: 5 });
    stop();
    settings.update({ canvasThreshold: DEFAULT_SETTINGS.canvasThreshold });
    expect(seen).toEqual([5]);
  });
});
