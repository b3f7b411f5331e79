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

  it('notifies subscribers on update and stops after unsubscribe', () => {
    const seen: number[] = [];
    const stop = settings.subscribe(s => seen.push(s.canvasThreshold));
    settings.update({ canvasThreshold: 5 });
    stop();
    settings.update({ canvasThreshold: DEFAULT_SETTINGS.canvasThreshold });
    expect(seen).toEqual([5]);
  });
});
