/**
 * Issue 16, items 4 and 5: how a token's text is shown. Control and invisible characters become
 * visible escapes, tokens in a line of text are isolated, and a long token is an excerpt that says
 * how long it is.
 */
import { displayText } from '../render/tokens';
import { escapeInvisible, hasInvisible, isolate, plainText, rawExcerpt, tokenParts } from '../render/token-text';

describe('escapeInvisible', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['\u202eabc', '\u27e8U+202E\u27e9abc'],
    ['a\u0000b', 'a\u27e8U+0000\u27e9b'],
    ['tab\there\nnext', 'tab\u27e8U+0009\u27e9here\u27e8U+000A\u27e9next'],
    ['zero\u200bwidth', 'zero\u27e8U+200B\u27e9width'],
    ['\ufeffbom', '\u27e8U+FEFF\u27e9bom'],
    ['soft\u00adhyphen', 'soft\u27e8U+00AD\u27e9hyphen'],
    ['\u2066iso\u2069', '\u27e8U+2066\u27e9iso\u27e8U+2069\u27e9'],
    ['line\u2028sep', 'line\u27e8U+2028\u27e9sep'],
    // an emoji's zero-width joiner between two pictographs is part of the emoji
    ['\u{1F469}\u200d\u{1F4BB}', '\u{1F469}\u200d\u{1F4BB}'],
    // ... but not elsewhere
    ['a\u200db', 'a\u27e8U+200D\u27e9b'],
    // right-to-left letters are text, not controls
    ['\u05e9\u05dc\u05d5\u05dd', '\u05e9\u05dc\u05d5\u05dd'],
    // a tag character (astral, format) is named by its code point
    ['\u{E0041}', '\u27e8U+E0041\u27e9']
  ])('%j -> %j', (text, shown) => {
    expect(escapeInvisible(text)).toBe(shown);
    expect(hasInvisible(text)).toBe(text !== shown);
  });
});

describe('tokenParts', () => {
  it.each([
    ['cat', 10, [{ token: 'cat' }]],
    ['abcdef', 3, [{ token: 'abc' }, '\u2026 (6 characters)']],
    ['x'.repeat(10_000), 4, [{ token: 'xxxx' }, '\u2026 (10,000 characters)']],
    // counted and cut in code points: no half surrogate pair
    ['\u{1F600}'.repeat(5), 2, [{ token: '\u{1F600}\u{1F600}' }, '\u2026 (5 characters)']],
    ['\u202eabc', 10, [{ token: '\u27e8U+202E\u27e9abc' }]]
  ])('%j at most %p characters', (text, max, parts) => {
    expect(tokenParts(text as string, max as number)).toEqual(parts);
  });
});

describe('lines with tokens', () => {
  const line = ['query 4 \u201c', { token: '\u27e8U+202E\u27e9abc' }, '\u201d'];
  it('isolates a token with U+2068 / U+2069 in one string (SVG text)', () => {
    expect(isolate('\u05e9abc')).toBe('\u2068\u05e9abc\u2069');
  });
  it('reads as plain text without the isolates', () => {
    expect(plainText(line)).toBe('query 4 \u201c\u27e8U+202E\u27e9abc\u201d');
    expect(plainText('as is')).toBe('as is');
  });
  it('cuts the raw excerpt with an ellipsis', () => {
    expect(rawExcerpt('abcdef', 3)).toBe('abc\u2026');
    expect(rawExcerpt('abc', 3)).toBe('abc');
  });
});

describe('displayText', () => {
  it.each([
    ['', 24, '\u2205'],
    ['\u202eabc', 24, '\u27e8U+202E\u27e9abc'],
    ['a\u0000', 24, 'a\u27e8U+0000\u27e9'],
    ['abcdefgh', 5, 'abcd\u2026']
  ])('%j (%p) -> %j', (text, max, shown) => expect(displayText(text, max)).toBe(shown));
});
