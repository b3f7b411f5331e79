import * as d3 from 'd3';

import { PaletteName } from '../config/settings';
import { headColors } from './palette';

/** Colours of `n` heads for the palette chosen in the settings; head i keeps colour i whatever is active. */
export function paletteFor(name: PaletteName, n: number): string[] {
  if (name === 'sinebow') {
    return Array.from({ length: n }, (_, i) => d3.rgb(d3.interpolateSinebow(i / Math.max(1, n))).formatHex());
  }
  if (name === 'dark2') {
    const base = d3.schemeDark2;
    return Array.from({ length: n }, (_, i) => {
      const c = d3.hcl(base[i % base.length]);
      const round = Math.floor(i / base.length);
      c.l = c.l + (round % 2 === 1 ? 18 : 0) - (round >= 2 ? 12 : 0);
      c.h = c.h + round * 17;
      return c.formatHex();
    });
  }
  return headColors(n);
}
