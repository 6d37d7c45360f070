// The one rule for text a user sends (issue 17), whichever way it comes in: every string must be
// well-formed Unicode (no lone UTF-16 surrogate: it cannot be stored as sent, and the audit chain
// would hash what is not stored), hold no control character but tab, CR and LF (NUL cannot be stored
// by PostgreSQL; the others are never clinical data and hide text from reviewers), no Unicode
// non-character (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two code points of every plane,
// "permanently reserved for internal use", Unicode 15 §23.7) and no more than MAX_TEXT_CHARS
// characters. The API applies it to every string of every request (server/src/http/text.ts), the
// importers to every value (exchange/src/import-check.ts).

/** The longest string any request may carry (a study definition's longest text is far shorter). */
export const MAX_TEXT_CHARS = 100_000;

const planeEnds = Array.from({ length: 16 }, (_, i) => {
  const plane = (i + 1).toString(16).toUpperCase();
  return `\\u{${plane}FFFE}\\u{${plane}FFFF}`;
}).join('');
/** One pass finds the first offending character; `u` makes a valid surrogate pair one code point. */
const FORBIDDEN = new RegExp(
  `[\\uD800-\\uDFFF\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF${planeEnds}]`,
  'u',
);

export type TextRule = 'unicode' | 'control-character' | 'noncharacter' | 'max-length';

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** What is wrong with `s` under the text rule, or undefined. */
export function textIssue(
  s: string,
  maxLength = MAX_TEXT_CHARS,
): { rule: TextRule; message: string } | undefined {
  if (s.length > maxLength)
    return {
      rule: 'max-length',
      message: `is ${s.length} characters long; at most ${maxLength} are accepted`,
    };
  const m = FORBIDDEN.exec(s);
  if (!m) return undefined;
  const cp = m[0].codePointAt(0)!;
  const at = `at character ${m.index + 1}`;
  if (cp >= 0xd800 && cp <= 0xdfff)
    return {
      rule: 'unicode',
      message: `is not well-formed Unicode: a lone UTF-16 surrogate ${hex(cp)} ${at}`,
    };
  if (cp < 0x20)
    return {
      rule: 'control-character',
      message: `contains the control character ${hex(cp)} ${at}; of the control characters only tab, CR and LF are accepted`,
    };
  return { rule: 'noncharacter', message: `contains the Unicode non-character ${hex(cp)} ${at}` };
}
