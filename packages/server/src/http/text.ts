// The one rule for text a user sends (issue 17): every string of every request — body at any depth,
// object keys included, query string and path parameters — must be well-formed Unicode (no lone
// UTF-16 surrogate: it cannot be stored as sent, and the audit chain would hash what is not stored),
// hold no control character but tab, CR and LF (NUL cannot be stored by PostgreSQL; the others are
// never clinical data and hide text from reviewers), no Unicode non-character (U+FFFE, U+FFFF,
// U+FDD0–U+FDEF and the last two code points of every plane, "permanently reserved for internal use",
// Unicode 15 §23.7) and no more than MAX_TEXT_CHARS characters. Each field's own schema sets its
// tighter length (@msct/contract, common.ts); this check runs once for every route before its schema
// (a preValidation hook in app.ts), so no route can forget it. Importers apply the same rule per
// value (exchange/src/import-check.ts). The rule itself is core/crf/text.ts.
import { Readable } from 'node:stream';
import { textIssue } from '@msct/core/crf';
import type { FastifyRequest } from 'fastify';
import { type FieldIssue, HttpProblem } from './problem.js';

export { MAX_TEXT_CHARS, type TextRule, textIssue } from '@msct/core/crf';

/**
 * Every string in a parsed JSON value (keys too), each issue with its dotted path (`body.items.2.value`).
 * Iterative, so a deeply nested body cannot exhaust the stack; stops after `limit` issues.
 */
export function textIssuesIn(root: unknown, rootPath: string, limit = 20): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length > 0 && issues.length < limit) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const issue = textIssue(value);
      if (issue) issues.push({ field: path, ...issue });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}.${i}`]);
    } else if (value !== null && typeof value === 'object' && !(value instanceof Readable)) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const keyIssue = textIssue(key, 1000);
        if (keyIssue) {
          // A bad key is named by its position: echoing it would repeat what was refused.
          issues.push({ field: `${path}.(key ${i + 1})`, ...keyIssue, message: `a key ${keyIssue.message}` });
          continue;
        }
        stack.push([(value as Record<string, unknown>)[key], `${path}.${key}`]);
      }
    }
  }
  return issues;
}

/** preValidation hook of every /api route: refuses a request carrying text that breaks the rule. */
export async function refuseMalformedText(req: FastifyRequest): Promise<void> {
  if (!req.url.startsWith('/api/')) return;
  const issues = [
    ...textIssuesIn(req.params, 'params'),
    ...textIssuesIn(req.query, 'querystring'),
    ...(Buffer.isBuffer(req.body) ? [] : textIssuesIn(req.body, 'body')),
  ];
  if (issues.length === 0) return;
  throw new HttpProblem('MSCT_E_VALIDATION', issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
    errors: issues,
  });
}
