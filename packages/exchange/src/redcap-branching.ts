// REDCap branching logic → a definition item's `showIf` (issue #20, "branching logic at least for
// simple `[field] = 'value'` forms"). Read: comparisons `[field] = 'v'`, `<>` / `!=`, a number or a
// quoted text on the right, a checkbox choice `[field(code)]` (REDCap's export variable
// `field___code`, checked = '1'), combined with `and` / `or` and parentheses (REDCap Help & FAQ,
// "Branching Logic": `and` binds before `or`, as in its JavaScript evaluation). Anything else —
// functions (`datediff`, `sum`), arithmetic, `<`/`>`, `[event][field]` references, smart variables —
// is not simple: the caller lists it as unmapped, never drops it silently.
import type { ShowIfCondition } from '@msct/core/crf';

type Token =
  | { t: 'field'; name: string }
  | { t: 'op'; op: 'is' | 'isNot' }
  | { t: 'value'; value: string }
  | { t: 'and' | 'or' | '(' | ')' };

const TOKEN =
  /\s*(?:\[([A-Za-z][A-Za-z0-9_]*)(?:\(([A-Za-z0-9_]+)\))?\]|(<>|!=|=)|'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)|(and|or)\b|(\(|\)))/iy;

/** REDCap's variable name of one checkbox choice (as its exports name the column). */
export const checkboxVariable = (field: string, code: string) =>
  `${field}___${code.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;

function tokens(logic: string): Token[] | undefined {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < logic.length) {
    if (logic.slice(pos).trim() === '') break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(logic);
    if (!m) return undefined;
    pos = TOKEN.lastIndex;
    const [, field, choice, op, q1, q2, num, word, paren] = m;
    if (field !== undefined) out.push({ t: 'field', name: choice ? checkboxVariable(field, choice) : field });
    else if (op !== undefined) out.push({ t: 'op', op: op === '=' ? 'is' : 'isNot' });
    else if (q1 !== undefined || q2 !== undefined || num !== undefined)
      out.push({ t: 'value', value: q1 ?? q2 ?? num ?? '' });
    else if (word !== undefined) out.push({ t: word.toLowerCase() as 'and' | 'or' });
    else if (paren !== undefined) out.push({ t: paren as '(' | ')' });
  }
  return out;
}

/**
 * The condition of a REDCap branching logic, or undefined when it is not made only of simple
 * comparisons joined by and/or.
 */
export function parseBranching(logic: string): ShowIfCondition | undefined {
  const ts = tokens(logic);
  if (!ts || ts.length === 0) return undefined;
  let i = 0;
  const peek = () => ts[i];
  const or = (): ShowIfCondition | undefined => {
    const parts: ShowIfCondition[] = [];
    for (;;) {
      const a = and();
      if (!a) return undefined;
      parts.push(a);
      if (peek()?.t !== 'or') break;
      i++;
    }
    return parts.length === 1 ? parts[0] : { op: 'any', conditions: parts };
  };
  const and = (): ShowIfCondition | undefined => {
    const parts: ShowIfCondition[] = [];
    for (;;) {
      const a = atom();
      if (!a) return undefined;
      parts.push(a);
      if (peek()?.t !== 'and') break;
      i++;
    }
    return parts.length === 1 ? parts[0] : { op: 'all', conditions: parts };
  };
  const atom = (): ShowIfCondition | undefined => {
    const t = ts[i++];
    if (t?.t === '(') {
      const inner = or();
      if (ts[i++]?.t !== ')') return undefined;
      return inner;
    }
    const op = ts[i++];
    const v = ts[i++];
    if (t?.t !== 'field' || op?.t !== 'op' || v?.t !== 'value') return undefined;
    return { op: op.op, item: t.name, value: v.value };
  };
  const c = or();
  return c && i === ts.length ? c : undefined;
}
