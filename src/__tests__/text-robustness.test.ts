/**
 * @jest-environment jsdom
 *
 * Tokens are data in the text view too: every hostile string is shown as text (shortened and with
 * invisible characters escaped, as in the other views), in the spans, the caption and the tooltip,
 * and nothing in it is ever parsed.
 */
import { eager } from '../data/eager';
import { Section } from '../data/section';
import { displayText } from '../render/tokens';
import { Selection } from '../selection/state';
import { TextView } from '../views/text/view';
import { Tensor } from '../wire/tensor';

const HOSTILE: readonly string[] = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=1</script>',
  '"><svg onload="window.__pwned=1">',
  '&amp; &lt;b&gt; &#60;',
  'ctrl\u0000\u0007\u001b[31m\u007f',
  '\u202egnp.exe\u202c \u05e9\u05dc\u05d5\u05dd',
  'x'.repeat(10_240)
];
const N = HOSTILE.length;

function section(): Section {
  return eager({ key: 'self', label: 'Attention', attention: new Tensor(new Float32Array(2 * N * N).fill(1 / N), [1, 2, N, N]), layers: [0], heads: [0, 1], queryTokens: [...HOSTILE], keyTokens: [...HOSTILE] });
}

afterEach(() => (document.body.innerHTML = ''));

describe('text view with hostile tokens', () => {
  it('shows them literally and parses nothing, in spans, caption and tooltip', () => {
    const sec = section();
    const sel = new Selection({ section: 'self', layer: 0, nHeads: 2 });
    const view = new TextView({ sectionList: [sec], section: () => sec, sentenceBStart: null }, sel);
    document.body.appendChild(view.element);
    const root = view.element;
    const spans = Array.from(root.querySelectorAll<HTMLElement>('.attnscope-text-token'));
    expect(spans.map(s => s.textContent)).toEqual(HOSTILE.map(t => displayText(t, 24)));
    expect(spans.map(s => s.getAttribute('aria-label'))).toEqual(HOSTILE.map((t, i) => `token ${i}: ${t}`));
    for (let i = 0; i < N; i++) {
      sel.pin({ side: 'query', index: i });
      spans[(i + 1) % N].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    }
    expect(root.querySelector('.attnscope-text-caption bdi')!.textContent).toBe(`${'x'.repeat(31)}\u2026`);
    spans[N - 1].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(root.querySelectorAll('img, svg, script')).toHaveLength(0);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect(root.querySelector('.attnscope-tooltip')!.textContent).toContain('(10,240 characters)');
  });
});
