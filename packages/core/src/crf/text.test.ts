import { describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS, textIssue } from './text.js';

// The text rule (issue 17): well-formed Unicode, no control character but tab/CR/LF, no Unicode
// non-character (Unicode 15 §23.7: U+FDD0–U+FDEF and the last two code points of every plane), and
// at most MAX_TEXT_CHARS characters.
describe('textIssue', () => {
  it('accepts ordinary text, tab, CR, LF and a valid surrogate pair', () => {
    for (const s of ['', 'C3 0.62 g/L', 'a\tb\r\nc', '𝕏 and 中文', '\u00a0'])
      expect(textIssue(s), JSON.stringify(s)).toBeUndefined();
  });
  it('names the rule and the position of the first offending character', () => {
    expect(textIssue('ab\ud800')).toEqual({
      rule: 'unicode',
      message: 'is not well-formed Unicode: a lone UTF-16 surrogate U+D800 at character 3',
    });
    expect(textIssue('x\u0000')?.rule).toBe('control-character');
    expect(textIssue('\u001b[31m')?.message).toContain('U+001B at character 1');
    expect(textIssue('\ufffe')?.rule).toBe('noncharacter');
    expect(textIssue('\ufdd0')?.rule).toBe('noncharacter');
    expect(textIssue('\u{10ffff}')?.message).toBe(
      'contains the Unicode non-character U+10FFFF at character 1',
    );
    expect(textIssue('\u{1fffe}')?.rule).toBe('noncharacter');
    expect(textIssue('\ufdf0')).toBeUndefined();
  });
  it('refuses text longer than the limit, the default being MAX_TEXT_CHARS', () => {
    expect(textIssue('x'.repeat(MAX_TEXT_CHARS))).toBeUndefined();
    expect(textIssue('x'.repeat(MAX_TEXT_CHARS + 1))?.rule).toBe('max-length');
    expect(textIssue('abcd', 3)).toEqual({
      rule: 'max-length',
      message: 'is 4 characters long; at most 3 are accepted',
    });
  });
});
