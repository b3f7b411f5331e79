/**
 * @jest-environment jsdom
 */
import { crc32, pngScale, withPhys } from '../export/png';
import { escapeAttr, escapeText, fileName, h, headsPart, num, render, xmlSafe } from '../export/svg';
import { HOSTILE } from './fixtures/svg';

describe('svg builder', () => {
  it('escapes text and attribute values, and keeps names to code constants', () => {
    expect(escapeText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(escapeAttr(`"x' <y>\n`)).toBe('&quot;x&#39; &lt;y&gt;&#10;');
    expect(render(h('text', { x: 1.234, title: '"><script>' }, HOSTILE))).toBe(
      '<text x="1.23" title="&quot;&gt;&lt;script&gt;">&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;</text>'
    );
    expect(render(h('g', { a: null, b: false, c: undefined, d: true }))).toBe('<g d="true"/>');
    expect(() => h('g onload="x"')).toThrow(/invalid SVG element/);
    expect(() => render(h('g', { 'x onload': '1' }))).toThrow(/invalid SVG attribute/);
  });

  it('replaces characters XML cannot hold', () => {
    expect(xmlSafe('a\u0000b\u001bc\td\ud800e\ud83d\ude00')).toBe('a\ufffdb\ufffdc\td\ufffde\ud83d\ude00');
    expect(num(-0.001)).toBe('0');
    expect(num(NaN)).toBe('0');
    expect(num(12.3456)).toBe('12.35');
  });

  it('names files attnscope-<view>-L<layer>-H<heads or head>', () => {
    expect(fileName('head', 4, headsPart([0, 4, 9], 3))).toBe('attnscope-head-L4-Hall');
    expect(fileName('head', 4, headsPart([0, 9], 3))).toBe('attnscope-head-L4-H0-9');
    expect(fileName('neuron', 11, '7')).toBe('attnscope-neuron-L11-H7');
    expect(headsPart(Array.from({ length: 20 }, (_, i) => i), 32)).toBe('20heads');
  });
});

// --- head view -----------------------------------------------------------------------------------

function chunk(type: string, data: number[]): number[] {
  const body = [...type].map(c => c.charCodeAt(0)).concat(data);
  const len = data.length;
  const crc = crc32(Uint8Array.from(body));
  return [len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, ...body, crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255];
}

function chunks(png: Uint8Array): { type: string; data: Uint8Array; crcOk: boolean }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array; crcOk: boolean }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    out.push({ type, data: png.subarray(at + 8, at + 8 + len), crcOk: crc32(png, at + 4, at + 8 + len) === view.getUint32(at + 8 + len) });
    at += 12 + len;
  }
  return out;
}

describe('PNG', () => {
  const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const ihdr = chunk('IHDR', [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
  const idat = chunk('IDAT', [1, 2, 3]);
  const iend = chunk('IEND', []);

  it('crc32 matches the PNG reference value', () => {
    expect(crc32(Uint8Array.from([...'IEND'].map(c => c.charCodeAt(0))))).toBe(0xae426082);
  });

  it('adds a pHYs chunk with the print resolution right after IHDR, replacing any other', () => {
    const png = Uint8Array.from([...SIG, ...ihdr, ...chunk('pHYs', [0, 0, 0, 1, 0, 0, 0, 1, 0]), ...idat, ...iend]);
    const out = withPhys(png, 288);
    const list = chunks(out);
    expect(list.map(c => c.type)).toEqual(['IHDR', 'pHYs', 'IDAT', 'IEND']);
    expect(list.every(c => c.crcOk)).toBe(true);
    const phys = new DataView(list[1].data.buffer, list[1].data.byteOffset, 9);
    expect(phys.getUint32(0)).toBe(Math.round(288 / 0.0254));
    expect(phys.getUint32(4)).toBe(Math.round(288 / 0.0254));
    expect(phys.getUint8(8)).toBe(1);
    expect(Array.from(withPhys(Uint8Array.from([1, 2, 3]), 288))).toEqual([1, 2, 3]);
  });

  it('renders at 3x, smaller only when the canvas could not exist', () => {
    expect(pngScale(800, 600)).toBe(3);
    expect(pngScale(800, 20000)).toBeLessThan(3);
    expect(pngScale(800, 20000) * 20000).toBeLessThanOrEqual(32000);
  });
});
