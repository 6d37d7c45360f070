// The message format of the web app's catalogue (issue 22, "Languages"): a small subset of ICU
// MessageFormat, written here because no i18n library is in this workspace's node_modules and new
// dependencies cannot be installed in this session (checked: no intl-messageformat, i18next, lingui
// or @formatjs package). The subset is what the app's messages need:
//   - `{name}`: a parameter, written as given (strings and numbers);
//   - `{count, plural, =0 {no forms} one {# form} other {# forms}}`: plural by `Intl.PluralRules`
//     of the locale (so a Chinese catalogue with only `other` works unchanged), `#` the number;
//   - `{kind, select, a {…} other {…}}`: a choice by a string parameter.
// Pure functions, no DOM: tested in scripts/i18n-catalogue.test.ts.

export type MessageParams = Readonly<Record<string, string | number>>;

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'arg'; name: string }
  | { kind: 'pound' }
  | { kind: 'plural' | 'select'; name: string; cases: Record<string, Part[]> };

const cache = new Map<string, Part[]>();

/** Parses a message pattern; throws with the pattern named when its braces do not match. */
export function parseMessage(pattern: string): Part[] {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`Message "${pattern}": ${why} at position ${i}`);
  };
  const parts = (inPlural: boolean, nested: boolean): Part[] => {
    const out: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push({ kind: 'text', text });
      text = '';
    };
    while (i < pattern.length) {
      const c = pattern[i] as string;
      if (c === '}') {
        if (!nested) fail('a "}" without its "{"');
        break;
      }
      if (c === '#' && inPlural) {
        flush();
        out.push({ kind: 'pound' });
        i++;
        continue;
      }
      if (c !== '{') {
        text += c;
        i++;
        continue;
      }
      flush();
      i++;
      const close = pattern.slice(i).search(/[},]/);
      if (close < 0) fail('an unclosed "{"');
      const name = pattern.slice(i, i + close).trim();
      i += close;
      if (pattern[i] === '}') {
        out.push({ kind: 'arg', name });
        i++;
        continue;
      }
      i++; // the comma
      const typeEnd = pattern.indexOf(',', i);
      if (typeEnd < 0) fail('a plural or select without cases');
      const type = pattern.slice(i, typeEnd).trim();
      if (type !== 'plural' && type !== 'select') fail(`an unknown argument type "${type}"`);
      i = typeEnd + 1;
      const cases: Record<string, Part[]> = {};
      for (;;) {
        while (pattern[i] === ' ') i++;
        if (pattern[i] === '}') {
          i++;
          break;
        }
        const open = pattern.indexOf('{', i);
        if (open < 0) fail('a case without its "{…}"');
        const key = pattern.slice(i, open).trim();
        i = open + 1;
        cases[key] = parts(type === 'plural', true);
        if (pattern[i] !== '}') fail('an unclosed case');
        i++;
      }
      if (!cases.other) fail(`a ${type} without an "other" case`);
      out.push({ kind: type as 'plural' | 'select', name, cases });
    }
    flush();
    return out;
  };
  const result = parts(false, false);
  cache.set(pattern, result);
  return result;
}

/** The parameter names a pattern uses (to check a translation against the English message). */
export function messageParams(pattern: string): string[] {
  const names = new Set<string>();
  const walk = (ps: Part[]) => {
    for (const p of ps) {
      if (p.kind === 'arg') names.add(p.name);
      if (p.kind === 'plural' || p.kind === 'select') {
        names.add(p.name);
        for (const c of Object.values(p.cases)) walk(c);
      }
    }
  };
  walk(parseMessage(pattern));
  return [...names].sort();
}

/** A message with its parameters filled in, plurals chosen by the locale's rules. */
export function formatMessage(locale: string, pattern: string, params: MessageParams = {}): string {
  const rules = new Intl.PluralRules(locale === PSEUDO_LOCALE ? 'en' : locale);
  const render = (ps: Part[], n: number | undefined): string =>
    ps
      .map((p) => {
        switch (p.kind) {
          case 'text':
            return p.text;
          case 'pound':
            return String(n ?? '');
          case 'arg': {
            const v = params[p.name];
            if (v === undefined) throw new Error(`Message "${pattern}": no value for {${p.name}}`);
            return String(v);
          }
          case 'plural': {
            const v = Number(params[p.name]);
            const exact = p.cases[`=${v}`];
            const chosen = exact ?? p.cases[rules.select(v)] ?? p.cases.other;
            return render(chosen as Part[], v);
          }
          default:
            return render((p.cases[String(params[p.name])] ?? p.cases.other) as Part[], n);
        }
      })
      .join('');
  return render(parseMessage(pattern), undefined);
}

/**
 * The pseudo-locale for tests: every message wrapped in ⟦…⟧, so a text on screen that is not
 * between these brackets did not come from the catalogue (it is data, or a missed string).
 */
export const PSEUDO_LOCALE = 'x-pseudo';
export const pseudoMessage = (pattern: string): string => `⟦${pattern}⟧`;
