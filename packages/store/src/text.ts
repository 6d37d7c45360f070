// Text the store keeps exactly as it hashes it. A JavaScript string may hold what UTF-8 cannot: a
// lone UTF-16 surrogate ("\ud800") is written by better-sqlite3 as the bytes ED A0 80 and read back
// as three U+FFFD, and by pg as one U+FFFD, so the row and its audit event would no longer be the text
// that was hashed and the chain would read as broken. PostgreSQL refuses NUL (U+0000) in text outright.
// The store refuses both before anything is written; the API refuses more (server/src/http/text.ts).
import { StoreError } from './errors.js';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `s` cannot be stored and read back unchanged on both dialects, or undefined if it can. */
export function unstorableText(s: string): { rule: string; message: string } | undefined {
  const surrogate = LONE_SURROGATE.exec(s);
  if (surrogate)
    return {
      rule: 'unicode',
      message: `is not well-formed Unicode: a lone UTF-16 surrogate U+${surrogate[0].charCodeAt(0).toString(16).toUpperCase()} at character ${surrogate.index + 1}`,
    };
  const nul = s.indexOf('\u0000');
  if (nul >= 0)
    return { rule: 'control-character', message: `contains NUL (U+0000) at character ${nul + 1}` };
  return undefined;
}

/**
 * Refuses (StoreError 'invalid', naming the field) a row whose text could not be stored unchanged.
 * `fields` are column → value; only strings are looked at.
 */
export function assertStorable(what: string, fields: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    const issue = unstorableText(value);
    if (issue)
      throw new StoreError('invalid', `${what}: ${field} ${issue.message}`, { field, rule: issue.rule });
  }
}
